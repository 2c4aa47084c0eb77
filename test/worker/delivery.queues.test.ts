import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../worker/db/client';
import { deliveryItemsTable } from '../../worker/db/schema';
import type { Env } from '../../worker/env';
import worker from '../../worker/index';
import { findUserByEmail, logApprovedTime, staffPerson } from '../emulators/kantata/demo-actions';
import { kantataActor } from '../support/delivery-demo';
import {
  activate,
  adminCall,
  clearFaults,
  effects,
  fastWorkflows,
  injectFaults,
  json,
  newTenant,
  psaProjectIdOf,
  syncNow,
  waitForActivation,
  waitForReadiness,
} from './harness';

const GLOBEX = '006000000000002AAA';

async function globexWithAnalyst() {
  const t = await newTenant();
  await activate(t, GLOBEX);
  const view = await waitForActivation(t, GLOBEX);
  expect(view.status).toBe('active');
  const ws = psaProjectIdOf(view);
  const actor = kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken);
  const dev = (await findUserByEmail(actor, 'dev.patel@lumenpartners.example'))!;
  await staffPerson(actor, ws, dev, 'Analyst');
  return { t, ws, actor, dev };
}

describe('posting through Cloudflare Queues: at-least-once delivery, exactly-once effects', () => {
  it('a message delivered twice (and once more after it succeeded) has one effect in the ERP', async () => {
    await using _wf = await fastWorkflows();
    const { t, ws, actor, dev } = await globexWithAnalyst();
    // Hold posting back (ERP down) so the item waits in "queued" and we can deliver its message ourselves.
    await injectFaults(t, 'netsuite', [{ kind: 'outage', path: 'timeBill', mode: '503' }]);
    const [entryId] = await logApprovedTime(actor, [
      { workspaceId: ws, userId: dev, date: '2026-11-17', minutes: 90 },
    ]);
    await syncNow(t);
    await waitForReadiness(t, ws, (r) => r.counts.pending === 1);
    await clearFaults(t, 'netsuite');

    const body = { tenantId: t.tenantId, itemId: `time:${entryId}`, correlationId: 'dup-test' };
    const batch = createMessageBatch('handoff-posting', [
      { id: 'm1', timestamp: new Date(), attempts: 1, body },
      { id: 'm2', timestamp: new Date(), attempts: 1, body },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env as unknown as Env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(['m1', 'm2']);
    const redelivered = createMessageBatch('handoff-posting', [
      { id: 'm3', timestamp: new Date(), attempts: 2, body },
    ]);
    const ctx2 = createExecutionContext();
    await worker.queue(redelivered, env as unknown as Env);
    expect((await getQueueResult(redelivered, ctx2)).explicitAcks).toEqual(['m3']);

    await waitForReadiness(t, ws, (r) => r.counts.posted === 1);
    expect((await effects(t, 'netsuite'))['timeBill.create']).toBe(1);
  });

  it('a poison message ends in the dead-letter queue and the exception queue with its correlation id; retrying after the fix posts it once', async () => {
    await using _wf = await fastWorkflows();
    const { t, ws, actor, dev } = await globexWithAnalyst();
    await injectFaults(t, 'netsuite', [{ kind: 'error', status: 500, path: 'timeBill' }]);
    await logApprovedTime(actor, [{ workspaceId: ws, userId: dev, date: '2026-11-18', minutes: 60 }]);
    const sync = await adminCall(t, 'POST', '/v1/admin/sync', undefined);
    const correlationId = sync.headers.get('x-correlation-id');
    const r = await waitForReadiness(
      t,
      ws,
      (x) => x.exceptions.some((e) => e.rule === 'POSTING_RETRIES_EXHAUSTED'),
      90_000,
    );
    const ex = r.exceptions.find((e) => e.rule === 'POSTING_RETRIES_EXHAUSTED')!;
    expect(r.counts.held).toBe(1);
    const listed = await json(await adminCall(t, 'GET', '/v1/exceptions?status=open'));
    expect(listed.exceptions.find((e: { id: string }) => e.id === ex.id).correlationId).toBe(correlationId);
    expect((await effects(t, 'netsuite'))['timeBill.create'] ?? 0).toBe(0);

    await clearFaults(t, 'netsuite');
    const retried = await adminCall(t, 'POST', `/v1/exceptions/${ex.id}/retry`, {
      actor: 'finance@lumenpartners.example',
    });
    expect(retried.status).toBe(200);
    await waitForReadiness(t, ws, (x) => x.counts.posted === 1 && x.exceptions.length === 0);
    expect((await effects(t, 'netsuite'))['timeBill.create']).toBe(1);
    const db = getDb(env as unknown as Env);
    // This tenant's rows only (the database is shared with the suite's 10,000-entry runs).
    const rows = await db
      .select({ state: deliveryItemsTable.state })
      .from(deliveryItemsTable)
      .where(eq(deliveryItemsTable.tenantId, t.tenantId));
    expect(rows.filter((row) => row.state === 'posted')).toHaveLength(1);
  });

  it('skipping an exception needs a reason and means the entry is never posted', async () => {
    await using _wf = await fastWorkflows();
    const { t, ws, actor, dev } = await globexWithAnalyst();
    await logApprovedTime(actor, [
      { workspaceId: ws, userId: dev, date: '2026-10-01', minutes: 60, notes: 'before the contract started' },
    ]);
    await syncNow(t);
    const r = await waitForReadiness(t, ws, (x) => x.counts.held === 1);
    const ex = r.exceptions[0]!;
    expect(ex.rule).toBe('outside-contract-term');
    const noReason = await adminCall(t, 'POST', `/v1/exceptions/${ex.id}/skip`, {
      actor: 'emma.schulz@lumenpartners.example',
      reason: '',
    });
    expect(noReason.status).toBe(400);
    const stillRefused = await adminCall(t, 'POST', `/v1/exceptions/${ex.id}/retry`, {
      actor: 'emma.schulz@lumenpartners.example',
    });
    expect(stillRefused.status).toBe(422);
    expect((await json(stillRefused)).error.details[0].field).toBe('outside-contract-term');
    const skipped = await adminCall(t, 'POST', `/v1/exceptions/${ex.id}/skip`, {
      actor: 'emma.schulz@lumenpartners.example',
      reason: 'Logged on the wrong project',
    });
    expect(skipped.status).toBe(200);
    const after = await waitForReadiness(t, ws, (x) => x.exceptions.length === 0);
    expect(after.counts.held).toBe(0);
    expect((await effects(t, 'netsuite'))['timeBill.create'] ?? 0).toBe(0);
  });
});
