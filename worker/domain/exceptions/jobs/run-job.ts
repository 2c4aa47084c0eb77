import { and, asc, eq, gt, inArray, type SQL, sql } from 'drizzle-orm';
import type { Expense, TimeEntry } from '../../../../shared/model/delivery';
import { addMoney } from '../../../../shared/model/money';
import { atomicBatch } from '../../../db/atomic-batch';
import type { Db } from '../../../db/client';
import {
  deliveryItemsTable,
  exceptionJobItemsTable,
  exceptionJobsTable,
  exceptionsTable,
} from '../../../db/schema';
import type { Env } from '../../../env';
import { log } from '../../../http/logger';
import type { PostingMessage } from '../../../queues/messages';
import { billingContexts, projectsByContracts } from '../../billing/project-context';
import { decideExpense, decideTimeEntry } from '../../billing/rules';
import { redactSecrets } from '../../secret-shapes';

/** Items per page: one atomic batch each, a handful of D1 queries (D1 allows 1,000 per invocation). */
export const PAGE_SIZE = 500;
/** A page that keeps failing stops the job (failed, resumable) after this many attempts. */
export const MAX_PAGE_ATTEMPTS = 8;

type Job = typeof exceptionJobsTable.$inferSelect;
type Outcome = 'succeeded' | 'failed' | 'unchanged';

/** What the page decided for one item before anything is written. */
interface Planned {
  seq: number;
  exc: string;
  want: Outcome;
  msg: string | null;
}

/** A held entry a retry queues again, with the amounts its new decision gives it. */
interface Requeue {
  exc: string;
  item: string;
  billable: number;
  amountMinor: number;
  rateMinor: number | null;
  note: string;
}

const OPEN_SQL = sql.raw(`('open', 'retrying')`);

/**
 * One page of a job: the next `pageSize` items of its frozen selection after the cursor. Everything the page
 * changes is written in one atomic batch, and every statement of it holds only while the job is running
 * with the cursor where this page read it; the last one moves the cursor. So a cancel stops the job at a page
 * boundary, and a page re-run after a crash (before the batch: nothing was written; after it: the cursor has
 * moved) acts on no item twice. Each item's change is a conditional transition on its exception, decided
 * in the same batch that records the item's outcome and its audit row.
 *
 * Answers 'more' (pages remain), 'done' (finished now) or 'stopped' (not running).
 */
export async function runJobPage(
  env: Env,
  db: Db,
  jobId: string,
  pageSize = PAGE_SIZE,
): Promise<'more' | 'done' | 'stopped'> {
  const [job] = await db.select().from(exceptionJobsTable).where(eq(exceptionJobsTable.id, jobId)).limit(1);
  if (job?.state !== 'running') return 'stopped';
  const page = await db
    .select({ seq: exceptionJobItemsTable.seq, exc: exceptionJobItemsTable.exceptionId })
    .from(exceptionJobItemsTable)
    .where(and(eq(exceptionJobItemsTable.jobId, job.id), gt(exceptionJobItemsTable.seq, job.cursor)))
    .orderBy(asc(exceptionJobItemsTable.seq))
    .limit(pageSize);
  const now = new Date().toISOString();
  if (page.length === 0) {
    await db
      .update(exceptionJobsTable)
      .set({ state: 'done', finishedAt: now, updatedAt: now, message: null })
      .where(
        and(
          eq(exceptionJobsTable.id, job.id),
          eq(exceptionJobsTable.state, 'running'),
          eq(exceptionJobsTable.cursor, job.cursor),
        ),
      );
    log('info', 'exception_job.done', {
      correlationId: job.correlationId,
      tenantId: job.tenantId,
      jobId: job.id,
      total: job.total,
    });
    return 'done';
  }
  const lo = job.cursor;
  const hi = page.at(-1)!.seq;
  const rows = await db
    .select()
    .from(exceptionsTable)
    .where(
      and(
        eq(exceptionsTable.tenantId, job.tenantId),
        inArray(
          exceptionsTable.id,
          sql`(select value from json_each(${JSON.stringify(page.map((p) => p.exc))}))`,
        ),
      ),
    );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const plan =
    job.action === 'retry'
      ? await planRetry(db, job, page, byId)
      : { planned: planSimple(page, byId), requeue: [] as Requeue[] };

  // Every statement holds only while the job runs with the cursor this page read.
  const guard = sql`exists (select 1 from exception_jobs where id = ${job.id} and state = 'running' and cursor = ${lo})`;
  const range = { lo, hi };
  const inPage = sql`job_id = ${job.id} and seq > ${lo} and seq <= ${hi}`;
  const succeededIds = succeededIn(job, range);
  await atomicBatch(db, [
    outcomeStatement(job, plan.planned, guard),
    auditStatement(job, succeededIds, guard),
    ...actionStatements(job, plan.requeue, range, guard, now),
    sql`update exception_jobs set
        cursor = ${hi},
        processed = processed + ${page.length},
        succeeded = succeeded + (select count(*) from exception_job_items where ${inPage} and outcome = 'succeeded'),
        failed = failed + (select count(*) from exception_job_items where ${inPage} and outcome = 'failed'),
        attempts = 0, message = null, updated_at = ${now}
      where id = ${job.id} and state = 'running' and cursor = ${lo}`,
  ]);

  // The items are queued in the batch (their rows are the outbox: the cron resends any this send misses).
  const sends: PostingMessage[] = plan.requeue.map((r) => ({
    tenantId: job.tenantId,
    itemId: r.item,
    correlationId: job.correlationId,
  }));
  for (let i = 0; i < sends.length; i += 100)
    await env.POSTING_QUEUE.sendBatch(sends.slice(i, i + 100).map((body) => ({ body })));
  return 'more';
}

/** Skip, assign and tag need nothing but the exception itself. */
function planSimple(page: { seq: number; exc: string }[], byId: Map<string, unknown>): Planned[] {
  return page.map(({ seq, exc }) => {
    if (!byId.has(exc)) return { seq, exc, want: 'unchanged', msg: 'The exception no longer exists.' };
    return { seq, exc, want: 'succeeded', msg: null };
  });
}

type ExceptionRow = typeof exceptionsTable.$inferSelect;

/**
 * A retry checks each held entry again as a single retry does (rules, with the caps counted in date order
 * per contract from what is posted or queued) and queues the ones that now pass. Exceptions that are not a
 * held entry (an activation, an invoice) restart a workflow each: they are retried one by one.
 */
async function planRetry(
  db: Db,
  job: Job,
  page: { seq: number; exc: string }[],
  byId: Map<string, ExceptionRow>,
): Promise<{ planned: Planned[]; requeue: Requeue[] }> {
  const itemOf = (e: ExceptionRow) => {
    const v = (e.detail as Record<string, unknown> | null)?.itemId;
    return (e.source === 'delivery' || e.source === 'posting') && typeof v === 'string' ? v : undefined;
  };
  const itemIds = [...byId.values()].map(itemOf).filter((v): v is string => v !== undefined);
  const items = new Map(
    (itemIds.length
      ? await db
          .select()
          .from(deliveryItemsTable)
          .where(
            and(
              eq(deliveryItemsTable.tenantId, job.tenantId),
              inArray(deliveryItemsTable.id, sql`(select value from json_each(${JSON.stringify(itemIds)}))`),
            ),
          )
      : []
    ).map((i) => [i.id, i]),
  );
  // Every contract of the page in a handful of queries, however many contracts it spans (D1 allows 1,000
  // queries per invocation, and a slice runs many pages).
  const projects = await projectsByContracts(
    db,
    job.tenantId,
    [...items.values()].map((i) => i.contractKey),
  );
  const contexts = await billingContexts(db, job.tenantId, [...projects.values()]);
  const planned = new Map<number, Planned>();
  const candidates: { seq: number; e: ExceptionRow; item: typeof deliveryItemsTable.$inferSelect }[] = [];
  for (const { seq, exc } of page) {
    const e = byId.get(exc);
    const set = (want: Outcome, msg: string | null) => planned.set(seq, { seq, exc, want, msg });
    if (!e) set('unchanged', 'The exception no longer exists.');
    else if (e.status === 'resolved' || e.status === 'skipped') set('unchanged', `Already ${e.status}.`);
    else {
      const itemId = itemOf(e);
      const item = itemId ? items.get(itemId) : undefined;
      if (!itemId)
        set(
          'failed',
          'Not a held entry: retry it on its own (POST /v1/exceptions/{id}/retry); it restarts its workflow.',
        );
      else if (!item) set('failed', `The entry ${itemId} behind this exception is gone.`);
      else if (item.state === 'posted') set('succeeded', 'Already posted.');
      else candidates.push({ seq, e, item });
    }
  }
  // Caps are counted the way the work happened: by entry date within each contract, as intake does.
  const dateOf = (i: (typeof candidates)[number]) => String((i.item.entry as { date?: string }).date ?? '');
  candidates.sort((a, b) =>
    a.item.contractKey !== b.item.contractKey
      ? a.item.contractKey.localeCompare(b.item.contractKey)
      : dateOf(a) === dateOf(b)
        ? a.item.id.localeCompare(b.item.id)
        : dateOf(a) < dateOf(b)
          ? -1
          : 1,
  );
  const requeue: Requeue[] = [];
  for (const { seq, e, item } of candidates) {
    const project = projects.get(item.contractKey);
    const ctx = contexts.get(item.contractKey);
    if (!project || !ctx) {
      planned.set(seq, { seq, exc: e.id, want: 'failed', msg: 'The project is no longer linked.' });
      continue;
    }
    const decision =
      item.kind === 'time'
        ? decideTimeEntry(item.entry as unknown as TimeEntry, project.contract, ctx)
        : decideExpense(item.entry as unknown as Expense, project.contract, ctx);
    if (decision.action === 'hold') {
      planned.set(seq, {
        seq,
        exc: e.id,
        want: 'failed',
        msg: `Still refused: ${decision.reason}. ${decision.fix}`,
      });
      continue;
    }
    if (decision.billable) {
      if (item.kind === 'time') ctx.billedTime = addMoney(ctx.billedTime, decision.amount);
      else if (item.isTravel) ctx.travelUsed = addMoney(ctx.travelUsed, decision.amount);
    }
    planned.set(seq, { seq, exc: e.id, want: 'succeeded', msg: null });
    requeue.push({
      exc: e.id,
      item: item.id,
      billable: decision.billable ? 1 : 0,
      amountMinor: decision.billable ? decision.amount.amountMinor : 0,
      rateMinor: decision.rate?.amountMinor ?? null,
      note: `Retried in bulk job ${job.id} by ${job.createdBy}: ${decision.note}`,
    });
  }
  return { planned: page.map((p) => planned.get(p.seq)!), requeue };
}

/** The exceptions this page's batch decided to change (read inside the batch, after the outcomes are set). */
const succeededIn = (job: Job, r: { lo: number; hi: number }) =>
  sql`(select exception_id from exception_job_items
      where job_id = ${job.id} and seq > ${r.lo} and seq <= ${r.hi} and outcome = 'succeeded')`;

/** Whether the action still has something to do on exception `e` (evaluated inside the batch). */
function actionable(job: Job): SQL {
  const p = job.params as { assignee?: string | null; add?: string[]; remove?: string[] };
  switch (job.action) {
    case 'retry':
    case 'skip':
      return sql`e.status in ${OPEN_SQL}`;
    case 'assign':
      return sql`e.assignee is not ${p.assignee ?? null}`;
    case 'tag':
      return sql`(exists (select 1 from json_each(${JSON.stringify(p.add ?? [])}) a where not exists (
          select 1 from exception_tags t where t.tenant_id = e.tenant_id and t.exception_id = e.id and t.tag = a.value))
        or exists (select 1 from exception_tags t where t.tenant_id = e.tenant_id and t.exception_id = e.id
          and t.tag in (select value from json_each(${JSON.stringify(p.remove ?? [])}))))`;
  }
}

/**
 * Each item's outcome: what the plan wanted, unless the exception changed since it was read (a person acted
 * on it meanwhile), in which case nothing is done to it ('unchanged').
 */
function outcomeStatement(job: Job, planned: Planned[], guard: SQL): SQL {
  // The plan is a CTE looked up per row (materialized once), never joined with UPDATE ... FROM: SQLite would
  // scan the whole job's items for it.
  const stillToDo = sql`exists (select 1 from exceptions e
    where e.tenant_id = ${job.tenantId} and e.id = exception_job_items.exception_id and ${actionable(job)})`;
  return sql`with j as materialized (
      select json_extract(value, '$.seq') as seq, json_extract(value, '$.want') as want,
        json_extract(value, '$.msg') as msg
      from json_each(${JSON.stringify(planned)}))
    update exception_job_items set (outcome, message) = (
      select case when j.want = 'succeeded' and not ${stillToDo} then 'unchanged' else j.want end,
        case when j.want = 'succeeded' and not ${stillToDo} then 'Changed meanwhile: nothing to do.' else j.msg end
      from j where j.seq = exception_job_items.seq)
    where job_id = ${job.id} and seq in (select seq from j) and outcome is null and ${guard}`;
}

const AUDIT_ACTION = {
  retry: 'exception.retried',
  skip: 'exception.skipped',
  assign: 'exception.assigned',
  tag: 'exception.tagged',
} as const;

/** One audit row per item the page changes, with the job id and the principal who started the job. */
function auditStatement(job: Job, succeededIds: SQL, guard: SQL): SQL {
  const p = job.params as { reason?: string; assignee?: string | null; add?: string[]; remove?: string[] };
  const detail =
    job.action === 'assign'
      ? sql`json_object('before', json_object('assignee', e.assignee), 'after', json_object('assignee', ${p.assignee ?? null}))`
      : job.action === 'tag'
        ? sql`json_object('added', json(${JSON.stringify(p.add ?? [])}), 'removed', json(${JSON.stringify(p.remove ?? [])}))`
        : sql`json_object('reason', ${p.reason === undefined ? null : String(redactSecrets({ reason: p.reason }).reason)}, 'before', json_object('status', e.status),
            'after', json_object('status', ${job.action === 'skip' ? 'skipped' : 'resolved'}))`;
  return sql`insert into audit_log (tenant_id, correlation_id, actor, action, subject_type, subject_id, detail)
    select e.tenant_id, ${job.correlationId}, ${job.createdBy}, ${AUDIT_ACTION[job.action]}, 'exception', e.id,
      json_patch(${detail}, json_object('jobId', ${job.id}, 'principal', json(${JSON.stringify(job.principal)})))
    from exceptions e where e.tenant_id = ${job.tenantId} and e.id in ${succeededIds} and ${guard}`;
}

/** The changes themselves, on the items whose outcome is 'succeeded' in this page. */
function actionStatements(
  job: Job,
  requeue: Requeue[],
  range: { lo: number; hi: number },
  guard: SQL,
  now: string,
): SQL[] {
  const succeededIds = succeededIn(job, range);
  const p = job.params as { reason?: string; assignee?: string | null; add?: string[]; remove?: string[] };
  const mine = sql`tenant_id = ${job.tenantId} and id in ${succeededIds} and ${guard}`;
  switch (job.action) {
    case 'retry':
      return [
        sql`with r as materialized (
            select json_extract(value, '$.item') as item, json_extract(value, '$.exc') as exc,
              json_extract(value, '$.billable') as billable, json_extract(value, '$.amountMinor') as amount_minor,
              json_extract(value, '$.rateMinor') as rate_minor, json_extract(value, '$.note') as note
            from json_each(${JSON.stringify(requeue)}))
          update delivery_items set state = 'queued', rule = null, correlation_id = ${job.correlationId},
            updated_at = ${now}, (billable, amount_minor, rate_minor, note) = (
              select r.billable, r.amount_minor, r.rate_minor, r.note from r where r.item = delivery_items.id)
          where tenant_id = ${job.tenantId}
            and id in (select item from r where exc in ${succeededIds}) and ${guard}`,
        sql`update exceptions set status = 'resolved', resolved_by = ${job.createdBy},
            resolution_note = ${`Retried in bulk job ${job.id}`}, job_id = ${job.id}, updated_at = ${now}
          where ${mine}`,
      ];
    case 'skip':
      return [
        sql`update delivery_items set state = 'skipped', note = ${`Skipped by ${job.createdBy}: ${p.reason}`},
            updated_at = ${now}
          where tenant_id = ${job.tenantId} and state <> 'posted' and id in (
            select json_extract(detail, '$.itemId') from exceptions
            where tenant_id = ${job.tenantId} and id in ${succeededIds}) and ${guard}`,
        sql`update exceptions set status = 'skipped', resolved_by = ${job.createdBy},
            resolution_note = ${p.reason ?? ''}, job_id = ${job.id}, updated_at = ${now}
          where ${mine}`,
      ];
    case 'assign':
      return [
        sql`update exceptions set assignee = ${p.assignee ?? null}, job_id = ${job.id}, updated_at = ${now}
          where ${mine}`,
      ];
    case 'tag':
      return [
        sql`insert or ignore into exception_tags (tenant_id, exception_id, tag)
          select i.tenant_id, i.exception_id, a.value
          from exception_job_items i, json_each(${JSON.stringify(p.add ?? [])}) a
          where i.job_id = ${job.id} and i.seq > ${range.lo} and i.seq <= ${range.hi} and i.outcome = 'succeeded' and i.tenant_id = ${job.tenantId} and ${guard}`,
        sql`delete from exception_tags where tenant_id = ${job.tenantId} and exception_id in ${succeededIds}
            and tag in (select value from json_each(${JSON.stringify(p.remove ?? [])})) and ${guard}`,
        sql`update exceptions set job_id = ${job.id}, updated_at = ${now} where ${mine}`,
      ];
  }
}

/** What the runner should do after a slice: run again now, again after a delay, or nothing (done, stopped). */
export type SliceResult = { next: 'again' } | { next: 'later'; delayMs: number } | { next: 'idle' };

/**
 * A slice of a job's work, as one invocation of its runner does it: the job starts running (if queued),
 * then pages follow one another until the job ends, stops, or the slice's budget is spent (time, and D1's
 * queries per invocation). A page that fails is retried with back-off; after MAX_PAGE_ATTEMPTS the job
 * fails with the error, resumable.
 */
export async function runJobSlice(
  env: Env,
  db: Db,
  jobId: string,
  opts: { budgetMs?: number; maxPages?: number; pageSize?: number } = {},
): Promise<SliceResult> {
  const budgetMs = opts.budgetMs ?? 10_000;
  const maxPages = opts.maxPages ?? 40;
  const started = Date.now();
  try {
    await db
      .update(exceptionJobsTable)
      .set({ state: 'running', updatedAt: new Date().toISOString() })
      .where(and(eq(exceptionJobsTable.id, jobId), eq(exceptionJobsTable.state, 'queued')));
    for (let i = 0; i < maxPages; i++) {
      if ((await runJobPage(env, db, jobId, opts.pageSize)) !== 'more') return { next: 'idle' };
      if (Date.now() - started > budgetMs) break;
    }
    return { next: 'again' };
  } catch (e) {
    const error = String(e).slice(0, 500);
    try {
      const [job] = await db
        .update(exceptionJobsTable)
        .set({
          attempts: sql`${exceptionJobsTable.attempts} + 1`,
          message: `Retrying a page: ${error}`,
          updatedAt: new Date().toISOString(),
        })
        .where(and(eq(exceptionJobsTable.id, jobId), eq(exceptionJobsTable.state, 'running')))
        .returning();
      if (!job) return { next: 'idle' };
      log('warn', 'exception_job page failed; will retry', {
        correlationId: job.correlationId,
        tenantId: job.tenantId,
        jobId,
        attempts: job.attempts,
        error,
      });
      if (job.attempts >= MAX_PAGE_ATTEMPTS) {
        const now = new Date().toISOString();
        await db
          .update(exceptionJobsTable)
          .set({
            state: 'failed',
            message: `Stopped after ${job.attempts} attempts: ${error}`,
            finishedAt: now,
          })
          .where(and(eq(exceptionJobsTable.id, jobId), eq(exceptionJobsTable.state, 'running')));
        return { next: 'idle' };
      }
      return { next: 'later', delayMs: Math.min(60_000, 500 * 2 ** job.attempts) };
    } catch {
      // The database itself is out of reach: try again in a while; the cron also kicks stale jobs.
      return { next: 'later', delayMs: 30_000 };
    }
  }
}
