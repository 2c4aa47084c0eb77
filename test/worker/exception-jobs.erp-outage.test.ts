import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../worker/db/client';
import { resendStaleQueued } from '../../worker/domain/billing/enqueue-polls';
import { startExceptionJob } from '../../worker/domain/exceptions/jobs/jobs';
import { runJobPage, runJobSlice } from '../../worker/domain/exceptions/jobs/run-job';
import type { Env } from '../../worker/env';
import worker from '../../worker/index';
import { itemStates, projectWithQueuedItems } from '../reliability/worker/delivery-fixture';
import {
  adminCall,
  clearFaults,
  effects,
  fastWorkflows,
  injectFaults,
  type Json,
  json,
  testEnv,
  waitFor,
} from './harness';
import { actionsPerException, db } from './workbench-fixture';

const MAX_RETRIES = 8; // wrangler.toml, handoff-posting
const realEnv = env as unknown as Env;

/** A runner whose queue send fails: the page's batch has committed, its posting messages are lost. */
const envWithoutQueue = (): Env => ({
  ...realEnv,
  POSTING_QUEUE: {
    send: () => Promise.reject(new Error('injected: died before the send')),
    sendBatch: () => Promise.reject(new Error('injected: died before the send')),
  } as unknown as Env['POSTING_QUEUE'],
});

describe('an ERP outage, then one bulk retry', () => {
  it('300 postings that failed while NetSuite was down are retried in one job after it recovers: each posts exactly once', async () => {
    await using _wf = await fastWorkflows();
    const n = 300;
    const { t, ids } = await projectWithQueuedItems(n, 'outage');
    // Five of them were logged under a role the contract has no rate for: a retry still refuses those.
    const astronauts = ids.slice(0, 5);
    await db().run(sql`update delivery_items set entry = json_set(entry, '$.role', 'Astronaut')
      where tenant_id = ${t.tenantId} and id in (select value from json_each(${JSON.stringify(astronauts)}))`);
    // NetSuite is down: every time bill answers 503. Each message is on its last attempt, so the consumer's
    // retry sends it to the dead-letter queue, whose consumer holds the entry with an exception.
    await injectFaults(t, 'netsuite', [{ kind: 'error', status: 503, path: 'timeBill', probability: 1 }]);
    for (let i = 0; i < n; i += 100) {
      const messages = ids.slice(i, i + 100).map((itemId, j) => ({
        id: `m-${i + j}`,
        timestamp: new Date(),
        attempts: MAX_RETRIES,
        body: { tenantId: t.tenantId, itemId, correlationId: 'outage' },
      }));
      const batch = createMessageBatch('handoff-posting', messages);
      await worker.queue(batch, realEnv);
      const result = await getQueueResult(batch, createExecutionContext());
      expect(result.retryMessages.length, 'every posting failed during the outage').toBe(messages.length);
      const dead = createMessageBatch('handoff-posting-dlq', messages);
      await worker.queue(dead, realEnv);
      expect((await getQueueResult(dead, createExecutionContext())).explicitAcks.length).toBe(
        messages.length,
      );
    }
    const held = await json(
      await adminCall(t, 'GET', '/v1/exceptions?code=POSTING_RETRIES_EXHAUSTED&status=open&limit=1'),
    );
    expect(held.total).toBe(n);
    expect(held.exceptions[0].system).toBe('netsuite');
    expect(held.exceptions.map((e: Json) => e.title)).toEqual(['Dev Patel, 1 h on 2026-11-17 as Analyst']);
    expect((await effects(t, 'netsuite'))['timeBill.create']).toBe(1);

    // NetSuite is back. Finance retries everything the outage left, by filter, in one job.
    await clearFaults(t, 'netsuite');
    const job = await startExceptionJob(
      db(),
      t.tenantId,
      {
        action: 'retry',
        selection: { filter: { code: ['POSTING_RETRIES_EXHAUSTED'], system: ['netsuite'] } },
        selectionAsSent: { filter: { code: 'POSTING_RETRIES_EXHAUSTED', system: 'netsuite' } },
      },
      {
        who: { actor: 'key:finance', principal: { type: 'api-key', keyId: 'finance', scope: 'admin' } },
        correlationId: 'bulk-retry-after-outage',
      },
    );
    expect(job.total).toBe(n);
    // Page 1 (of 100) runs; page 2 dies before its batch, then after its batch but before its sends.
    expect(await runJobSlice(realEnv, db(), job.id, { maxPages: 1, pageSize: 100 })).toEqual({
      next: 'again',
    });
    if (testEnv.DB_DRIVER === 'd1') {
      const DB = new Proxy(realEnv.DB, {
        get(target, p) {
          if (p === 'batch') return () => Promise.reject(new Error('injected: died at the commit'));
          const v = Reflect.get(target, p);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
      const dying = { ...realEnv, DB };
      await expect(runJobPage(dying, getDb(dying), job.id, 100)).rejects.toThrow(/injected/);
    }
    const lost = envWithoutQueue();
    await expect(runJobPage(lost, getDb(lost), job.id, 100)).rejects.toThrow(/before the send/);
    let view = await json(await adminCall(t, 'GET', `/v1/exception-jobs/${job.id}`));
    expect(view).toMatchObject({ processed: 200, succeeded: 195, failed: 5, state: 'running' });
    expect(view.failures.map((f: Json) => f.message)).toEqual(
      Array(5).fill(
        "Still refused: The rate card has no Astronaut rate on 2026-11-17. Correct Dev Patel's role on the entry, or add Astronaut to the rate card with a change order.",
      ),
    );
    // Cancelled and resumed: it goes on from item 201 under its own runner.
    expect((await adminCall(t, 'POST', `/v1/exception-jobs/${job.id}/cancel`)).status).toBe(200);
    expect((await adminCall(t, 'POST', `/v1/exception-jobs/${job.id}/resume`)).status).toBe(200);
    view = await waitFor(
      async () => json(await adminCall(t, 'GET', `/v1/exception-jobs/${job.id}`)),
      (j: Json) => j.state === 'done',
      30_000,
    );
    expect(view).toMatchObject({ total: n, processed: n, succeeded: n - 5, failed: 5 });
    // The cron finds the entries whose messages were lost (queued, not posted) and sends them again.
    await resendStaleQueued(db(), realEnv.POSTING_QUEUE, 0);

    const fixed = ids.slice(5);
    const states = await waitFor(
      () => itemStates(t.tenantId, fixed),
      (s) => s.every((i) => i.state === 'posted'),
      45_000,
    );
    // Exactly once in NetSuite: one time bill per entry (plus the one posted during setup), no duplicates.
    expect((await effects(t, 'netsuite'))['timeBill.create']).toBe(n - 5 + 1);
    expect(new Set(states.map((s) => s.erpId)).size).toBe(n - 5);
    expect((await itemStates(t.tenantId, astronauts)).map((s) => s.state)).toEqual(Array(5).fill('held'));
    const retried = await actionsPerException(t.tenantId, 'exception.retried');
    expect(retried.size).toBe(n - 5);
    expect([...retried.values()].every((c) => c === 1)).toBe(true);
    // What the job could not do is still open, each with its own reason, for a person to fix.
    const open = await json(await adminCall(t, 'GET', '/v1/exceptions?status=open&limit=10'));
    expect(open.total).toBe(5);
  });
});
