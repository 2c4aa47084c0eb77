import { and, asc, eq, sql } from 'drizzle-orm';
import type { ActivationStatus, ActivationView, Problem } from '../../../shared/api/activation';
import { ACTIVATION_STEPS } from '../../../shared/api/activation-steps';
import type { RecordLink } from '../../../shared/model/links';
import type { Db } from '../../db/client';
import { activationStepsTable, activationsTable, exceptionsTable, linksTable } from '../../db/schema';

export type ActivationRow = typeof activationsTable.$inferSelect;
type StepStatus = (typeof activationStepsTable.$inferSelect)['status'];

const nowIso = () => new Date().toISOString();

export async function findActivation(
  db: Db,
  tenantId: string,
  by: { id: string } | { opportunityId: string },
): Promise<ActivationRow | undefined> {
  const cond =
    'id' in by ? eq(activationsTable.id, by.id) : eq(activationsTable.opportunityId, by.opportunityId);
  const [row] = await db
    .select()
    .from(activationsTable)
    .where(and(eq(activationsTable.tenantId, tenantId), cond))
    .limit(1);
  return row;
}

/** The activation of a CRM record: the opportunity's, else the one started from that record (a Contract). */
export async function findActivationForRecord(
  db: Db,
  tenantId: string,
  crmRecordId: string,
): Promise<ActivationRow | undefined> {
  return (
    (await findActivation(db, tenantId, { opportunityId: crmRecordId })) ??
    (await db.query.activationsTable.findFirst({
      where: (a, { and, eq }) => and(eq(a.tenantId, tenantId), eq(a.crmRecordId, crmRecordId)),
    }))
  );
}

export async function setActivationStatus(
  db: Db,
  tenantId: string,
  id: string,
  patch: {
    status: ActivationStatus;
    message?: string | null;
    problems?: Problem[] | null;
    exceptionId?: string | null;
    contractNumber?: string;
  },
): Promise<void> {
  const done = patch.status === 'active' || patch.status === 'needs_fixes' || patch.status === 'failed';
  await db
    .update(activationsTable)
    .set({ ...patch, updatedAt: nowIso(), completedAt: done ? nowIso() : null })
    .where(and(eq(activationsTable.tenantId, tenantId), eq(activationsTable.id, id)));
}

/** Upsert one step's progress; attempts count every time the step body starts. */
export async function markStep(
  db: Db,
  tenantId: string,
  activationId: string,
  name: string,
  status: StepStatus,
  message: string | null = null,
): Promise<void> {
  const starting = status === 'running';
  const finished = status === 'done' || status === 'failed' || status === 'skipped';
  await db
    .insert(activationStepsTable)
    .values({
      tenantId,
      activationId,
      name,
      status,
      message,
      attempts: starting ? 1 : 0,
      startedAt: nowIso(),
      finishedAt: finished ? nowIso() : null,
    })
    .onConflictDoUpdate({
      target: [activationStepsTable.activationId, activationStepsTable.name],
      set: {
        status,
        // A step that starts again keeps the reason it is being retried until it succeeds or fails.
        message: starting ? sql`coalesce(${message}, ${activationStepsTable.message})` : message,
        attempts: starting ? sql`${activationStepsTable.attempts} + 1` : activationStepsTable.attempts,
        finishedAt: finished ? nowIso() : null,
      },
      // The unique key is (activation, step): never let one tenant's work update another tenant's step row.
      setWhere: eq(activationStepsTable.tenantId, tenantId),
    });
}

export async function resetSteps(db: Db, tenantId: string, activationId: string): Promise<void> {
  await db
    .delete(activationStepsTable)
    .where(
      and(eq(activationStepsTable.tenantId, tenantId), eq(activationStepsTable.activationId, activationId)),
    );
}

export async function saveLink(
  db: Db,
  tenantId: string,
  contractKey: string,
  link: RecordLink & { localKey?: string },
): Promise<void> {
  await db
    .insert(linksTable)
    .values({
      tenantId,
      contractKey,
      role: link.role,
      system: link.system,
      kind: link.kind,
      localKey: link.localKey ?? '',
      externalId: link.externalId,
      url: link.url ?? null,
    })
    .onConflictDoUpdate({
      target: [
        linksTable.tenantId,
        linksTable.contractKey,
        linksTable.system,
        linksTable.kind,
        linksTable.localKey,
      ],
      set: { externalId: link.externalId, url: link.url ?? null },
    });
}

export async function linksFor(db: Db, tenantId: string, contractKey: string): Promise<RecordLink[]> {
  const rows = await db
    .select()
    .from(linksTable)
    .where(and(eq(linksTable.tenantId, tenantId), eq(linksTable.contractKey, contractKey)))
    .orderBy(asc(linksTable.createdAt));
  return rows
    .filter((r) => r.localKey === '')
    .map((r) => ({
      role: r.role,
      system: r.system,
      kind: r.kind as RecordLink['kind'],
      externalId: r.externalId,
      ...(r.url ? { url: r.url } : {}),
    }));
}

/** The activation as the CRM card shows it: status, every step in order, links, problems, exception. */
export async function activationView(db: Db, row: ActivationRow): Promise<ActivationView> {
  const [steps, links, exception] = await Promise.all([
    db
      .select()
      .from(activationStepsTable)
      .where(
        and(eq(activationStepsTable.tenantId, row.tenantId), eq(activationStepsTable.activationId, row.id)),
      ),
    linksFor(db, row.tenantId, row.opportunityId),
    row.exceptionId
      ? db
          .select()
          .from(exceptionsTable)
          .where(and(eq(exceptionsTable.tenantId, row.tenantId), eq(exceptionsTable.id, row.exceptionId)))
          .limit(1)
      : Promise.resolve([]),
  ]);
  const byName = new Map(steps.map((s) => [s.name, s]));
  const ex = exception[0];
  return {
    id: row.id,
    status: row.status,
    correlationId: row.correlationId,
    crmRecordId: row.crmRecordId,
    contractNumber: row.contractNumber,
    attempt: row.attempt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    completedAt: row.completedAt,
    message: row.message,
    steps: ACTIVATION_STEPS.map(({ name, label }) => {
      const s = byName.get(name);
      return {
        name,
        label,
        status: s?.status ?? 'pending',
        attempts: s?.attempts ?? 0,
        message: s?.message ?? null,
        startedAt: s?.startedAt ?? null,
        finishedAt: s?.finishedAt ?? null,
      };
    }),
    links,
    problems: (row.problems as Problem[] | null) ?? [],
    exception:
      ex && ex.status !== 'resolved'
        ? { id: ex.id, reason: ex.reason, owner: ex.owner, suggestedFix: ex.suggestedFix }
        : null,
  };
}
