import { and, eq } from 'drizzle-orm';
import { type Db, getDb } from '../db/client';
import { syncCursorsTable } from '../db/schema';
import { type Incoming, ingest } from '../domain/billing/ingest';
import { checkMilestones } from '../domain/billing/milestones';
import { projectByPsaId } from '../domain/billing/project-context';
import { syncInvoices } from '../domain/billing/sync-invoices';
import { type Connectors, loadConnectors } from '../domain/tenancy/connectors';
import type { Env } from '../env';
import { log } from '../http/logger';
import { type IntakeMessage, IntakeMessageSchema } from './messages';
import { backoffSeconds, retryBase } from './posting-consumer';

/** Look back a little past the cursor: PSA clocks and our own are not the same clock. */
const CURSOR_SKEW_MS = 5 * 60_000;

async function cursor(db: Db, tenantId: string, name: string): Promise<string | undefined> {
  const [row] = await db
    .select()
    .from(syncCursorsTable)
    .where(and(eq(syncCursorsTable.tenantId, tenantId), eq(syncCursorsTable.name, name)))
    .limit(1);
  return row?.value;
}

async function saveCursor(db: Db, tenantId: string, name: string, value: string) {
  await db
    .insert(syncCursorsTable)
    .values({ tenantId, name, value })
    .onConflictDoUpdate({
      target: [syncCursorsTable.tenantId, syncCursorsTable.name],
      set: { value, updatedAt: new Date().toISOString() },
    });
}

async function handle(env: Env, db: Db, connectors: Connectors, m: IntakeMessage): Promise<void> {
  if (m.type === 'psa-event') {
    if (m.subjectType === 'story') {
      const project = m.psaProjectId ? await projectByPsaId(db, m.tenantId, m.psaProjectId) : undefined;
      if (project) await checkMilestones(env, db, connectors, project, m.correlationId);
      return;
    }
    const fresh =
      m.subjectType === 'time_entry'
        ? await connectors.psa.getTimeEntry(m.subjectId)
        : await connectors.psa.getExpense(m.subjectId);
    if (!fresh?.approved) return;
    const project = await projectByPsaId(db, m.tenantId, fresh.psaProjectId);
    if (!project) return;
    const incoming: Incoming =
      m.subjectType === 'time_entry'
        ? { kind: 'time', entry: fresh as never }
        : { kind: 'expense', entry: fresh as never };
    await ingest(db, env.POSTING_QUEUE, project, [incoming], m.correlationId);
    return;
  }
  const project = await projectByPsaId(db, m.tenantId, m.psaProjectId);
  if (!project?.active) return;
  const name = `psa:${m.psaProjectId}`;
  const since = await cursor(db, m.tenantId, name);
  const sinceSkewed = since ? new Date(Date.parse(since) - CURSOR_SKEW_MS).toISOString() : undefined;
  const startedAt = new Date().toISOString();
  const [time, expenses] = await Promise.all([
    connectors.psa.listApprovedTimeEntries(m.psaProjectId, sinceSkewed),
    connectors.psa.listApprovedExpenses(m.psaProjectId, sinceSkewed),
  ]);
  await ingest(
    db,
    env.POSTING_QUEUE,
    project,
    [
      ...time.map((entry) => ({ kind: 'time' as const, entry })),
      ...expenses.map((entry) => ({ kind: 'expense' as const, entry })),
    ],
    m.correlationId,
  );
  await checkMilestones(env, db, connectors, project, m.correlationId);
  await syncInvoices(env, db, connectors, project, m.correlationId);
  await saveCursor(db, m.tenantId, name, startedAt);
}

/** Intake runs one message at a time (max_concurrency 1), so each project's caps are counted in order. */
export async function consumeIntake(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = getDb(env);
  for (const msg of batch.messages) {
    const parsed = IntakeMessageSchema.safeParse(msg.body);
    if (!parsed.success) {
      msg.retry();
      continue;
    }
    try {
      await handle(env, db, await loadConnectors(env, db, parsed.data.tenantId), parsed.data);
      msg.ack();
    } catch (e) {
      log('warn', 'intake failed; will retry', {
        correlationId: parsed.data.correlationId,
        tenantId: parsed.data.tenantId,
        error: String(e),
      });
      msg.retry({ delaySeconds: backoffSeconds(msg.attempts, retryBase(env)) });
    }
  }
}
