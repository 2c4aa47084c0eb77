import { describe, expect, it } from 'vitest';
import { governedFetch } from '../../worker/durable-objects/erp-governor';
import type { Env } from '../../worker/env';
import { EMULATOR_OUTBOUND } from '../support/outbound';
import {
  activate,
  effects,
  fastWorkflows,
  injectFaults,
  newTenant,
  testEnv,
  waitForActivation,
} from './harness';

const DEALS = ['006000000000001AAA', '006000000000002AAA', '006000000000003AAA'];

async function netsuiteLoad(control: string) {
  return (await (await fetch(`${control}/effects`)).json()) as {
    maxInFlight: number;
    throttled: number;
    requests: number;
    effects: Record<string, number>;
  };
}

const governors = testEnv as unknown as Pick<Env, 'ERP_GOVERNOR'>;

async function governorStats(accountId: string, accountKey = `netsuite:${accountId}`) {
  const ns = governors.ERP_GOVERNOR;
  const stub = ns.get(ns.idFromName(accountKey));
  return (await (await stub.fetch('https://governor/__governor/stats')).json()) as {
    forwarded: number;
    maxInFlight: number;
    throttled: number;
    failed: number;
    inFlight: number;
  };
}

describe('the ERP concurrency governor (one Durable Object per ERP account)', () => {
  it("keeps Handoff's calls within the account's budget however many activations run at once", async () => {
    await using _wf = await fastWorkflows();
    // The account allows 2 concurrent requests; each holds its slot for 40 ms.
    const t = await newTenant({ erpConcurrencyLimit: 2, netsuiteAccountLimit: 2, netsuiteProcessingMs: 40 });
    await Promise.all(DEALS.map((d) => activate(t, d)));
    const views = await Promise.all(DEALS.map((d) => waitForActivation(t, d)));
    expect(views.map((v) => v.status)).toEqual(['active', 'active', 'active']);
    const load = await netsuiteLoad(t.control.netsuite);
    // Not one request was refused by the account for concurrency: the governor queued them instead.
    expect(load.throttled).toBe(0);
    const gov = await governorStats(t.netsuiteAccountId);
    expect(gov.maxInFlight).toBeLessThanOrEqual(2);
    expect(gov.forwarded).toBe(load.requests);
    expect(load.effects['customer.create']).toBe(3);
    expect(load.effects['job.create']).toBe(3);
  });

  it('waits out a 429 with Retry-After for the whole account and still writes everything once', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    await injectFaults(t, 'netsuite', [
      { kind: 'rate_limit', path: '/record/v1/', times: 3, retryAfterSeconds: 1 },
    ]);
    await activate(t, DEALS[0]!);
    const view = await waitForActivation(t, DEALS[0]!);
    expect(view.status).toBe('active');
    const ns = await effects(t, 'netsuite');
    expect([ns['customer.create'], ns['job.create'], ns['billingSchedule.create']]).toEqual([1, 1, 1]);
  });

  it('hands a dropped connection or a timeout back to the caller as the error its fetch would raise, and frees the slot', async () => {
    const t = await newTenant();
    const key = `netsuite:${t.netsuiteAccountId}:transport`;
    const url = `${t.instances.netsuite.baseUrl}/services/rest/record/v1/customer/eid:governor-test`;
    const call = governedFetch(governors, key, 1, {
      system: 'netsuite',
      outbound: EMULATOR_OUTBOUND,
      timeoutMs: 1000,
    });
    await injectFaults(t, 'netsuite', [{ kind: 'outage', path: '/record/v1/', mode: 'reset', times: 1 }]);
    const reset = await call(url, { method: 'PUT', body: '{}' }).catch((e: unknown) => e);
    expect(reset).toBeInstanceOf(Error);
    expect((reset as Error).message).toMatch(/connection/i);
    expect((reset as Error).name).not.toMatch(/Timeout|Abort/);

    await injectFaults(t, 'netsuite', [{ kind: 'timeout', path: '/record/v1/', ms: 2500, times: 1 }]);
    const slow = await call(url).catch((e: unknown) => e);
    expect((slow as Error).name).toBe('TimeoutError');

    // Neither failure escaped the governor's handler: it answered both, counted them, and released the
    // only slot, so the next call goes straight through.
    const stats = await governorStats(t.netsuiteAccountId, key);
    expect(stats).toMatchObject({ forwarded: 2, failed: 2, inFlight: 0 });
    const next = await call(url);
    expect(next.status).toBe(401);
    await next.body?.cancel();
  });
});
