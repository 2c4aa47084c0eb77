import { and, eq, inArray, isNull, lt } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { activationsTable, deliveryItemsTable, linksTable } from '../../db/schema';
import { intakeLane } from '../../durable-objects/intake-lane';
import type { Env } from '../../env';
import type { IntakeMessage, PostingMessage } from '../../queues/messages';

/**
 * One poll per active project (of one tenant, or all), into the project's own intake lane: the fallback for
 * missed webhooks. A poll already waiting in a lane is not added twice.
 */
export async function enqueuePolls(
  db: Db,
  env: Pick<Env, 'INTAKE_LANES'>,
  correlationId: string,
  tenantId?: string,
): Promise<number> {
  const conds = [eq(activationsTable.status, 'active')];
  if (tenantId) conds.push(eq(activationsTable.tenantId, tenantId));
  const active = await db
    .select({ tenantId: activationsTable.tenantId, contractKey: activationsTable.opportunityId })
    .from(activationsTable)
    .where(and(...conds));
  const messages: IntakeMessage[] = [];
  for (const a of active) {
    const [link] = await db
      .select({ id: linksTable.externalId })
      .from(linksTable)
      .where(
        and(
          eq(linksTable.tenantId, a.tenantId),
          eq(linksTable.contractKey, a.contractKey),
          eq(linksTable.role, 'psa'),
          eq(linksTable.kind, 'project'),
        ),
      )
      .limit(1);
    if (link) messages.push({ type: 'poll', tenantId: a.tenantId, psaProjectId: link.id, correlationId });
  }
  // A few lanes at a time: a Worker keeps at most six connections open.
  for (let i = 0; i < messages.length; i += 6)
    await Promise.all(
      messages
        .slice(i, i + 6)
        .map((m) => intakeLane(env, m.tenantId, m.type === 'poll' ? m.psaProjectId : undefined).enqueue([m])),
    );
  return messages.length;
}

/** Queued items whose posting message may have been lost (the send after the commit failed): send again. */
export async function resendStaleQueued(
  db: Db,
  queue: Queue<PostingMessage>,
  olderThanMs = 5 * 60_000,
): Promise<number> {
  const cutoff = new Date(Date.now() - olderThanMs).toISOString();
  const stale = await db
    .select({
      tenantId: deliveryItemsTable.tenantId,
      id: deliveryItemsTable.id,
      correlationId: deliveryItemsTable.correlationId,
    })
    .from(deliveryItemsTable)
    .where(
      and(
        inArray(deliveryItemsTable.state, ['queued']),
        lt(deliveryItemsTable.updatedAt, cutoff),
        // Items parked for an outage wait for the re-test, which sends them once.
        isNull(deliveryItemsTable.waitingFor),
      ),
    )
    .limit(1000);
  for (let i = 0; i < stale.length; i += 100) {
    await queue.sendBatch(
      stale
        .slice(i, i + 100)
        .map((s) => ({ body: { tenantId: s.tenantId, itemId: s.id, correlationId: s.correlationId } })),
    );
  }
  return stale.length;
}
