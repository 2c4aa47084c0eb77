import { and, count, desc, eq, inArray, lt, type SQL, sql } from 'drizzle-orm';
import {
  AssigneeSchema,
  type ExceptionFilter,
  type ExceptionJob,
  TAG_PATTERN,
} from '../../../../shared/api/exceptions';
import { atomicBatch } from '../../../db/atomic-batch';
import type { Db } from '../../../db/client';
import {
  consoleMembersTable,
  exceptionJobItemsTable,
  exceptionJobsTable,
  exceptionsTable,
} from '../../../db/schema';
import type { Env } from '../../../env';
import { ApiError } from '../../../http/api-error';
import { type AuditedPrincipal, audit, byPrincipal } from '../../audit';
import { randomToken } from '../../crypto';
import { redactSecrets } from '../../secret-shapes';
import { filterConditions } from '../filter';
import { loadSla } from '../sla';

/** The most items one job may carry: ample for a month-end backlog, bounded so a job ends in minutes. */
export const MAX_JOB_ITEMS = 250_000;
/** A job still queued or running whose row has not moved for this long is started again by the cron. */
export const STALE_JOB_MS = 60_000;
/** Finished jobs keep their per-item outcomes this long (the audit trail keeps each action for good). */
export const JOB_ITEMS_RETENTION_MS = 30 * 24 * 3_600_000;

export type JobAction = ExceptionJob['action'];
export type JobSelection = { ids: string[] } | { filter: ExceptionFilter };

export interface JobInput {
  action: JobAction;
  reason?: string;
  assignee?: string | null;
  tags?: { add?: string[]; remove?: string[] };
  selection: JobSelection;
  /** The selection as the caller sent it (kept on the job for people to read). */
  selectionAsSent: Record<string, unknown>;
}

type JobRow = typeof exceptionJobsTable.$inferSelect;

export function jobView(j: JobRow): ExceptionJob {
  return {
    id: j.id,
    action: j.action,
    state: j.state,
    total: j.total,
    processed: j.processed,
    succeeded: j.succeeded,
    failed: j.failed,
    unchanged: j.processed - j.succeeded - j.failed,
    params: j.params,
    selection: j.selection,
    message: j.message,
    createdBy: j.createdBy,
    createdAt: j.createdAt,
    updatedAt: j.updatedAt,
    finishedAt: j.finishedAt,
  };
}

/** What each action needs, checked before anything is written; the fix names the field. */
function paramsOf(input: JobInput): Record<string, unknown> {
  const need = (field: string, fix: string): never => {
    throw new ApiError('BAD_REQUEST', `A ${input.action} job needs ${field}.`, [
      { field, message: 'required for this action', fix },
    ]);
  };
  switch (input.action) {
    case 'retry':
      return {};
    case 'skip': {
      const reason = input.reason?.trim();
      if (!reason || reason.length < 5)
        return need('reason', 'Say why they are skipped (at least 5 characters).');
      return { reason };
    }
    case 'assign': {
      if (input.assignee === undefined)
        return need('assignee', 'Send the person to assign them to, or null to unassign.');
      if (input.assignee !== null && !AssigneeSchema.safeParse(input.assignee).success)
        return need('assignee', 'Use 1-120 letters, digits or . _ @ : + -.');
      return { assignee: input.assignee };
    }
    case 'tag': {
      const add = [...new Set(input.tags?.add ?? [])];
      const remove = [...new Set(input.tags?.remove ?? [])];
      if (add.length + remove.length === 0) return need('tags', 'Send tags.add and/or tags.remove.');
      const bad = [...add, ...remove].filter((t) => !TAG_PATTERN.test(t));
      if (bad.length || add.length > 20 || remove.length > 20 || add.some((t) => remove.includes(t)))
        return need(
          'tags',
          'Up to 20 tags in each of add and remove, none in both; 1-40 letters, digits or . _ : -.',
        );
      return { add, remove };
    }
  }
}

/**
 * Start a bulk job: its selection is frozen now (the exceptions matching the filter, or the ids given, of
 * this tenant only) into its item list in the same atomic batch that creates it, so exceptions arriving
 * later are never swept in. Audited once: who, the action, the selection and the count. The job then runs
 * in its own Durable Object (`kick`).
 */
export async function startExceptionJob(
  db: Db,
  tenantId: string,
  input: JobInput,
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<ExceptionJob> {
  const params = paramsOf(input);
  let where: SQL;
  if ('ids' in input.selection) {
    const ids = [...new Set(input.selection.ids)];
    const found = await db
      .select({ id: exceptionsTable.id })
      .from(exceptionsTable)
      .where(
        and(
          eq(exceptionsTable.tenantId, tenantId),
          inArray(exceptionsTable.id, sql`(select value from json_each(${JSON.stringify(ids)}))`),
        ),
      );
    const known = new Set(found.map((f) => f.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length)
      throw new ApiError('VALIDATION_FAILED', 'Some exceptions do not exist.', [
        {
          field: 'selection.ids',
          message: `unknown: ${unknown.slice(0, 20).join(', ')}`,
          fix: 'Send ids from GET /v1/exceptions.',
        },
      ]);
    where = and(
      eq(exceptionsTable.tenantId, tenantId),
      inArray(exceptionsTable.id, sql`(select value from json_each(${JSON.stringify(ids)}))`),
    )!;
  } else {
    // Retry and skip can only act on open exceptions: a filter without a status means the open ones.
    const filter =
      (input.action === 'retry' || input.action === 'skip') && !input.selection.filter.status
        ? { ...input.selection.filter, status: ['open', 'retrying'] as ExceptionFilter['status'] }
        : input.selection.filter;
    where = and(...filterConditions(tenantId, filter, await loadSla(db, tenantId), Date.now()))!;
  }
  const [counted] = await db.select({ n: count() }).from(exceptionsTable).where(where);
  if (Number(counted?.n ?? 0) > MAX_JOB_ITEMS)
    throw new ApiError('VALIDATION_FAILED', `A job acts on at most ${MAX_JOB_ITEMS} exceptions.`, [
      {
        field: 'selection.filter',
        message: `${counted?.n} match`,
        fix: 'Narrow the filter (by owner, code, project or age) and start one job per part.',
      },
    ]);

  const id = `xjob_${randomToken(12)}`;
  const now = new Date().toISOString();
  const principal = redactSecrets(by.who.principal);
  await atomicBatch(db, [
    db.insert(exceptionJobsTable).values({
      id,
      tenantId,
      action: input.action,
      params,
      selection: input.selectionAsSent,
      state: 'queued',
      total: 0,
      createdBy: by.who.actor,
      principal,
      correlationId: by.correlationId,
      createdAt: now,
      updatedAt: now,
    }),
    // The frozen selection, oldest first: the order the job works in.
    sql`insert into exception_job_items (job_id, seq, tenant_id, exception_id)
      select ${id}, row_number() over (order by ${exceptionsTable.createdAt}, ${exceptionsTable.id}),
        ${exceptionsTable.tenantId}, ${exceptionsTable.id}
      from ${exceptionsTable} where ${where}`,
    sql`update exception_jobs set total = (select count(*) from exception_job_items where job_id = ${id}),
        state = case when exists (select 1 from exception_job_items where job_id = ${id}) then 'queued' else 'done' end,
        finished_at = case when exists (select 1 from exception_job_items where job_id = ${id}) then null else ${now} end
      where id = ${id}`,
  ]);
  const job = (await findJob(db, tenantId, id))!;
  await audit(
    db,
    byPrincipal(by.who, {
      tenantId,
      correlationId: by.correlationId,
      action: 'exception_job.started',
      subjectType: 'exception_job',
      subjectId: id,
      detail: { action: input.action, params, selection: input.selectionAsSent, total: job.total },
    }),
  );
  return jobView(job);
}

async function findJob(db: Db, tenantId: string, id: string) {
  const [job] = await db
    .select()
    .from(exceptionJobsTable)
    .where(and(eq(exceptionJobsTable.tenantId, tenantId), eq(exceptionJobsTable.id, id)))
    .limit(1);
  return job;
}

/** One job of the tenant, with the first items it could not act on and why. */
export async function getExceptionJob(db: Db, tenantId: string, id: string) {
  const job = await findJob(db, tenantId, id);
  if (!job) throw new ApiError('NOT_FOUND', `No exception job ${id}.`);
  const failures = await db
    .select({ exceptionId: exceptionJobItemsTable.exceptionId, message: exceptionJobItemsTable.message })
    .from(exceptionJobItemsTable)
    .where(and(eq(exceptionJobItemsTable.jobId, job.id), eq(exceptionJobItemsTable.outcome, 'failed')))
    .orderBy(exceptionJobItemsTable.seq)
    .limit(50);
  const [named] = await withStarterNames(db, tenantId, [jobView(job)]);
  return { ...named!, failures: failures.map((f) => ({ ...f, message: f.message ?? '' })) };
}

/** Each job with the name of the console person who started it (people see names, the audit keeps ids). */
async function withStarterNames(db: Db, tenantId: string, jobs: ExceptionJob[]): Promise<ExceptionJob[]> {
  const ids = [
    ...new Set(jobs.flatMap((j) => (j.createdBy.startsWith('person:') ? [j.createdBy.slice(7)] : []))),
  ];
  const people = ids.length
    ? await db
        .select({ id: consoleMembersTable.id, name: consoleMembersTable.name })
        .from(consoleMembersTable)
        .where(and(eq(consoleMembersTable.tenantId, tenantId), inArray(consoleMembersTable.id, ids)))
    : [];
  const names = new Map(people.map((p) => [`person:${p.id}`, p.name]));
  return jobs.map((j) => ({ ...j, createdByName: names.get(j.createdBy) ?? null }));
}

/** The tenant's jobs, newest first. */
export async function listExceptionJobs(db: Db, tenantId: string, limit: number) {
  const rows = await db
    .select()
    .from(exceptionJobsTable)
    .where(eq(exceptionJobsTable.tenantId, tenantId))
    .orderBy(desc(exceptionJobsTable.createdAt), desc(exceptionJobsTable.id))
    .limit(limit);
  return withStarterNames(db, tenantId, rows.map(jobView));
}

/**
 * Cancel: the job stops at the next page boundary (a page in flight either commits whole before the cancel
 * or not at all). Its cursor is kept, so a resume goes on from there. Audited.
 */
export async function cancelExceptionJob(
  db: Db,
  tenantId: string,
  id: string,
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<ExceptionJob> {
  return transition(db, tenantId, id, ['queued', 'running'], 'cancelled', by);
}

/** Resume a cancelled or failed job from its cursor. Audited; the caller kicks its runner. */
export async function resumeExceptionJob(
  db: Db,
  tenantId: string,
  id: string,
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<ExceptionJob> {
  return transition(db, tenantId, id, ['cancelled', 'failed'], 'queued', by);
}

async function transition(
  db: Db,
  tenantId: string,
  id: string,
  from: JobRow['state'][],
  to: 'cancelled' | 'queued',
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<ExceptionJob> {
  const now = new Date().toISOString();
  const [moved] = await db
    .update(exceptionJobsTable)
    .set({ state: to, updatedAt: now, finishedAt: to === 'cancelled' ? now : null, attempts: 0 })
    .where(
      and(
        eq(exceptionJobsTable.tenantId, tenantId),
        eq(exceptionJobsTable.id, id),
        inArray(exceptionJobsTable.state, from),
      ),
    )
    .returning();
  if (!moved) {
    const job = await findJob(db, tenantId, id);
    if (!job) throw new ApiError('NOT_FOUND', `No exception job ${id}.`);
    throw new ApiError(
      'CONFLICT',
      `Exception job ${id} is ${job.state}; only a ${from.join(' or ')} job can be ${to === 'cancelled' ? 'cancelled' : 'resumed'}.`,
    );
  }
  await audit(
    db,
    byPrincipal(by.who, {
      tenantId,
      correlationId: by.correlationId,
      action: to === 'cancelled' ? 'exception_job.cancelled' : 'exception_job.resumed',
      subjectType: 'exception_job',
      subjectId: id,
      detail: {
        before: { state: from },
        after: { state: to },
        processed: moved.processed,
        total: moved.total,
      },
    }),
  );
  return jobView(moved);
}

/** Hand the job to its runner (a Durable Object per job), which works it page by page on its alarm. */
export async function kickExceptionJob(env: Pick<Env, 'EXCEPTION_JOBS'>, jobId: string): Promise<void> {
  await env.EXCEPTION_JOBS.get(env.EXCEPTION_JOBS.idFromName(jobId)).start(jobId);
}

/**
 * The cron's safety net: jobs queued or running whose row has not moved for a minute (the runner's isolate
 * died, or the kick after the start was lost) are kicked again; they go on from their cursor. Finished
 * jobs' per-item outcomes are dropped after the retention (their actions stay in the audit trail).
 */
export async function sweepExceptionJobs(env: Env, db: Db): Promise<{ kicked: number; dropped: number }> {
  const stale = await db
    .select({ id: exceptionJobsTable.id })
    .from(exceptionJobsTable)
    .where(
      and(
        inArray(exceptionJobsTable.state, ['queued', 'running']),
        lt(exceptionJobsTable.updatedAt, new Date(Date.now() - STALE_JOB_MS).toISOString()),
      ),
    )
    .limit(100);
  for (const j of stale) await kickExceptionJob(env, j.id);
  const cutoff = new Date(Date.now() - JOB_ITEMS_RETENTION_MS).toISOString();
  const dropped = await db
    .delete(exceptionJobItemsTable)
    .where(
      sql`rowid in (select i.rowid from exception_job_items i join exception_jobs j on j.id = i.job_id
        where j.state in ('done', 'cancelled', 'failed') and j.finished_at < ${cutoff} limit 10000)`,
    )
    .returning({ jobId: exceptionJobItemsTable.jobId });
  return { kicked: stale.length, dropped: dropped.length };
}
