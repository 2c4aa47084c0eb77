import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { syncCursorsTable } from '../../db/schema';
import { intakeLane } from '../../durable-objects/intake-lane';
import type { Env } from '../../env';
import type { IntakeMessage } from '../../queues/messages';
import { type Incoming, ingest } from '../billing/ingest';
import { checkMilestones } from '../billing/milestones';
import { projectByPsaId } from '../billing/project-context';
import { syncInvoices } from '../billing/sync-invoices';
import { openExceptionOnce } from '../exceptions/open-exception';
import { connectedSystem } from '../exceptions/system';
import type { Connectors } from '../tenancy/connectors';

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

/**
 * One PSA change (a webhook) or one project's poll: read what changed from the PSA, check it against the
 * contract and queue what may be posted; a poll also checks milestones and invoice status. Throws when the
 * PSA (or our database) fails, so the lane retries it.
 */
export async function processIntake(
  env: Env,
  db: Db,
  connectors: Connectors,
  m: IntakeMessage,
): Promise<void> {
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
    if (m.psaProjectId !== fresh.psaProjectId) {
      // The notification did not say (or misnamed) the project: the change goes to its project's own lane,
      // so it is counted in that project's order.
      await intakeLane(env, m.tenantId, fresh.psaProjectId).enqueue([
        { ...m, psaProjectId: fresh.psaProjectId },
      ]);
      return;
    }
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
  // A record the PSA sent in a shape we cannot read is an exception of its own; the rest go on.
  const unreadable = [
    ...time.rejected.map((r) => ({ ...r, subjectType: 'time_entry' as const })),
    ...expenses.rejected.map((r) => ({ ...r, subjectType: 'expense' as const })),
  ];
  for (const r of unreadable) {
    await openExceptionOnce(db, {
      tenantId: m.tenantId,
      correlationId: m.correlationId,
      source: 'intake',
      subjectType: r.subjectType,
      subjectId: r.id,
      projectKey: project.contractKey,
      code: 'PSA_RECORD_UNREADABLE',
      reason: `The PSA's ${r.subjectType.replace('_', ' ')} ${r.id} could not be read${r.field ? ` (field ${r.field})` : ''}: ${r.reason}`,
      owner: 'delivery-ops',
      title: `The PSA's ${r.subjectType.replace('_', ' ')} ${r.id} could not be read`,
      system: connectedSystem(m.tenantId, 'psa'),
      suggestedFix: `Correct the ${r.subjectType === 'expense' ? 'expense' : 'time entry'} in the PSA${r.field ? ` (${r.field.split('.').pop()})` : ''}; the next sync reads it again.`,
      detail: r.field ? { field: r.field } : {},
    });
  }
  await ingest(
    db,
    env.POSTING_QUEUE,
    project,
    [
      ...time.items.map((entry) => ({ kind: 'time' as const, entry })),
      ...expenses.items.map((entry) => ({ kind: 'expense' as const, entry })),
    ],
    m.correlationId,
  );
  await checkMilestones(env, db, connectors, project, m.correlationId);
  await syncInvoices(env, db, connectors, project, m.correlationId);
  await saveCursor(db, m.tenantId, name, startedAt);
}
