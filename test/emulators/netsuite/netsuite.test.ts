import { exportPKCS8, generateKeyPair, importPKCS8, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Contract, ContractSchema, type Customer } from '../../../shared/model/contract';
import type { BillingSchedule } from '../../../shared/model/project';
import { ConnectorError } from '../../../worker/connectors/errors';
import { createNetSuiteConnector, type NetSuiteConnectionInput } from '../../../worker/connectors/netsuite';
import { EMULATOR_OUTBOUND } from '../../support/outbound';
import {
  createNetSuiteEmulator,
  type NetSuiteState,
  type NetSuiteTestCredentials,
  netsuiteTestCredentials,
} from './index';

const emulator = createNetSuiteEmulator();
let server: { url: string; close(): Promise<void> };
let creds: NetSuiteTestCredentials;

beforeAll(async () => {
  [server, creds] = await Promise.all([emulator.listen(0), netsuiteTestCredentials()]);
});
afterAll(() => server.close());

let counter = 0;
async function newInstance(
  extra: { options?: Record<string, unknown>; concurrencyLimit?: number; latencyMs?: number } = {},
) {
  const id = `acct${++counter}`;
  const res = await fetch(`${server.url}/__emulator/instances`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      id,
      seed: 'demo',
      config: { ...extra, options: { ...creds.options, ...extra.options } },
    }),
  });
  expect(res.status).toBe(201);
  return { id, baseUrl: ((await res.json()) as { baseUrl: string }).baseUrl };
}

const control = (id: string) => `${server.url}/__emulator/instances/${id}`;
const effects = async (id: string) =>
  ((await (await fetch(`${control(id)}/effects`)).json()) as { effects: Record<string, number> }).effects;
const state = async (id: string) => (await (await fetch(`${control(id)}/state`)).json()) as NetSuiteState;
const faults = (id: string, rules: unknown[]) =>
  fetch(`${control(id)}/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ rules }),
  });

function connector(baseUrl: string, overrides: Partial<NetSuiteConnectionInput> = {}) {
  return createNetSuiteConnector(
    {
      accountId: 'TSTDRV42_SB1',
      baseUrl,
      auth: creds.auth,
      timeoutMs: 3000,
      ...overrides,
    },
    { outbound: EMULATOR_OUTBOUND },
  );
}

async function rejection(p: Promise<unknown>): Promise<ConnectorError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

const customer: Customer = {
  crmAccountId: '001000000000001AAA',
  name: 'Acme',
  legalEntity: { name: 'Acme Industrie GmbH', billingSubsidiary: 'Lumen Partners GmbH' },
  billingAddress: { line1: 'Hauptstraße 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
  taxRegistration: { scheme: 'VAT', number: 'DE123456789' },
  currency: 'EUR',
  email: 'ap@acme.example',
};

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' as const });

function contract(billingModel: unknown, totalValue: number): Contract {
  return ContractSchema.parse({
    crmOpportunityId: '006000000000001AAA',
    number: 'SOW-2025-001',
    name: 'Acme platform rollout',
    status: 'signed',
    effectiveDate: '2025-01-06',
    endDate: '2025-06-30',
    currency: 'EUR',
    totalValue: eur(totalValue),
    customer,
    billingModel,
  });
}

// Three milestones whose percentages do not divide evenly: 33.33 / 33.33 / 33.34.
const fixedFee = contract(
  {
    type: 'fixed_fee',
    milestones: [
      { key: 'm1', name: 'Discovery', amount: eur(1_000_000), dueDate: '2025-02-01' },
      { key: 'm2', name: 'Build', amount: eur(1_000_000), dueDate: '2025-04-01' },
      { key: 'm3', name: 'Go-live', amount: eur(1_000_001), dueDate: '2025-06-30' },
    ],
  },
  3_000_001,
);

const milestoneSchedule: BillingSchedule = {
  type: 'milestone',
  currency: 'EUR',
  lines:
    fixedFee.billingModel.type === 'fixed_fee'
      ? fixedFee.billingModel.milestones.map((m) => ({
          key: m.key,
          description: m.name,
          date: m.dueDate,
          amount: m.amount,
          milestoneKey: m.key,
        }))
      : [],
};

describe('NetSuite OAuth 2.0 client credentials', () => {
  it('exchanges a signed assertion for a bearer token once and reuses it', async () => {
    const { id, baseUrl } = await newInstance();
    const erp = connector(baseUrl);
    await erp.upsertCustomer(customer, 'act-1:customer');
    await erp.upsertCustomer(customer, 'act-2:customer');
    expect((await effects(id))['token.issue']).toBe(1);
  });

  it('refuses an assertion signed with a key that is not the registered certificate', async () => {
    const { id, baseUrl } = await newInstance();
    const forgedKey = await exportPKCS8(
      (await generateKeyPair(creds.algorithm, { extractable: true })).privateKey,
    );
    const erp = connector(baseUrl, { auth: { ...creds.auth, privateKeyPem: forgedKey } });
    const error = await rejection(erp.upsertCustomer(customer, 'act-forged'));
    expect(error).toMatchObject({ retryable: false, status: 400, code: 'NETSUITE_AUTH_INVALID_GRANT' });
    expect(error.fix).toContain('Client Credentials (M2M) Setup');
    expect(await effects(id)).not.toHaveProperty('token.issue');
    expect(await effects(id)).not.toHaveProperty('customer.create');
  });

  it('refuses a wrong audience and an expired assertion, and record calls without a token get 401 INVALID_LOGIN', async () => {
    const { baseUrl } = await newInstance();
    const key = await importPKCS8(creds.privateKeyPem, creds.algorithm);
    const now = Math.floor(Date.now() / 1000);
    const assertion = (aud: string, iat: number) =>
      new SignJWT({ scope: 'rest_webservices' })
        .setProtectedHeader({ typ: 'JWT', alg: creds.algorithm, kid: creds.certificateId })
        .setIssuer(creds.clientId)
        .setAudience(aud)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 300)
        .sign(key);
    const tokenUrl = `${baseUrl}/services/rest/auth/oauth2/v1/token`;
    const exchange = async (jwt: string) =>
      fetch(tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: jwt,
        }),
      });
    const good = await exchange(await assertion(tokenUrl, now));
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      access_token: expect.any(String),
    });
    for (const bad of [
      await assertion('https://other.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token', now),
      await assertion(tokenUrl, now - 3600),
    ]) {
      const res = await exchange(bad);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
    }
    const unauthenticated = await fetch(`${baseUrl}/services/rest/record/v1/customer/1`, {
      headers: { Authorization: 'Bearer forged' },
    });
    expect(unauthenticated.status).toBe(401);
    expect(await unauthenticated.json()).toMatchObject({
      status: 401,
      title: 'Unauthorized',
      'o:errorDetails': [{ 'o:errorCode': 'INVALID_LOGIN' }],
    });
  });
});

describe('NetSuite customer upsert by external id', () => {
  it('creates once, then updates the same record on the second call', async () => {
    const { id, baseUrl } = await newInstance();
    const erp = connector(baseUrl);
    const first = await erp.upsertCustomer(customer, 'act-9:erp.customer');
    const second = await erp.upsertCustomer(
      { ...customer, email: 'billing@acme.example' },
      'act-9:erp.customer',
    );
    expect(second.id).toBe(first.id);
    expect(first.url).toBe(
      `https://tstdrv42-sb1.app.netsuite.com/app/common/entity/custjob.nl?id=${first.id}`,
    );
    expect(await effects(id)).toMatchObject({ 'customer.create': 1, 'customer.update': 1 });
    const customers = Object.values((await state(id)).records.customer);
    expect(customers).toHaveLength(1);
    const saved = customers[0]!;
    // The key contains ":", which NetSuite external ids may not; the derived id is safe and stable.
    expect(saved.externalId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(saved.fields).toMatchObject({
      companyName: 'Acme Industrie GmbH',
      email: 'billing@acme.example',
      subsidiary: { id: '2' },
      currency: { id: '2' },
      vatRegNumber: 'DE123456789',
    });
    // replace=addressBook: the retry replaced the address line instead of adding a second one.
    expect(saved.sublists.addressBook).toHaveLength(1);
  });

  it('finds the committed record after the response was dropped, instead of creating a second one', async () => {
    const { id, baseUrl } = await newInstance();
    await faults(id, [
      { kind: 'drop_after_commit', method: 'PUT', path: '^/services/rest/record/v1/customer/eid:', times: 1 },
    ]);
    const erp = connector(baseUrl);
    const lost = await rejection(erp.upsertCustomer(customer, 'act-drop:customer'));
    expect(lost.retryable).toBe(true);
    const retried = await erp.upsertCustomer(customer, 'act-drop:customer');
    const customers = Object.values((await state(id)).records.customer);
    expect(customers).toHaveLength(1);
    expect(retried).toMatchObject({ id: customers[0]!.id });
    expect(await effects(id)).toMatchObject({ 'customer.create': 1 });
  });
});

describe('NetSuite errors', () => {
  it('maps a 429 concurrency refusal to a retryable error with the back-off', async () => {
    const { id, baseUrl } = await newInstance();
    await faults(id, [
      { kind: 'rate_limit', path: '^/services/rest/record/v1/customer', times: 1, retryAfterSeconds: 3 },
    ]);
    const error = await rejection(connector(baseUrl).upsertCustomer(customer, 'act-429'));
    expect(error).toMatchObject({
      retryable: true,
      status: 429,
      code: 'CONCURRENCY_LIMIT_EXCEEDED',
      retryAfterMs: 3000,
    });
    expect(await effects(id)).not.toHaveProperty('customer.create');
  });

  it('answers over the account concurrency limit with NetSuite’s 429 body', async () => {
    const { baseUrl } = await newInstance({ concurrencyLimit: 1, options: { processingMs: 100 } });
    const erp = connector(baseUrl, {
      currencyIds: { EUR: '2' },
      subsidiaryIds: { 'Lumen Partners GmbH': '2' },
    });
    await erp.upsertCustomer(customer, 'warm-up'); // token minted outside the burst
    const results = await Promise.allSettled(
      [1, 2, 3].map((n) => erp.upsertCustomer(customer, `burst-${n}`)),
    );
    const refused = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => r.reason as ConnectorError);
    expect(refused.length).toBeGreaterThan(0);
    for (const e of refused) {
      expect(e).toMatchObject({
        retryable: true,
        code: 'CONCURRENCY_LIMIT_EXCEEDED',
        status: 429,
        retryAfterMs: 1000,
      });
      expect(e.message).toContain('Concurrent request limit exceeded');
    }
  });

  it('maps a 400 on an invalid reference to a permanent error naming the field', async () => {
    const { id, baseUrl } = await newInstance();
    const erp = connector(baseUrl, { subsidiaryIds: { 'Lumen Partners GmbH': '99' } });
    const error = await rejection(erp.upsertCustomer(customer, 'act-400'));
    expect(error).toMatchObject({
      retryable: false,
      status: 400,
      code: 'INVALID_CONTENT',
      field: 'subsidiary',
    });
    expect(error.fix).toContain('subsidiary');
    expect(await effects(id)).not.toHaveProperty('customer.create');
  });

  it('says which subsidiary to pick when the CRM names one NetSuite does not have', async () => {
    const { baseUrl } = await newInstance();
    const error = await rejection(
      connector(baseUrl).upsertCustomer(
        { ...customer, legalEntity: { ...customer.legalEntity, billingSubsidiary: 'Handoff Ltd' } },
        'act-sub',
      ),
    );
    expect(error).toMatchObject({
      retryable: false,
      code: 'NETSUITE_UNKNOWN_SUBSIDIARY',
      field: 'customer.legalEntity.billingSubsidiary',
    });
    expect(error.fix).toContain('Lumen Partners US LLC');
  });

  it('refuses a custom field the account does not have', async () => {
    const { baseUrl } = await newInstance({ options: { customFields: { job: [] } } });
    const erp = connector(baseUrl);
    const { id: customerId } = await erp.upsertCustomer(customer, 'act-cf:customer');
    const error = await rejection(
      erp.upsertProject({ name: 'Acme rollout', customerId, contract: fixedFee }, 'act-cf:project'),
    );
    expect(error).toMatchObject({
      retryable: false,
      status: 400,
      field: 'custentity_handoff_contract_number',
    });
  });
});

describe('NetSuite project and billing schedule', () => {
  it('creates a fixed-fee project with a three-milestone schedule attached, idempotently', async () => {
    const { id, baseUrl } = await newInstance();
    const erp = connector(baseUrl);
    const cust = await erp.upsertCustomer(customer, 'act-ff:customer');
    const input = {
      name: 'Acme platform rollout',
      customerId: cust.id,
      contract: fixedFee,
      psaProjectId: 'ws-77',
      psaProjectUrl: 'https://app.mavenlink.com/workspaces/77',
    };
    const project = await erp.upsertProject(input, 'act-ff:project');
    const scheduleInput = {
      projectId: project.id,
      customerId: cust.id,
      schedule: milestoneSchedule,
      name: 'SOW-2025-001 milestones',
    };
    const schedule = await erp.upsertBillingSchedule(scheduleInput, 'act-ff:schedule');
    await erp.attachBillingSchedule(project.id, schedule.id);
    const again = await erp.upsertBillingSchedule(scheduleInput, 'act-ff:schedule');
    await erp.attachBillingSchedule(project.id, again.id);

    expect(project.url).toBe(
      `https://tstdrv42-sb1.app.netsuite.com/app/accounting/project/project.nl?id=${project.id}`,
    );
    expect(again).toMatchObject({ id: schedule.id });
    const s = await state(id);
    const job = s.records.job[project.id]!;
    expect(job.fields).toMatchObject({
      companyName: 'Acme platform rollout',
      parent: { id: cust.id },
      subsidiary: { id: '2' },
      currency: { id: '2' },
      startDate: '2025-01-06',
      projectedEndDate: '2025-06-30',
      jobBillingType: { id: 'FBM' },
      jobPrice: 30000.01,
      billingSchedule: { id: schedule.id },
      custentity_handoff_contract_number: 'SOW-2025-001',
      custentity_handoff_psa_id: 'ws-77',
      custentity_handoff_psa_url: 'https://app.mavenlink.com/workspaces/77',
    });
    const saved = s.records.billingSchedule[schedule.id]!;
    expect(saved.fields).toMatchObject({
      scheduleType: { id: 'FBM' },
      project: { id: project.id },
      name: 'SOW-2025-001 milestones',
    });
    expect(saved.sublists.milestone).toEqual([
      { milestoneAmount: 33.33, milestoneDate: '2025-02-01', comments: 'Discovery (EUR 10000.00)' },
      { milestoneAmount: 33.33, milestoneDate: '2025-04-01', comments: 'Build (EUR 10000.00)' },
      { milestoneAmount: 33.34, milestoneDate: '2025-06-30', comments: 'Go-live (EUR 10000.01)' },
    ]);
    expect(await effects(id)).toMatchObject({
      'job.create': 1,
      'billingSchedule.create': 1,
      'billingSchedule.update': 1,
    });
  });

  it('creates a time-and-materials project with its not-to-exceed and a monthly T&M schedule', async () => {
    const { id, baseUrl } = await newInstance();
    const erp = connector(baseUrl);
    const tm = contract({ type: 'time_and_materials', notToExceed: eur(8_000_000) }, 8_000_000);
    const cust = await erp.upsertCustomer(customer, 'act-tm:customer');
    const project = await erp.upsertProject(
      { name: 'Acme support', customerId: cust.id, contract: tm },
      'act-tm:project',
    );
    const schedule = await erp.upsertBillingSchedule(
      {
        projectId: project.id,
        customerId: cust.id,
        schedule: { type: 'time_and_materials', currency: 'EUR', lines: [], notToExceed: eur(8_000_000) },
        name: 'SOW T&M',
      },
      'act-tm:schedule',
    );
    await erp.attachBillingSchedule(project.id, schedule.id);
    const s = await state(id);
    expect(s.records.job[project.id]!.fields).toMatchObject({
      jobBillingType: { id: 'TM' },
      custentity_handoff_not_to_exceed: 80000,
      billingSchedule: { id: schedule.id },
    });
    expect(s.records.billingSchedule[schedule.id]!).toMatchObject({
      fields: { scheduleType: { id: 'TM' }, frequency: { id: 'MONTHLY' }, project: { id: project.id } },
      sublists: {},
    });
  });

  it('bills a retainer as a fixed-bid-interval schedule on set dates, with a ready access token', async () => {
    const { id, baseUrl } = await newInstance({ options: { accessTokens: ['ready-token'] } });
    const erp = connector(baseUrl, { auth: { accessToken: 'ready-token' } });
    const retainer = contract(
      { type: 'retainer', amountPerPeriod: eur(500_000), period: 'quarterly', periods: 3 },
      1_500_000,
    );
    const cust = await erp.upsertCustomer(customer, 'act-rt:customer');
    const project = await erp.upsertProject(
      { name: 'Acme retainer', customerId: cust.id, contract: retainer },
      'act-rt:project',
    );
    const lines = ['2025-01-06', '2025-04-06', '2025-07-06'].map((date, i) => ({
      key: `q${i + 1}`,
      description: `Q${i + 1}`,
      date,
      amount: eur(500_000),
    }));
    const schedule = await erp.upsertBillingSchedule(
      {
        projectId: project.id,
        customerId: cust.id,
        schedule: { type: 'fixed_recurring', currency: 'EUR', lines, frequency: 'quarterly' },
        name: 'Retainer',
      },
      'act-rt:schedule',
    );
    await erp.attachBillingSchedule(project.id, schedule.id);
    const s = await state(id);
    expect(s.records.job[project.id]!.fields).toMatchObject({
      jobBillingType: { id: 'FBI' },
      jobPrice: 15000,
      billingSchedule: { id: schedule.id },
    });
    expect(s.records.billingSchedule[schedule.id]!).toMatchObject({
      fields: { scheduleType: { id: 'FBI' }, frequency: { id: 'CUSTOM' } },
      sublists: {
        recurrence: [
          { recurrenceDate: '2025-01-06', amount: 33.34 },
          { recurrenceDate: '2025-04-06', amount: 33.33 },
          { recurrenceDate: '2025-07-06', amount: 33.33 },
        ],
      },
    });
    expect(await effects(id)).not.toHaveProperty('token.issue');
  });
});
