import { and, asc, count, eq, inArray, or, sql } from 'drizzle-orm';
import type { DeadLetterQueue, ReplayOutcome, ReplayResult } from '../../../shared/api/dead-letters';
import type { Db } from '../../db/client';
import { deadLettersTable, deliveryItemsTable, exceptionsTable } from '../../db/schema';
import type { Env } from '../../env';
import { ApiError } from '../../http/api-error';
import { PostingMessageSchema } from '../../queues/messages';
import { type AuditedPrincipal, audit, byPrincipal } from '../audit';

export interface DeadLetterCtx {
  db: Db;
  env: Pick<Env, 'POSTING_QUEUE'>;
  tenantId: string;
  who: AuditedPrincipal;
  correlationId: string;
}

export type ReplaySelection = { ids: string[] } | { all: true; queue: DeadLetterQueue };

/** At most this many letters per call with `all` (the answer says how many remain). */
export const REPLAY_ALL_LIMIT = 200;
const RETRIES_EXHAUSTED = 'POSTING_RETRIES_EXHAUSTED';

type Row = typeof deadLettersTable.$inferSelect;

async function selectLetters(ctx: DeadLetterCtx, selection: ReplaySelection): Promise<Row[]> {
  const { db, tenantId } = ctx;
  if ('ids' in selection) {
    const ids = [...new Set(selection.ids)];
    const rows = await db
      .select()
      .from(deadLettersTable)
      .where(and(eq(deadLettersTable.tenantId, tenantId), inArray(deadLettersTable.id, ids)));
    const missing = ids.filter((id) => !rows.some((r) => r.id === id));
    // Nothing is replayed when one id is unknown: the caller fixes the selection and sends it again.
    if (missing.length)
      throw new ApiError(
        'NOT_FOUND',
        `No dead letter ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}.`,
        [{ field: 'ids', message: 'Unknown dead letter id', fix: 'Pick ids from GET /v1/dead-letters.' }],
      );
    return ids.map((id) => rows.find((r) => r.id === id)!);
  }
  return db
    .select()
    .from(deadLettersTable)
    .where(
      and(
        eq(deadLettersTable.tenantId, tenantId),
        eq(deadLettersTable.queue, selection.queue),
        eq(deadLettersTable.state, 'waiting'),
      ),
    )
    .orderBy(asc(deadLettersTable.firstSeenAt), asc(deadLettersTable.id))
    .limit(REPLAY_ALL_LIMIT);
}

/** Take the letter for this replay: only one replay (or discard) ever acts on a waiting letter. */
async function claim(ctx: DeadLetterCtx, id: string, at: string): Promise<boolean> {
  const taken = await ctx.db
    .update(deadLettersTable)
    .set({ state: 'replayed', handledBy: ctx.who.actor, handledAt: at, note: null })
    .where(
      and(
        eq(deadLettersTable.tenantId, ctx.tenantId),
        eq(deadLettersTable.id, id),
        eq(deadLettersTable.state, 'waiting'),
      ),
    )
    .returning({ id: deadLettersTable.id });
  return taken.length === 1;
}

/**
 * Put the entry back on its way, if it still needs posting: a held entry whose retries ran out (or one a
 * retry already queued again) is queued; a posted, skipped or otherwise held entry is left as it is.
 */
async function requeue(ctx: DeadLetterCtx, itemId: string, at: string): Promise<ReplayOutcome> {
  const { db, tenantId } = ctx;
  const where = and(eq(deliveryItemsTable.tenantId, tenantId), eq(deliveryItemsTable.id, itemId));
  const queued = await db
    .update(deliveryItemsTable)
    .set({
      state: 'queued',
      rule: null,
      note: `Replayed from the dead-letter queue by ${ctx.who.actor}`,
      waitingFor: null,
      postAttempts: 0,
      updatedAt: at,
    })
    .where(
      and(
        where,
        or(
          eq(deliveryItemsTable.state, 'queued'),
          and(eq(deliveryItemsTable.state, 'held'), eq(deliveryItemsTable.rule, RETRIES_EXHAUSTED)),
        ),
      ),
    )
    .returning({ id: deliveryItemsTable.id });
  if (queued.length) return 'sent';
  const [item] = await db.select({ state: deliveryItemsTable.state }).from(deliveryItemsTable).where(where);
  if (item?.state === 'posted') return 'already-posted';
  if (item?.state === 'skipped') return 'entry-skipped';
  return item ? 'entry-held' : 'not-replayable';
}

async function replayOne(ctx: DeadLetterCtx, row: Row): Promise<ReplayOutcome> {
  if (row.state !== 'waiting') return 'not-waiting';
  const message = PostingMessageSchema.safeParse(row.message);
  // An unreadable message would only come back: it stays waiting for a person to discard.
  if (!message.success || !row.itemId || message.data.tenantId !== ctx.tenantId) return 'not-replayable';
  const at = new Date().toISOString();
  if (!(await claim(ctx, row.id, at))) return 'not-waiting';
  let outcome: ReplayOutcome;
  try {
    outcome = await requeue(ctx, row.itemId, at);
    const statements = [
      ctx.db
        .update(deadLettersTable)
        .set({ outcome })
        .where(and(eq(deadLettersTable.tenantId, ctx.tenantId), eq(deadLettersTable.id, row.id))),
      ...(outcome === 'sent' && row.exceptionId
        ? [
            ctx.db
              .update(exceptionsTable)
              .set({
                status: 'resolved',
                resolvedBy: ctx.who.actor,
                resolutionNote: `Replayed dead letter ${row.id}`,
                updatedAt: at,
              })
              .where(
                and(
                  eq(exceptionsTable.tenantId, ctx.tenantId),
                  eq(exceptionsTable.id, row.exceptionId),
                  inArray(exceptionsTable.status, ['open', 'retrying']),
                ),
              ),
          ]
        : []),
    ];
    await ctx.db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
    // The original message, to the original queue. Should this send fail, the entry is queued already and
    // the cron's sweep of stale queued entries sends it; the posting consumer and the ERP's external id make
    // any second message harmless.
    if (outcome === 'sent') await ctx.env.POSTING_QUEUE.send(message.data);
  } catch (e) {
    // Not replayed after all: the letter waits again for the next try.
    await ctx.db
      .update(deadLettersTable)
      .set({ state: 'waiting', handledBy: null, handledAt: null })
      .where(and(eq(deadLettersTable.tenantId, ctx.tenantId), eq(deadLettersTable.id, row.id)));
    throw e;
  }
  await audit(
    ctx.db,
    byPrincipal(ctx.who, {
      tenantId: ctx.tenantId,
      correlationId: ctx.correlationId,
      action: 'dead_letter.replayed',
      subjectType: 'dead_letter',
      subjectId: row.id,
      detail: {
        queue: row.queue,
        itemId: row.itemId,
        outcome,
        exceptionId: row.exceptionId,
        before: { state: 'waiting' },
        after: { state: 'replayed' },
      },
    }),
  );
  return outcome;
}

/**
 * Replay dead letters after the cause is fixed: each waiting letter is taken once (a second replay finds it
 * replayed), and its entry goes back to its queue only if it still needs posting; the ERP's external id on
 * every line makes the posting itself happen once whatever else retried it meanwhile.
 */
export async function replayDeadLetters(
  ctx: DeadLetterCtx,
  selection: ReplaySelection,
): Promise<ReplayResult> {
  const rows = await selectLetters(ctx, selection);
  const results: ReplayResult['results'] = [];
  for (const row of rows) results.push({ id: row.id, outcome: await replayOne(ctx, row) });
  let remaining = 0;
  if ('all' in selection) {
    const [left] = await ctx.db
      .select({ n: count() })
      .from(deadLettersTable)
      .where(
        and(
          eq(deadLettersTable.tenantId, ctx.tenantId),
          eq(deadLettersTable.queue, selection.queue),
          eq(deadLettersTable.state, 'waiting'),
        ),
      );
    remaining = left?.n ?? 0;
  }
  return { sent: results.filter((r) => r.outcome === 'sent').length, results, remaining };
}

/** Leave a dead letter unreplayed, with the reason; it is kept (audited), never deleted. */
export async function discardDeadLetter(ctx: DeadLetterCtx, id: string, reason: string) {
  const at = new Date().toISOString();
  const done = await ctx.db
    .update(deadLettersTable)
    .set({ state: 'discarded', handledBy: ctx.who.actor, handledAt: at, note: reason })
    .where(
      and(
        eq(deadLettersTable.tenantId, ctx.tenantId),
        eq(deadLettersTable.id, id),
        eq(deadLettersTable.state, 'waiting'),
      ),
    )
    .returning();
  const row = done[0];
  if (!row) {
    const [existing] = await ctx.db
      .select({ state: deadLettersTable.state })
      .from(deadLettersTable)
      .where(and(eq(deadLettersTable.tenantId, ctx.tenantId), eq(deadLettersTable.id, id)));
    if (!existing) throw new ApiError('NOT_FOUND', `No dead letter ${id}.`);
    throw new ApiError('CONFLICT', `Dead letter ${id} is already ${existing.state}.`, [
      {
        field: 'id',
        message: `Already ${existing.state}`,
        fix: 'Nothing to do: only a waiting letter can be discarded.',
      },
    ]);
  }
  await audit(
    ctx.db,
    byPrincipal(ctx.who, {
      tenantId: ctx.tenantId,
      correlationId: ctx.correlationId,
      action: 'dead_letter.discarded',
      subjectType: 'dead_letter',
      subjectId: id,
      detail: {
        queue: row.queue,
        itemId: row.itemId,
        reason,
        before: { state: 'waiting' },
        after: { state: 'discarded' },
      },
    }),
  );
  return row;
}

/**
 * The cron settles letters a person settled another way: an entry posted by retrying its exception leaves its
 * letter replayed (`already-posted`), one skipped leaves it discarded, so nothing waits that needs nothing.
 */
export async function settleDeadLetters(db: Db): Promise<number> {
  const at = new Date().toISOString();
  // Qualified by hand: the entry of the letter's own firm (an unqualified tenant_id would be the entry's own).
  const entryIs = (state: 'posted' | 'skipped') =>
    sql`exists (select 1 from delivery_items d where d.tenant_id = dead_letters.tenant_id and d.id = dead_letters.item_id and d.state = ${state})`;
  const posted = await db
    .update(deadLettersTable)
    .set({
      state: 'replayed',
      outcome: 'already-posted',
      handledBy: 'handoff',
      handledAt: at,
      note: 'The entry was posted another way (its exception was retried).',
    })
    .where(and(eq(deadLettersTable.state, 'waiting'), entryIs('posted')))
    .returning({ id: deadLettersTable.id });
  const skipped = await db
    .update(deadLettersTable)
    .set({
      state: 'discarded',
      outcome: 'entry-skipped',
      handledBy: 'handoff',
      handledAt: at,
      note: 'The entry was skipped through its exception.',
    })
    .where(and(eq(deadLettersTable.state, 'waiting'), entryIs('skipped')))
    .returning({ id: deadLettersTable.id });
  return posted.length + skipped.length;
}
