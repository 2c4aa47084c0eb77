import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../../shared/model/money';
import { ConnectorError } from '../../../worker/connectors/errors';
import { createNetSuiteConnector, type NetSuiteConnectionInput } from '../../../worker/connectors/netsuite';
import type { ErpExpenseLine, ErpInvoiceInput, ErpTimeLine } from '../../../worker/connectors/ports';
import { EMULATOR_OUTBOUND } from '../../support/outbound';
import { createNetSuiteEmulator, type NetSuiteState } from './index';

const TOKEN = 'delivery-test-token';
const emulator = createNetSuiteEmulator();
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  server = await emulator.listen(0);
});
afterAll(() => server.close());

let counter = 0;
const control = (id: string) => `${server.url}/__emulator/instances/${id}`;
const effects = async (id: string) =>
  ((await (await fetch(`${control(id)}/effects`)).json()) as { effects: Record<string, number> }).effects;
const state = async (id: string) => (await (await fetch(`${control(id)}/state`)).json()) as NetSuiteState;

async function rest(baseUrl: string, method: string, path: string, body?: unknown) {
  return fetch(`${baseUrl}/services/rest${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** A demo account with one US customer and its project. */
async function account(options: Record<string, unknown> = {}) {
  const id = `deliv${++counter}`;
  const res = await fetch(`${server.url}/__emulator/instances`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ id, seed: 'demo', config: { options: { accessTokens: [TOKEN], ...options } } }),
  });
  const { baseUrl } = (await res.json()) as { baseUrl: string };
  const customer = await rest(baseUrl, 'PUT', '/record/v1/customer/eid:cust1', {
    companyName: 'Acme Corp',
    subsidiary: { id: '1' },
    currency: { id: '1' },
    email: 'ap@acme.example',
  });
  const customerId = customer.headers.get('Location')!.split('/').pop()!;
  const job = await rest(baseUrl, 'PUT', '/record/v1/job/eid:job1', {
    companyName: 'Acme rollout',
    parent: { id: customerId },
  });
  const projectId = job.headers.get('Location')!.split('/').pop()!;
  return { id, baseUrl, customerId, projectId };
}

function connector(baseUrl: string, overrides: Partial<NetSuiteConnectionInput> = {}) {
  return createNetSuiteConnector(
    {
      accountId: 'TSTDRV42',
      baseUrl,
      auth: { accessToken: TOKEN },
      timeoutMs: 3000,
      ...overrides,
    },
    { outbound: EMULATOR_OUTBOUND },
  );
}

const timeLine = (
  a: { customerId: string; projectId: string },
  n: number,
  over: Partial<ErpTimeLine> = {},
): ErpTimeLine => ({
  key: `psa-time-${n}`,
  customerId: a.customerId,
  projectId: a.projectId,
  personName: 'Ben Ortiz',
  personEmail: 'ben.ortiz@northwind.example',
  role: 'Senior Consultant',
  date: '2026-03-02',
  minutes: 450,
  rate: money(17_500, 'USD'),
  billable: true,
  memo: `Workshop ${n}`,
  ...over,
});

describe('NetSuite time and expenses', () => {
  it('posts time bills once: a second post of the same lines finds them', async () => {
    const a = await account();
    const ns = connector(a.baseUrl);
    const lines = [1, 2, 3].map((n) => timeLine(a, n));
    const first = await ns.postTimeEntries(lines);
    expect(first.map((r) => r.ok && r.created)).toEqual([true, true, true]);
    const again = await ns.postTimeEntries(lines);
    expect(again).toEqual(first.map((r) => ({ ...r, created: false })));
    expect((await effects(a.id))['timeBill.create']).toBe(3);

    const stored = (await state(a.id)).records.timeBill[first[0]!.ok ? first[0]!.id : '']!;
    expect(stored.fields).toMatchObject({
      employee: { id: '12' },
      customer: { id: a.projectId },
      hours: '7:30',
      isBillable: true,
      rate: 175,
      price: { id: '-1' },
      approvalStatus: { id: '2' },
      tranDate: '2026-03-02',
    });
  });

  it('answers per line: an unknown person fails alone, not retryable, with a fix', async () => {
    const a = await account();
    const ns = connector(a.baseUrl);
    const results = await ns.postTimeEntries([
      timeLine(a, 1),
      timeLine(a, 2, { personName: 'Zoe Nobody', personEmail: 'zoe@elsewhere.example' }),
      timeLine(a, 3, { personEmail: undefined, personName: 'Chloe Martin' }),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]).toMatchObject({
      key: 'psa-time-2',
      ok: false,
      retryable: false,
      code: 'EMPLOYEE_NOT_FOUND',
    });
    expect(results[1]!.ok === false && results[1]!.fix).toContain('Lists > Employees');
    expect((await effects(a.id))['timeBill.create']).toBe(2);
  });

  it('a line whose project NetSuite refuses fails alone with the vendor error', async () => {
    const a = await account();
    const results = await connector(a.baseUrl).postTimeEntries([
      timeLine(a, 1),
      timeLine(a, 2, { projectId: '99999' }),
    ]);
    expect(results[0]!.ok).toBe(true);
    expect(results[1]).toMatchObject({
      ok: false,
      retryable: false,
      code: 'INVALID_CONTENT',
      field: 'customer',
    });
  });

  it('a response dropped after commit, then a retry, leaves one time bill', async () => {
    const a = await account();
    await fetch(`${control(a.id)}/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        rules: [
          { kind: 'drop_after_commit', method: 'PUT', path: '^/services/rest/record/v1/timebill/', times: 1 },
        ],
      }),
    });
    const ns = connector(a.baseUrl);
    const lines = [timeLine(a, 1), timeLine(a, 2)];
    const first = await ns.postTimeEntries(lines);
    const dropped = first.filter((r) => !r.ok);
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatchObject({ retryable: true });
    const retry = await ns.postTimeEntries(lines);
    expect(retry.every((r) => r.ok)).toBe(true);
    expect(new Set(retry.map((r) => r.ok && r.id)).size).toBe(2);
    expect((await effects(a.id))['timeBill.create']).toBe(2);
  });

  it('posts expenses as approved expense reports, once, and names an unknown category', async () => {
    const a = await account();
    const ns = connector(a.baseUrl);
    const expense = (n: number, category: string): ErpExpenseLine => ({
      key: `psa-exp-${n}`,
      customerId: a.customerId,
      projectId: a.projectId,
      personName: 'Ava Chen',
      date: '2026-03-03',
      category,
      amount: money(12_345, 'USD'),
      billable: true,
      memo: 'Flight to client',
    });
    const lines = [expense(1, 'Travel'), expense(2, 'Submarine rental')];
    const first = await ns.postExpenses(lines);
    expect(first[0]).toMatchObject({ ok: true, created: true });
    expect(first[1]).toMatchObject({ ok: false, retryable: false, code: 'EXPENSE_CATEGORY_NOT_FOUND' });
    const again = await ns.postExpenses(lines.slice(0, 1));
    expect(again[0]).toMatchObject({ ok: true, created: false, id: first[0]!.ok ? first[0]!.id : '' });
    const report = (await state(a.id)).records.expenseReport[first[0]!.ok ? first[0]!.id : '']!;
    expect(report.sublists.expense).toEqual([
      expect.objectContaining({
        amount: 123.45,
        category: { id: '31' },
        isBillable: true,
        customer: { id: a.projectId },
      }),
    ]);
    expect((await effects(a.id))['expenseReport.create']).toBe(1);
  });

  it('refuses a time bill without the mandatory fields, in NetSuite’s error shape', async () => {
    const a = await account();
    const res = await rest(a.baseUrl, 'PUT', '/record/v1/timebill/eid:raw1', {
      tranDate: '2026-03-02',
      hours: '1:00',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { 'o:errorDetails': { detail: string; 'o:errorCode': string }[] };
    expect(body['o:errorDetails'][0]).toMatchObject({ 'o:errorCode': 'USER_ERROR' });
    expect(body['o:errorDetails'][0]!.detail).toContain('Please enter value(s) for: Employee');
  });

  // Throughput is measured in bench/ (a timed assertion here fails on a busy machine, not on a defect).
  it('posts 2,000 time bills in batches, each exactly once', async () => {
    const a = await account();
    const ns = connector(a.baseUrl, { postConcurrency: 10 });
    for (let batch = 0; batch < 20; batch++) {
      const lines = Array.from({ length: ns.maxBatch }, (_, i) => timeLine(a, batch * 100 + i));
      const results = await ns.postTimeEntries(lines);
      expect(results.every((r) => r.ok)).toBe(true);
    }
    expect((await effects(a.id))['timeBill.create']).toBe(2000);
  }, 120_000);
});

describe('NetSuite invoices', () => {
  const invoiceInput = (a: { customerId: string; projectId: string }): ErpInvoiceInput => ({
    customerId: a.customerId,
    projectId: a.projectId,
    date: '2026-03-31',
    currency: 'USD',
    memo: 'Milestone 1: Discovery',
    lines: [
      { description: 'Discovery complete', amount: money(2_500_000, 'USD'), clause: 'SOW §4.1' },
      { description: 'Workshop materials', amount: money(50_050, 'USD') },
    ],
  });

  it('creates the invoice with a number NetSuite assigns; a retry returns the same invoice', async () => {
    const a = await account();
    const ns = connector(a.baseUrl);
    const invoice = await ns.createInvoice(invoiceInput(a), 'activation-1:invoice:m1');
    expect(invoice).toMatchObject({
      number: expect.stringMatching(/^INV\d+$/),
      status: 'posted',
      total: money(2_550_050, 'USD'),
      amountPaid: money(0, 'USD'),
      date: '2026-03-31',
    });
    expect(invoice.url).toBe(
      `https://tstdrv42.app.netsuite.com/app/accounting/transactions/custinvc.nl?id=${invoice.id}`,
    );
    const again = await ns.createInvoice(invoiceInput(a), 'activation-1:invoice:m1');
    expect(again).toEqual(invoice);
    const other = await ns.createInvoice(invoiceInput(a), 'activation-1:invoice:m2');
    expect(Number(other.number.slice(3))).toBe(Number(invoice.number.slice(3)) + 1);
    expect((await effects(a.id))['invoice.create']).toBe(2);
    expect((await effects(a.id))['invoice.update'] ?? 0).toBe(0);
  });

  it('a create whose response is dropped is found on retry, not created twice', async () => {
    const a = await account();
    await fetch(`${control(a.id)}/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        rules: [
          { kind: 'drop_after_commit', method: 'PUT', path: '^/services/rest/record/v1/invoice/', times: 1 },
        ],
      }),
    });
    const ns = connector(a.baseUrl);
    const error = await ns.createInvoice(invoiceInput(a), 'k-drop').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).retryable).toBe(true);
    const invoice = await ns.createInvoice(invoiceInput(a), 'k-drop');
    expect(invoice.number).toMatch(/^INV/);
    expect((await effects(a.id))['invoice.create']).toBe(1);
  });

  it('lists a project’s invoices: emailed → sent, paid in full after a payment (REST or the UI button)', async () => {
    const a = await account();
    const ns = connector(a.baseUrl);
    const first = await ns.createInvoice(invoiceInput(a), 'inv-a');
    const second = await ns.createInvoice(invoiceInput(a), 'inv-b');
    expect((await ns.listInvoices(a.projectId)).map((i) => i.status)).toEqual(['posted', 'posted']);

    // The sandbox user emails the first invoice and records a partial payment in the UI.
    const ui = `${a.baseUrl}/app/accounting/transactions`;
    const form = (data: Record<string, string>) => ({
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(data).toString(),
      redirect: 'manual' as const,
    });
    expect(
      (await fetch(`${ui}/custinvc.nl?id=${first.id}`, form({ action: 'email', to: 'ap@acme.example' })))
        .status,
    ).toBe(303);
    expect((await fetch(`${ui}/custpymt.nl`, form({ inv: first.id, amount: '1000.00' }))).status).toBe(303);
    let listed = await ns.listInvoices(a.projectId);
    expect(listed[0]).toMatchObject({ id: first.id, status: 'sent', amountPaid: money(100_000, 'USD') });

    // The rest arrives through the REST API, as a bank integration would post it.
    const pay = await rest(a.baseUrl, 'POST', '/record/v1/customerPayment', {
      customer: { id: a.customerId },
      payment: 24500.5,
      apply: { items: [{ doc: { id: first.id }, apply: true, amount: 24500.5 }] },
    });
    expect(pay.status).toBe(204);
    listed = await ns.listInvoices(a.projectId);
    expect(listed.map((i) => [i.id, i.status])).toEqual([
      [first.id, 'paid'],
      [second.id, 'posted'],
    ]);
    expect(listed[0]!.amountPaid).toEqual(listed[0]!.total);
    expect((await effects(a.id))['customerPayment.create']).toBe(2);

    // Overpaying is refused the way NetSuite refuses it.
    const over = await rest(a.baseUrl, 'POST', '/record/v1/customerPayment', {
      customer: { id: a.customerId },
      payment: 1,
      apply: { items: [{ doc: { id: first.id }, apply: true, amount: 1 }] },
    });
    expect(over.status).toBe(400);
    const page = await (await fetch(`${ui}/custinvc.nl?id=${first.id}`)).text();
    expect(page).toContain('Paid In Full');
    expect(page).toContain('Record payment');
  });
});
