import { describe, expect, it } from 'vitest';
import { completeMilestone, fixedFeeWeek, kantataActor, tmWeek } from '../support/delivery-demo';
import {
  activate,
  adminCall,
  effects,
  emulatorState,
  fastWorkflows,
  injectFaults,
  json,
  newTenant,
  psaProjectIdOf,
  readinessOf,
  syncNow,
  testEnv,
  waitFor,
  waitForActivation,
  waitForReadiness,
  workflowOutput,
} from './harness';

const NORTHWIND = '006000000000001AAA';
const GLOBEX = '006000000000002AAA';

async function liveProject(t: Awaited<ReturnType<typeof newTenant>>, opp: string) {
  await activate(t, opp);
  const view = await waitForActivation(t, opp);
  expect(view.status, JSON.stringify(view.steps)).toBe('active');
  return psaProjectIdOf(view);
}

describe('delivery to billing: approved time and expenses reach the ERP exactly once', () => {
  it('posts compliant T&M time at contract rates, holds the entry at a superseded rate with its fix, and posts it once after edit-and-retry', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    const ws = await liveProject(t, GLOBEX);
    await tmWeek(kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken), ws);
    await syncNow(t);
    const r = await waitForReadiness(t, ws, (x) => x.counts.posted === 4 && x.counts.held === 1);
    // Ava 4 h × 275 + Chloe 8 h × 165 + Dev 6 h × 120 + Chloe 7.5 h × 165 = USD 4,377.50
    expect(r.totals.unbilledTime).toEqual({ amountMinor: 437_750, currency: 'USD' });
    expect(r.totals.held.amountMinor).toBe(195_00 * 8);
    const held = r.exceptions.find((e) => e.rule === 'superseded-rate');
    expect(held?.reason).toMatch(/\$195\.00.*\$210\.00/);
    expect(held?.suggestedFix).toMatch(/edit and retry|rate card/i);
    expect((await effects(t, 'netsuite'))['timeBill.create']).toBe(4);

    // Syncing again changes nothing: every entry was seen.
    await syncNow(t);
    await new Promise((res) => setTimeout(res, 1500));
    expect((await effects(t, 'netsuite'))['timeBill.create']).toBe(4);

    const fixed = await adminCall(t, 'POST', `/v1/exceptions/${held!.id}/edit-and-retry`, {
      actor: 'emma.schulz@lumenpartners.example',
      changes: { postAtContractRate: true },
    });
    expect(fixed.status, await fixed.clone().text()).toBe(200);
    const after = await waitForReadiness(t, ws, (x) => x.counts.posted === 5);
    expect(after.exceptions.find((e) => e.id === held!.id)).toBeUndefined();
    expect(after.totals.unbilledTime.amountMinor).toBe(437_750 + 210_00 * 8);
    expect((await effects(t, 'netsuite'))['timeBill.create']).toBe(5);
  });

  it('holds travel over the allowance, posts fixed-fee time as cost, and turns an accepted milestone into an ERP invoice reported to PSA and CRM', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    const ws = await liveProject(t, NORTHWIND);
    const actor = kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken);
    await fixedFeeWeek(actor, ws);
    await syncNow(t);
    const r = await waitForReadiness(t, ws, (x) => x.counts.posted === 4 && x.counts.held === 1);
    expect(r.totals.travelUsed).toEqual({ amountMinor: 780_000, currency: 'USD' });
    expect(r.totals.unbilledTime.amountMinor).toBe(0);
    expect(r.exceptions.map((e) => e.rule)).toEqual(['over-travel-cap']);
    expect(r.milestones.map((m) => m.state)).toEqual(['not_ready', 'not_ready', 'not_ready']);

    // The PM completes Go-live too early: it is blocked, with the reason. Discovery is ready for acceptance.
    await completeMilestone(actor, ws, 'Go-live');
    await completeMilestone(actor, ws, 'Discovery');
    await syncNow(t);
    const asked = await waitForReadiness(t, ws, (x) => x.milestones[0]?.state === 'awaiting_acceptance');
    expect(asked.milestones[2]?.state).toBe('blocked');
    expect(asked.milestones[2]?.blockers.map((b) => b.rule)).toContain('earlier-milestone-open');

    const decision = await adminCall(t, 'POST', `/v1/approvals/${asked.milestones[0]!.approvalId}/decision`, {
      decision: 'accept',
      decidedBy: 'ava.chen@lumenpartners.example',
    });
    expect(decision.status).toBe(200);
    const again = await adminCall(t, 'POST', `/v1/approvals/${asked.milestones[0]!.approvalId}/decision`, {
      decision: 'accept',
      decidedBy: 'someone.else@lumenpartners.example',
    });
    expect(again.status).toBe(409);

    const invoiced = await waitForReadiness(t, ws, (x) => x.milestones[0]?.state === 'invoiced');
    expect(invoiced.milestones[0]?.invoiceNumber).toMatch(/\S+/);
    expect(invoiced.totals.billed).toEqual({ amountMinor: 3_000_000, currency: 'USD' });
    expect(invoiced.invoices[0]?.description).toMatch(/Discovery/);
    expect((await effects(t, 'netsuite'))['invoice.create']).toBe(1);

    // The sidebar shows the invoice as soon as it is recorded; the invoice workflow then shows it in the
    // PSA and the CRM. Once that workflow has finished, both have it.
    const outcome = await workflowOutput(
      testEnv.MILESTONE_INVOICE_WORKFLOW,
      `inv-${asked.milestones[0]!.approvalId}`,
    );
    expect(outcome).toEqual({
      invoiceId: invoiced.invoices[0]!.id,
      number: invoiced.milestones[0]!.invoiceNumber,
    });
    // Sales sees it on the opportunity.
    const sf = await (
      await fetch(`${t.instances.salesforce.baseUrl}/lightning/r/Opportunity/${NORTHWIND}/view`)
    ).text();
    expect(sf).toContain(invoiced.milestones[0]!.invoiceNumber!);
    // Delivery sees it on the PSA project.
    const state = JSON.stringify(await emulatorState(t, 'kantata'));
    expect(state).toContain(invoiced.milestones[0]!.invoiceNumber!);
    const audit = await json(await adminCall(t, 'GET', `/v1/exceptions?projectKey=${NORTHWIND}`));
    expect(audit.exceptions.some((e: { code: string }) => e.code === 'over-travel-cap')).toBe(true);

    // Finance records the customer's payment in the ERP; the status flows back on the next sync.
    const invoice = invoiced.invoices[0]!;
    const paid = await fetch(`${t.instances.netsuite.baseUrl}/app/accounting/transactions/custpymt.nl`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ inv: invoice.id, amount: '30000.00' }),
      redirect: 'manual',
    });
    expect(paid.status).toBe(303);
    await syncNow(t);
    const settled = await waitForReadiness(t, ws, (x) => x.invoices[0]?.status === 'paid');
    expect(settled.invoices[0]?.amountPaid).toEqual({ amountMinor: 3_000_000, currency: 'USD' });
    // The sync records the payment (the sidebar shows it), then writes it to the PSA and the CRM.
    await waitFor(
      async () =>
        (await fetch(`${t.instances.salesforce.baseUrl}/lightning/r/Opportunity/${NORTHWIND}/view`)).text(),
      (page) => /Last Invoice Status[\s\S]{0,200}paid/.test(page),
    );
  });
});

describe('invoice status back to the CRM', () => {
  it('a payment the CRM could not take on the first try reaches it when the sync message is retried', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    const ws = await liveProject(t, NORTHWIND);
    const actor = kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken);
    await completeMilestone(actor, ws, 'Discovery');
    await syncNow(t);
    const asked = await waitForReadiness(t, ws, (x) => x.milestones[0]?.state === 'awaiting_acceptance');
    const approvalId = asked.milestones[0]!.approvalId!;
    const decision = await adminCall(t, 'POST', `/v1/approvals/${approvalId}/decision`, {
      decision: 'accept',
      decidedBy: 'ava.chen@lumenpartners.example',
    });
    expect(decision.status).toBe(200);
    await workflowOutput(testEnv.MILESTONE_INVOICE_WORKFLOW, `inv-${approvalId}`);
    const invoiced = await readinessOf(t, ws);
    const invoice = invoiced.invoices[0]!;

    // The customer pays; the next sync records it, but Salesforce refuses the first write-back.
    await injectFaults(t, 'salesforce', [
      { kind: 'error', status: 503, method: 'PATCH', path: 'sobjects/Opportunity', times: 1 },
    ]);
    const paid = await fetch(`${t.instances.netsuite.baseUrl}/app/accounting/transactions/custpymt.nl`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ inv: invoice.id, amount: '30000.00' }),
      redirect: 'manual',
    });
    expect(paid.status).toBe(303);
    await syncNow(t);
    await waitForReadiness(t, ws, (x) => x.invoices[0]?.status === 'paid');

    // The retried message finds the payment already recorded; the CRM still hears of it.
    const page = await waitFor(
      async () =>
        (await fetch(`${t.instances.salesforce.baseUrl}/lightning/r/Opportunity/${NORTHWIND}/view`)).text(),
      (p) => /Last Invoice Status[\s\S]{0,200}paid/.test(p),
      20_000,
    );
    expect(page).toContain(invoice.number);
    const { faults } = (await (await fetch(`${t.control.salesforce}/faults`)).json()) as {
      faults: { kind: string; fired: number }[];
    };
    expect(faults[0]?.fired).toBe(1);
  });
});
