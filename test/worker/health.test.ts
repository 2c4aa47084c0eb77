import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../worker/db/client';
import { exceptionsTable } from '../../worker/db/schema';
import type { Env } from '../../worker/env';
import {
  activate,
  adminCall,
  clearFaults,
  fastWorkflows,
  injectFaults,
  type Json,
  json,
  newTenant,
  syncNow,
  waitFor,
  waitForActivation,
} from './harness';

const GLOBEX = '006000000000002AAA';

const health = async (t: Awaited<ReturnType<typeof newTenant>>) =>
  json(await adminCall(t, 'GET', '/v1/console/health'));
const conn = (h: Json, role: string) => h.connections.find((c: Json) => c.role === role);

describe('console health: connections, the ERP governor, backlogs and what needs a person', () => {
  it('counts the calls of an activation per connection, and shows a firm with nothing to do as quiet', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    const before = await health(t);
    expect(before.connections.map((c: Json) => [c.role, c.state])).toEqual([
      ['crm', 'online'],
      ['psa', 'online'],
      ['erp', 'online'],
      ['clm', 'online'],
      ['teams', 'not_configured'],
    ]);
    expect(before.attention).toEqual([]);

    await activate(t, GLOBEX);
    expect((await waitForActivation(t, GLOBEX)).status).toBe('active');
    const h = await health(t);
    for (const role of ['crm', 'psa', 'erp']) {
      const c = conn(h, role);
      expect(c.callsLastHour, role).toBeGreaterThan(0);
      expect(c.failuresLastHour, role).toBe(0);
      expect(c.errorRate, role).toBe(0);
      expect(Date.parse(c.lastSuccessAt), role).toBeGreaterThan(Date.now() - 60_000);
    }
    expect(conn(h, 'erp').system).toBe('netsuite');
    expect(h.erpGovernor).toMatchObject({ system: 'netsuite', limit: 5, inFlight: 0, pausedUntil: null });
    expect(h.erpGovernor.maxInFlight).toBeGreaterThan(0);
    expect(h.queues.activations).toEqual({ waiting: 0, retrying: 0 });
    expect(h.exceptions).toMatchObject({ open: 0, overdue: 0 });
    expect(h.attention).toEqual([]);
  });

  it('shows failures with their reason and error rate, a 429 pause of the governor, and overdue exceptions as attention', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    await activate(t, GLOBEX);
    expect((await waitForActivation(t, GLOBEX)).status).toBe('active');

    // NetSuite refuses the next two invoice reads with a 500: failures, with their reason and error rate.
    await injectFaults(t, 'netsuite', [{ kind: 'error', status: 500, path: 'suiteql', times: 2 }]);
    await syncNow(t);
    const failing = await waitFor(
      () => health(t),
      (x: Json) => conn(x, 'erp').failuresLastHour >= 2,
    );
    const erp = conn(failing, 'erp');
    expect(erp.lastFailureReason).toMatch(/500/);
    expect(erp.errorRate).toBeGreaterThan(0);
    expect(erp.errorRate).toBe(Math.round((erp.failuresLastHour / erp.callsLastHour) * 1000) / 1000);
    // A 500 to a call is an answer of a system that is there: degraded at worst, never offline.
    expect(['degraded', 'online']).toContain(erp.state);
    expect(failing.attention.some((a: Json) => a.kind === 'connection-offline')).toBe(false);

    // Then a 429 with Retry-After: the account's governor pauses every call to it until then.
    await injectFaults(t, 'netsuite', [
      { kind: 'rate_limit', path: 'suiteql', retryAfterSeconds: 10, times: 1 },
    ]);
    await syncNow(t);
    const paused = await waitFor(
      () => health(t),
      (x: Json) => x.erpGovernor?.pausedUntil !== null,
    );
    expect(Date.parse(paused.erpGovernor.pausedUntil)).toBeGreaterThan(Date.now());
    expect(paused.erpGovernor.throttled).toBeGreaterThanOrEqual(1);
    expect(conn(paused, 'erp').state).not.toBe('offline');
    await clearFaults(t, 'netsuite');

    // Overdue is the workbench's: past the SLA of the exception's owner (by default finance-ops 24 h,
    // delivery-ops 48 h). Both are 30 hours old; only finance-ops' is overdue.
    const old = (owner: string) => ({
      id: `exc_old_${owner}_${t.tenantId}`,
      tenantId: t.tenantId,
      correlationId: 'old',
      source: 'delivery',
      subjectType: 'time_entry',
      subjectId: '1',
      code: 'rate-mismatch',
      reason: 'an old one',
      owner,
      suggestedFix: 'fix it',
      status: 'open' as const,
      createdAt: new Date(Date.now() - 30 * 3600_000).toISOString(),
    });
    await getDb(env as unknown as Env)
      .insert(exceptionsTable)
      .values([old('delivery-ops'), old('finance-ops')]);
    const later = await health(t);
    expect(later.exceptions).toMatchObject({ open: 2, overdue: 1 });
    const workbench = await json(await adminCall(t, 'GET', '/v1/exceptions?overdue=true'));
    expect(workbench.total).toBe(1);
    expect(workbench.exceptions[0].owner).toBe('finance-ops');
    const overdue = later.attention.find((a: Json) => a.kind === 'exceptions-overdue');
    expect(overdue).toMatchObject({ severity: 'warning', link: '/exceptions?overdue=true' });
    expect(overdue.action).toMatch(/assign/i);
  });

  it('is per firm and for the console or an admin key only', async () => {
    const t = await newTenant();
    const crm = await adminCall(
      { ...t, keys: { ...t.keys, admin: t.keys.crm } },
      'GET',
      '/v1/console/health',
    );
    expect(crm.status).toBe(403);
    const none = await adminCall({ ...t, keys: { ...t.keys, admin: 'nope' } }, 'GET', '/v1/console/health');
    expect(none.status).toBe(401);
  });
});
