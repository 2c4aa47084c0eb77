import { describe, expect, it } from 'vitest';
import {
  activate,
  clearFaults,
  cronRetests,
  effects,
  fastWorkflows,
  getActivation,
  injectFaults,
  json,
  newTenant,
  waitForActivation,
} from './harness';

const NORTHWIND = '006000000000001AAA';

describe('activation: nothing lost, nothing doubled', () => {
  it('50 concurrent clicks (same and different idempotency keys) give one activation and one of each record', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    const shared = crypto.randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        activate(t, NORTHWIND, i % 2 === 0 ? shared : crypto.randomUUID()),
      ),
    );
    const statuses = responses.map((r) => r.status);
    // Every click either started it (one 202, replayed to clicks with the same key), saw it (200), or was
    // told its key is still in flight (409).
    const fresh202 = responses.filter(
      (r) => r.status === 202 && r.headers.get('idempotent-replayed') !== 'true',
    );
    expect(fresh202).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 202 || s === 409)).toBe(true);
    const ids = new Set(
      await Promise.all(responses.filter((r) => r.status !== 409).map(async (r) => (await json(r)).id)),
    );
    expect(ids.size).toBe(1);

    const view = await waitForActivation(t, NORTHWIND);
    expect(view.status).toBe('active');
    // Clicking again afterwards returns the same activation.
    const again = await activate(t, NORTHWIND);
    expect(again.status).toBe(200);
    expect((await json(again)).id).toBe(view.id);

    const ns = await effects(t, 'netsuite');
    expect([ns['customer.create'], ns['job.create'], ns['billingSchedule.create']]).toEqual([1, 1, 1]);
    expect(ns['customer.update'] ?? 0).toBe(0);
    expect((await effects(t, 'kantata'))['workspace.create']).toBe(1);
  });

  it('an ERP outage in the middle waits visibly, resumes by itself, and ends with each effect exactly once', async () => {
    await using _wf = await fastWorkflows();
    // Long enough, the outage marks the ERP offline: the cron's re-test then resumes the step.
    await using _cron = cronRetests();
    const t = await newTenant();
    // The ERP goes down right after the customer was created: the project and schedule calls fail.
    await injectFaults(t, 'netsuite', [
      { kind: 'outage', path: '/record/v1/(job|billingSchedule)', mode: 'reset' },
    ]);
    await activate(t, NORTHWIND);
    const waiting = await waitForActivation(t, NORTHWIND, (v) => v.status === 'retrying');
    const step = waiting.steps.find((s) => s.name === 'upsert-erp-project');
    expect(['retrying', 'running']).toContain(step?.status);
    expect(step?.message).toMatch(/unreachable|unavailable/i);
    expect(waiting.steps.find((s) => s.name === 'upsert-erp-customer')?.status).toBe('done');
    expect(waiting.message).toMatch(/upsert-erp-project/);

    await clearFaults(t, 'netsuite');
    const done = await waitForActivation(t, NORTHWIND);
    expect(done.status).toBe('active');
    expect(done.steps.find((s) => s.name === 'upsert-erp-project')?.attempts).toBeGreaterThan(1);
    const ns = await effects(t, 'netsuite');
    expect([ns['customer.create'], ns['job.create'], ns['billingSchedule.create']]).toEqual([1, 1, 1]);
    expect((await effects(t, 'kantata'))['workspace.create']).toBe(1);
  });

  it('responses dropped after commit, on every write, cause no duplicates', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    await injectFaults(t, 'netsuite', [{ kind: 'drop_after_commit', method: 'PUT', times: 3 }]);
    await injectFaults(t, 'kantata', [{ kind: 'drop_after_commit', method: 'POST', times: 4 }]);
    await injectFaults(t, 'salesforce', [{ kind: 'drop_after_commit', method: 'PATCH', times: 1 }]);
    await activate(t, NORTHWIND);
    const view = await waitForActivation(t, NORTHWIND);
    expect(view.status, JSON.stringify(view.steps, null, 1)).toBe('active');
    const ns = await effects(t, 'netsuite');
    expect([ns['customer.create'], ns['job.create'], ns['billingSchedule.create']]).toEqual([1, 1, 1]);
    const kt = await effects(t, 'kantata');
    expect(kt['workspace.create']).toBe(1);
    expect(kt['external_reference.create'] ?? 0).toBeGreaterThan(0);
  });

  it('a permanent ERP error becomes an exception with an owner and a fix; fixing it and clicking again finishes without duplicates', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    await injectFaults(t, 'netsuite', [{ kind: 'error', status: 400, path: '/record/v1/job' }]);
    await activate(t, NORTHWIND);
    const failed = await waitForActivation(t, NORTHWIND);
    expect(failed.status).toBe('failed');
    expect(failed.exception?.owner).toBe('finance-ops');
    expect(failed.exception?.reason).toMatch(/upsert-erp-project/);
    expect(failed.exception?.suggestedFix.length).toBeGreaterThan(10);
    expect(failed.steps.find((s) => s.name === 'upsert-erp-customer')?.status).toBe('done');

    await clearFaults(t, 'netsuite');
    const retry = await activate(t, NORTHWIND);
    expect(retry.status).toBe(202);
    const done = await waitForActivation(
      t,
      NORTHWIND,
      (v) => v.status === 'active' || (v.status === 'failed' && v.attempt > 1),
    );
    expect(done.status).toBe('active');
    expect(done.attempt).toBe(2);
    expect(done.exception).toBeNull();
    const ns = await effects(t, 'netsuite');
    expect([ns['customer.create'], ns['job.create'], ns['billingSchedule.create']]).toEqual([1, 1, 1]);
    expect((await effects(t, 'kantata'))['workspace.create']).toBe(1);
    expect((await getActivation(t, NORTHWIND)).id).toBe(failed.id);
  });
});
