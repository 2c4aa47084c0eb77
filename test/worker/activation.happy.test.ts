import { describe, expect, it } from 'vitest';
import {
  activate,
  effects,
  emulatorState,
  fastWorkflows,
  json,
  newTenant,
  waitForActivation,
  workerFetch,
} from './harness';

const NORTHWIND = '006000000000001AAA';
const GLOBEX = '006000000000002AAA';
const BRANDT = '006000000000003AAA';
const BRANDT_CONTRACT = '800000000000002AAA';

describe('activation: the happy path', () => {
  it('provisions the ERP customer, PSA project, ERP project and milestone billing schedule for a fixed-fee SOW, and reports back to the CRM', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    const res = await activate(t, NORTHWIND);
    expect(res.status).toBe(202);
    const started = await json(res);
    expect(started.status).toBe('queued');

    const view = await waitForActivation(t, NORTHWIND);
    expect(view.status, JSON.stringify(view, null, 1)).toBe('active');
    expect(view.contractNumber).toBe('SOW-1001');
    expect(view.steps.filter((s) => s.status !== 'done' && s.status !== 'skipped')).toEqual([]);
    const kinds = view.links.map((l) => `${l.role}:${l.kind}`).sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        'crm:contract',
        'crm:opportunity',
        'erp:billing_schedule',
        'erp:customer',
        'erp:project',
        'psa:project',
      ]),
    );
    expect(view.links.find((l) => l.kind === 'project' && l.role === 'psa')?.url).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/i\/kt-/,
    );

    const ns = await effects(t, 'netsuite');
    expect(ns['customer.create']).toBe(1);
    expect(ns['job.create']).toBe(1);
    expect(ns['billingSchedule.create']).toBe(1);
    const kt = await effects(t, 'kantata');
    expect(kt['workspace.create']).toBe(1);

    // The CRM record shows the outcome and the links.
    const sf = await (
      await fetch(`${t.instances.salesforce.baseUrl}/lightning/r/Opportunity/${NORTHWIND}/view`)
    ).text();
    expect(sf).toContain('Active');
    expect(sf).toContain(view.id);
  });

  it('creates a T&M project with its rate card and a capped T&M schedule, and an EUR contract in EUR', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    await activate(t, GLOBEX);
    await activate(t, BRANDT_CONTRACT);
    const [globex, brandt] = await Promise.all([waitForActivation(t, GLOBEX), waitForActivation(t, BRANDT)]);
    expect(globex.status, JSON.stringify(globex.steps)).toBe('active');
    expect(globex.steps.find((s) => s.name === 'ensure-psa-rate-card')?.status).toBe('done');
    expect(brandt.status, JSON.stringify(brandt.steps)).toBe('active');
    expect(brandt.crmRecordId).toBe(BRANDT_CONTRACT);

    const state = await emulatorState<{ records: Record<string, Record<string, Record<string, unknown>>> }>(
      t,
      'netsuite',
    );
    expect(JSON.stringify(state)).toContain('EUR');
    const ns = await effects(t, 'netsuite');
    expect(ns['customer.create']).toBe(2);
    expect(ns['job.create']).toBe(2);
  });

  it('follows one correlation id from the click to the last write in the audit trail', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    const res = await activate(t, NORTHWIND, crypto.randomUUID(), {
      'x-correlation-id': 'click-northwind-1',
    });
    expect(res.headers.get('x-correlation-id')).toBe('click-northwind-1');
    await waitForActivation(t, NORTHWIND);
    const audit = await json(
      await workerFetch('http://handoff/v1/audit?correlationId=click-northwind-1', {
        headers: { authorization: `Bearer ${t.keys.admin}` },
      }),
    );
    const actions = audit.entries.map((e: { action: string }) => e.action);
    expect(actions[0]).toBe('activation.requested');
    expect(actions.at(-1)).toBe('activation.completed');
  });
});
