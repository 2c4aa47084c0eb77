import { env } from 'cloudflare:workers';
import { and, asc, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '../../worker/db/client';
import { auditLogTable, exceptionJobItemsTable } from '../../worker/db/schema';
import type { AuditedPrincipal } from '../../worker/domain/audit';
import { startExceptionJob } from '../../worker/domain/exceptions/jobs/jobs';
import { runJobPage, runJobSlice } from '../../worker/domain/exceptions/jobs/run-job';
import type { Env } from '../../worker/env';
import type { ConnectedTenant } from '../support/connect-tenant';
import { adminCall, type Json, json, newTenant, testEnv, waitFor } from './harness';
import { actionsPerException, ago, db, exceptionRows, seedExceptions } from './workbench-fixture';

let a: ConnectedTenant;
let b: ConnectedTenant;

const realEnv = env as unknown as Env;
const by = (t: ConnectedTenant): { who: AuditedPrincipal; correlationId: string } => ({
  who: {
    actor: 'person:mem_test',
    principal: { type: 'console-session', personId: 'mem_test', tenant: t.tenantId },
  },
  correlationId: `corr-${crypto.randomUUID()}`,
});

/**
 * The environment of a runner whose isolate dies: D1 answers `okCalls` statements (or batches), then the
 * next one fails, before it reaches the database (`when: 'before'`) or after it committed (`'after'`).
 */
function dyingEnv(okCalls: number, when: 'before' | 'after' = 'before'): Env {
  const real = realEnv.DB;
  let calls = 0;
  const DB = new Proxy(real, {
    get(target, p) {
      const v = Reflect.get(target, p);
      if (typeof v !== 'function') return v;
      if (p === 'prepare' || p === 'batch' || p === 'exec')
        return (...args: unknown[]) => {
          calls += 1;
          if (calls > okCalls && when === 'before') throw new Error('injected: the isolate died');
          const out = (v as (...a: unknown[]) => unknown).apply(target, args);
          if (calls > okCalls && p === 'batch')
            return (out as Promise<unknown>).then(() => {
              throw new Error('injected: the isolate died after the commit');
            });
          return out;
        };
      return v.bind(target);
    },
  });
  return { ...realEnv, DB };
}

const getJob = async (t: ConnectedTenant, id: string) =>
  json(await adminCall(t, 'GET', `/v1/exception-jobs/${id}`));
const waitForJob = (t: ConnectedTenant, id: string, states = ['done', 'failed']) =>
  waitFor(
    () => getJob(t, id),
    (j: Json) => states.includes(j.state),
    30_000,
  );

beforeAll(async () => {
  [a, b] = await Promise.all([newTenant(), newTenant()]);
}, 60_000);

describe('bulk exception jobs', () => {
  it('by ids and by filter: audited once with the count, each item recorded against the job, never the other firm', async () => {
    const rows = (p: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: `exc_${p}${String(i).padStart(3, '0')}`,
        createdAt: ago(100 - i),
      }));
    await seedExceptions(a.tenantId, rows('jbA', 30));
    await seedExceptions(b.tenantId, rows('jbB', 30));
    const tag = await adminCall(a, 'POST', '/v1/exception-jobs', {
      action: 'tag',
      tags: { add: ['q4-close'] },
      selection: { ids: ['exc_jbA000', 'exc_jbA001', 'exc_jbA001'] },
    });
    expect(tag.status, await tag.clone().text()).toBe(202);
    const tagJob = (await json(tag)).job;
    expect(tagJob).toMatchObject({ action: 'tag', total: 2, state: 'queued' });
    // One after the other, so each exception's history has them in that order.
    const doneTag = await waitForJob(a, tagJob.id);
    expect(doneTag).toMatchObject({ state: 'done', processed: 2, succeeded: 2, failed: 0, unchanged: 0 });
    const assign = await adminCall(a, 'POST', '/v1/exception-jobs', {
      action: 'assign',
      assignee: 'dev.patel@lumenpartners.example',
      selection: { filter: { code: 'POSTING_RETRIES_EXHAUSTED', owner: ['finance-ops'] } },
    });
    expect(assign.status, await assign.clone().text()).toBe(202);
    const assignJob = (await json(assign)).job;
    expect(assignJob.total).toBe(30);

    const doneAssign = await waitForJob(a, assignJob.id);
    expect(doneAssign).toMatchObject({ state: 'done', processed: 30, succeeded: 30 });
    expect((await json(await adminCall(a, 'GET', '/v1/exceptions?tag=q4-close'))).total).toBe(2);
    const mine = await json(
      await adminCall(a, 'GET', '/v1/exceptions?assignee=dev.patel@lumenpartners.example'),
    );
    expect(mine.total).toBe(30);
    // B's exceptions, alike in every field the filter names, untouched.
    expect((await exceptionRows(b.tenantId)).every((e) => e.assignee === null)).toBe(true);
    const jobs = await json(await adminCall(a, 'GET', '/v1/exception-jobs'));
    expect(jobs.jobs.map((j: Json) => j.id)).toEqual([assignJob.id, tagJob.id]);
    expect((await json(await adminCall(b, 'GET', '/v1/exception-jobs'))).jobs).toEqual([]);
    expect((await adminCall(b, 'GET', `/v1/exception-jobs/${assignJob.id}`)).status).toBe(404);

    // Audited once per job (who, the selection, the count); each item's action once, with the job id.
    const started = await db()
      .select()
      .from(auditLogTable)
      .where(and(eq(auditLogTable.tenantId, a.tenantId), eq(auditLogTable.action, 'exception_job.started')))
      // In the order they were written: without it SQLite may answer in index order.
      .orderBy(asc(auditLogTable.id));
    expect(started.map((s) => [s.subjectId, s.detail?.total])).toEqual([
      [tagJob.id, 2],
      [assignJob.id, 30],
    ]);
    expect(started[1]!.actor).toMatch(/^key:/);
    expect(started[1]!.detail?.selection).toEqual({
      filter: { code: 'POSTING_RETRIES_EXHAUSTED', owner: ['finance-ops'] },
    });
    const perItem = await actionsPerException(a.tenantId, 'exception.assigned');
    expect(perItem.size).toBe(30);
    expect([...perItem.values()].every((n) => n === 1)).toBe(true);
    const detail = await json(await adminCall(a, 'GET', '/v1/exceptions/exc_jbA001'));
    expect(detail.history.map((h: Json) => [h.action, h.detail.jobId])).toEqual([
      ['exception.tagged', tagJob.id],
      ['exception.assigned', assignJob.id],
    ]);
    expect(detail.history[1].detail.principal).toMatchObject({ type: 'api-key', scope: 'admin' });
  });

  it('refuses bad jobs with the field and fix', async () => {
    const cases: [unknown, number, string][] = [
      [{ action: 'skip', selection: { ids: ['exc_jbA000'] } }, 400, 'reason'],
      [{ action: 'retry', selection: { ids: ['exc_jbA000'], filter: {} } }, 400, 'selection'],
      [{ action: 'retry', selection: {} }, 400, 'selection'],
      [{ action: 'retry', selection: { filter: { status: 'closed' } } }, 400, 'selection.filter.status'],
      [{ action: 'retry', selection: { filter: { overdue: 'yes' } } }, 400, 'selection.filter.overdue'],
      [{ action: 'assign', selection: { ids: ['exc_jbA000'] } }, 400, 'assignee'],
      [{ action: 'tag', tags: {}, selection: { ids: ['exc_jbA000'] } }, 400, 'tags'],
      [{ action: 'retry', selection: { ids: ['exc_jbB000', 'exc_nope'] } }, 422, 'selection.ids'],
      [{ action: 'explode', selection: { ids: ['exc_jbA000'] } }, 400, 'action'],
    ];
    for (const [body, status, field] of cases) {
      const res = await adminCall(a, 'POST', '/v1/exception-jobs', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      const { error } = await json(res);
      const detail = error.details?.find((d: Json) => d.field === field);
      expect(detail, `${JSON.stringify(body)} → ${JSON.stringify(error)}`).toBeDefined();
      expect(detail.fix).toBeTruthy();
    }
    // The other firm's exception is as unknown as one that never existed.
    const foreign = await json(
      await adminCall(a, 'POST', '/v1/exception-jobs', {
        action: 'retry',
        selection: { ids: ['exc_jbB000'] },
      }),
    );
    expect(foreign.error.details[0].message).toBe('unknown: exc_jbB000');
  });

  it(`3,000 items: a crash before and after a page's commit, a person acting meanwhile, cancel and resume: each item acted on once`, async () => {
    const n = 3000;
    const rows = Array.from({ length: n }, (_, i) => ({
      id: `exc_big${String(i).padStart(5, '0')}`,
      createdAt: ago(500, i),
      code: 'over-not-to-exceed',
      owner: 'finance-ops',
    }));
    await seedExceptions(a.tenantId, rows);
    await seedExceptions(
      b.tenantId,
      rows.slice(0, 300).map((r) => ({ ...r, id: r.id.replace('big', 'bigB') })),
    );
    const t0 = Date.now();
    const job = await startExceptionJob(
      db(),
      a.tenantId,
      {
        action: 'skip',
        reason: 'Billed by hand on the Q4 true-up invoice',
        selection: { filter: { code: ['over-not-to-exceed'] } },
        selectionAsSent: { filter: { code: 'over-not-to-exceed' } },
      },
      by(a),
    );
    expect(job).toMatchObject({ total: n, state: 'queued' });
    // Exceptions arriving after the start are not swept in.
    await seedExceptions(a.tenantId, [{ id: 'exc_bigLate', createdAt: ago(0), code: 'over-not-to-exceed' }]);

    expect(await runJobSlice(realEnv, db(), job.id, { maxPages: 1 })).toEqual({ next: 'again' });
    expect((await getJob(a, job.id)).processed).toBe(500);
    // Injected deaths need the D1 binding (libsql is reached over HTTP): there, the page simply runs.
    if (testEnv.DB_DRIVER === 'd1') {
      // The runner dies at each point of the next page before its batch commits: nothing of it is written.
      for (let ok = 0; ok < 4; ok++) {
        const dying = dyingEnv(ok);
        await expect(runJobPage(dying, getDb(dying), job.id)).rejects.toThrow(/injected/);
        expect((await getJob(a, job.id)).processed, `died after ${ok} calls`).toBe(500);
      }
      // It dies right after the page's batch committed: the page is done, and is not done again.
      const dying = dyingEnv(3, 'after');
      await expect(runJobPage(dying, getDb(dying), job.id)).rejects.toThrow(/after the commit/);
    } else expect(await runJobPage(realEnv, db(), job.id)).toBe('more');
    expect((await getJob(a, job.id)).processed).toBe(1000);
    // A person skips one of the next page on their own meanwhile.
    const single = await adminCall(a, 'POST', '/v1/exceptions/exc_big01200/skip', { reason: 'Done by hand' });
    expect(single.status).toBe(200);

    const cancelled = await adminCall(a, 'POST', `/v1/exception-jobs/${job.id}/cancel`);
    expect((await json(cancelled)).job.state).toBe('cancelled');
    expect(await runJobPage(realEnv, db(), job.id)).toBe('stopped');
    expect((await getJob(a, job.id)).processed).toBe(1000);
    expect((await adminCall(a, 'POST', `/v1/exception-jobs/${job.id}/cancel`)).status).toBe(409);

    const resumed = await adminCall(a, 'POST', `/v1/exception-jobs/${job.id}/resume`);
    expect((await json(resumed)).job.state).toBe('queued');
    const done = await waitForJob(a, job.id);
    expect(done).toMatchObject({
      state: 'done',
      total: n,
      processed: n,
      succeeded: n - 1,
      failed: 0,
      unchanged: 1,
    });
    expect((await adminCall(a, 'POST', `/v1/exception-jobs/${job.id}/resume`)).status).toBe(409);

    // Each of the 3,000 skipped exactly once (one by the person), the late one still open, B untouched.
    const skips = await actionsPerException(a.tenantId, 'exception.skipped');
    expect(rows.filter((r) => skips.get(r.id) !== 1).map((r) => r.id)).toEqual([]);
    const after = new Map((await exceptionRows(a.tenantId)).map((e) => [e.id, e]));
    expect(rows.every((r) => after.get(r.id)?.status === 'skipped')).toBe(true);
    expect(after.get('exc_bigLate')?.status).toBe('open');
    expect(after.get('exc_big01200')?.jobId).toBeNull();
    expect((await exceptionRows(b.tenantId)).filter((e) => e.status !== 'open')).toEqual([]);
    const outcomes = await db()
      .select({ outcome: exceptionJobItemsTable.outcome, message: exceptionJobItemsTable.message })
      .from(exceptionJobItemsTable)
      .where(
        and(eq(exceptionJobItemsTable.jobId, job.id), eq(exceptionJobItemsTable.exceptionId, 'exc_big01200')),
      );
    expect(outcomes).toEqual([{ outcome: 'unchanged', message: 'Changed meanwhile: nothing to do.' }]);
    console.log(`3,000-item job: ${Date.now() - t0} ms (driver ${testEnv.DB_DRIVER})`);
  });
});
