import { describe, expect, it } from 'vitest';
import { completeMilestone, fixedFeeWeek, kantataActor } from '../support/delivery-demo';
import {
  activate,
  adminCall,
  fastWorkflows,
  json,
  newTenant,
  psaProjectIdOf,
  syncNow,
  waitFor,
  waitForActivation,
  waitForReadiness,
  workerFetch,
} from './harness';

const NORTHWIND = '006000000000001AAA';
const GLOBEX = '006000000000002AAA';

interface Event {
  at: string;
  kind: string;
  title: string;
  system: string;
  correlationId: string | null;
  actor: string;
  sincePreviousMs: number | null;
  url: string | null;
  status: string;
}

interface Timeline {
  events: Event[];
  contractNumber: string;
  customer: string;
}

describe('the contract timeline: one page from the CRM click to the ERP invoice and payment', () => {
  it('lists the click, every step, the links, posted time, the held entry, the acceptance and the invoice, in order', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    await activate(t, NORTHWIND);
    const view = await waitForActivation(t, NORTHWIND);
    expect(view.status).toBe('active');
    const ws = psaProjectIdOf(view);
    const actor = kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken);
    await fixedFeeWeek(actor, ws);
    await completeMilestone(actor, ws, 'Discovery');
    await syncNow(t);
    const asked = await waitForReadiness(
      t,
      ws,
      (x) => x.counts.posted === 4 && x.milestones[0]?.state === 'awaiting_acceptance',
    );
    const decided = await adminCall(t, 'POST', `/v1/approvals/${asked.milestones[0]!.approvalId}/decision`, {
      decision: 'accept',
      decidedBy: 'ava.chen@lumenpartners.example',
    });
    expect(decided.status).toBe(200);
    await waitForReadiness(t, ws, (x) => x.milestones[0]?.state === 'invoiced');

    // The invoice workflow records the invoice, then audits who created it (the time the timeline shows).
    const tl = await waitFor(
      async () => (await json(await adminCall(t, 'GET', `/v1/contracts/${NORTHWIND}/timeline`))) as Timeline,
      (x) => x.events?.some((e) => e.kind === 'invoice.created' && e.correlationId !== null),
    );
    const kinds = tl.events.map((e) => e.kind);
    const first = (k: string) => kinds.findIndex((x) => x === k || x.startsWith(k));
    // The story in its order: click, steps, ready, time posted, acceptance, invoice.
    expect(first('activation.requested')).toBeLessThan(first('activation.step.upsert-erp-customer'));
    expect(first('activation.step.write-back-crm')).toBeLessThan(first('activation.completed') + 1);
    expect(first('activation.completed')).toBeLessThan(first('delivery.posted'));
    expect(first('approval.requested')).toBeLessThan(first('approval.accepted'));
    expect(first('approval.accepted')).toBeLessThanOrEqual(first('invoice.created') + 1);
    // Every step of the activation is there, each with the activation's correlation id.
    const steps = tl.events.filter((e) => e.kind.startsWith('activation.step.'));
    expect(steps).toHaveLength(view.steps.length);
    expect(new Set(steps.map((s) => s.correlationId))).toEqual(new Set([view.correlationId]));
    // Links into the systems that hold the records.
    expect(tl.events.some((e) => e.system === 'psa' && e.url?.includes(ws))).toBe(true);
    // Times are in order and the gaps add up.
    const times = tl.events.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(tl.events[0]!.sincePreviousMs).toBeNull();
    for (let i = 1; i < tl.events.length; i++)
      expect(tl.events[i]!.sincePreviousMs).toBe(times[i]! - times[i - 1]!);
    // The approver's decision and the posted entries read as a person would.
    expect(tl.events.find((e) => e.kind === 'delivery.posted')?.title).toMatch(/posted to the ERP/);
    expect(tl.events.find((e) => e.kind === 'delivery.held')?.status).toBe('failed');
    expect(tl.events.find((e) => e.kind === 'invoice.created')?.title).toMatch(
      /Invoice \S+ for 30000\.00 USD/,
    );
    expect(tl.events.find((e) => e.kind === 'approval.accepted')?.title).toBe('Milestone Discovery accepted');
    expect(tl.events.find((e) => e.kind === 'delivery.held')?.title).toMatch(/^1 expense held/);
  });

  it("finds contracts by number, pages without repeats, and never shows another firm's", async () => {
    await using _wf = await fastWorkflows();
    const [a, b] = await Promise.all([newTenant(), newTenant()]);
    await Promise.all([activate(a, NORTHWIND), activate(a, GLOBEX)]);
    const [north] = await Promise.all([waitForActivation(a, NORTHWIND), waitForActivation(a, GLOBEX)]);
    const keys = (r: { contracts: { contractKey: string }[] }) => r.contracts.map((c) => c.contractKey);
    const page1 = await json(await adminCall(a, 'GET', '/v1/contracts?limit=1'));
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await json(
      await adminCall(a, 'GET', `/v1/contracts?limit=1&cursor=${encodeURIComponent(page1.nextCursor)}`),
    );
    expect(page2.nextCursor).toBeNull();
    expect([...keys(page1), ...keys(page2)].sort()).toEqual([NORTHWIND, GLOBEX].sort());
    const found = await json(
      await adminCall(a, 'GET', `/v1/contracts?q=${encodeURIComponent(north.contractNumber!)}`),
    );
    expect(keys(found)).toEqual([NORTHWIND]);
    expect((await json(await adminCall(b, 'GET', '/v1/contracts'))).contracts).toEqual([]);
    const other = await adminCall(b, 'GET', `/v1/contracts/${NORTHWIND}/timeline`);
    expect(other.status).toBe(404);
    const crmKey = await workerFetch(`http://handoff/v1/contracts/${NORTHWIND}/timeline`, {
      headers: { authorization: `Bearer ${a.keys.crm}` },
    });
    expect(crmKey.status).toBe(403);
  });
});
