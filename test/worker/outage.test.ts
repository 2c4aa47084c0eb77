import { describe, expect, it } from 'vitest';
import { findUserByEmail, logApprovedTime, staffPerson } from '../emulators/kantata/demo-actions';
import { kantataActor } from '../support/delivery-demo';
import {
  activate,
  adminCall,
  clearFaults,
  effects,
  fastWorkflows,
  getActivation,
  injectFaults,
  type Json,
  json,
  newTenant,
  psaProjectIdOf,
  runCron,
  syncNow,
  waitFor,
  waitForActivation,
  waitForReadiness,
} from './harness';

const GLOBEX = '006000000000002AAA';

const health = async (t: Awaited<ReturnType<typeof newTenant>>) =>
  json(await adminCall(t, 'GET', '/v1/console/health'));
const erpOf = (h: Json) => h.connections.find((c: Json) => c.role === 'erp');
const openExceptions = async (t: Awaited<ReturnType<typeof newTenant>>) =>
  (await json(await adminCall(t, 'GET', '/v1/exceptions?status=open&limit=200'))).exceptions as Json[];

const cron = runCron;

describe('outage mode: a system that keeps failing is offline, its work waits, and resumes by itself', () => {
  it('NetSuite down while 50 entries post: offline, the entries wait without an exception; back: each posted once', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    await activate(t, GLOBEX);
    const ws = psaProjectIdOf(await waitForActivation(t, GLOBEX));
    const actor = kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken);
    const dev = (await findUserByEmail(actor, 'dev.patel@lumenpartners.example'))!;
    await staffPerson(actor, ws, dev, 'Analyst');

    // NetSuite drops every connection: the whole account is unreachable.
    await injectFaults(t, 'netsuite', [{ kind: 'outage', mode: 'reset' }]);
    await logApprovedTime(
      actor,
      Array.from({ length: 50 }, (_, i) => ({
        workspaceId: ws,
        userId: dev,
        date: `2026-11-${16 + (i % 5)}`,
        minutes: 30 + i,
        notes: `Data platform build ${i + 1}`,
      })),
    );
    await syncNow(t);

    const down = await waitFor(
      () => health(t),
      (h: Json) => erpOf(h).state === 'offline' && h.queues.delivery.waitingForOutage === 50,
      90_000,
    );
    expect(erpOf(down).offlineReason).toMatch(/5 calls in a row failed/);
    expect(down.queues.delivery.queued).toBe(50);
    expect(down.attention[0]).toMatchObject({ kind: 'connection-offline', severity: 'critical' });
    expect(down.attention[0].detail).toContain('50 posting(s) wait');
    // No exception storm: not one exception, no dead letter, nothing posted.
    expect(await openExceptions(t)).toEqual([]);
    expect((await json(await adminCall(t, 'GET', '/v1/dead-letters'))).total).toBe(0);
    expect((await effects(t, 'netsuite'))['timeBill.create'] ?? 0).toBe(0);
    const readiness = await waitForReadiness(t, ws, (r) => r.counts.pending === 50);
    expect(readiness.counts.held).toBe(0);

    // The cron while NetSuite is still down: the re-test fails and says why; everything keeps waiting.
    await cron();
    const still = await health(t);
    expect(erpOf(still).state).toBe('offline');
    expect(erpOf(still).lastCheckedAt).not.toBeNull();
    expect(erpOf(still).lastCheckError).toMatch(/unreachable|network|connection/i);
    expect(still.queues.delivery.waitingForOutage).toBe(50);

    // NetSuite is back: the next cron's re-test reads from it, marks it online and sends the entries once.
    await clearFaults(t, 'netsuite');
    await cron();
    const back = await health(t);
    expect(erpOf(back).state).not.toBe('offline');
    expect(back.queues.delivery.waitingForOutage).toBe(0);
    await waitForReadiness(t, ws, (r) => r.counts.posted === 50, 90_000);
    // A later cron finds nothing left to resume.
    await cron();
    await waitFor(
      () => health(t),
      (h: Json) => h.queues.delivery.queued === 0,
    );
    expect((await effects(t, 'netsuite'))['timeBill.create']).toBe(50);
    expect(await openExceptions(t)).toEqual([]);
  });

  it('an activation step waits while the ERP is offline (no exception), and finishes once the cron finds it back', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    await injectFaults(t, 'netsuite', [{ kind: 'outage', mode: 'reset' }]);
    await activate(t, GLOBEX);
    const waiting = await waitForActivation(
      t,
      GLOBEX,
      (v) => v.status === 'retrying' && /offline/.test(v.message ?? ''),
      60_000,
    );
    const step = waiting.steps.find((s) => s.name === 'upsert-erp-customer')!;
    expect(step.message).toMatch(/^Waiting: the ERP is offline/);
    expect(erpOf(await health(t)).state).toBe('offline');
    expect(await openExceptions(t)).toEqual([]);

    await clearFaults(t, 'netsuite');
    await cron();
    const done = await waitForActivation(t, GLOBEX, undefined, 60_000);
    expect(done.status).toBe('active');
    expect((await effects(t, 'netsuite'))['customer.create']).toBe(1);
    expect((await getActivation(t, GLOBEX)).exception).toBeNull();
    expect(await openExceptions(t)).toEqual([]);
  });
});
