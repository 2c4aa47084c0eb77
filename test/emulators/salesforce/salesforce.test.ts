import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractSchema } from '../../../shared/model/contract';
import { sumMoney } from '../../../shared/model/money';
import { ConnectorError } from '../../../worker/connectors/errors';
import type { SalesforceConnectionInput } from '../../../worker/connectors/salesforce';
import { createSalesforceConnector } from '../../../worker/connectors/salesforce';
import { salesforceError } from '../../../worker/connectors/salesforce/sf-errors';
import { EMULATOR_OUTBOUND } from '../../support/outbound';
import { createSalesforceEmulator, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEMO_IDS } from './emulator';

const emulator = createSalesforceEmulator();
let server: { url: string; close(): Promise<void> };
let counter = 0;

beforeAll(async () => {
  server = await emulator.listen(0);
});
afterAll(async () => {
  await server.close();
});

async function newOrg(
  options: Record<string, unknown> = {},
  seed: string | undefined = 'demo',
): Promise<{ id: string; baseUrl: string }> {
  counter += 1;
  const res = await fetch(`${server.url}/__emulator/instances`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: `org${counter}`, config: { options }, seed }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; baseUrl: string };
}

async function effects(id: string): Promise<{ effects: Record<string, number>; requests: number }> {
  return (await (await fetch(`${server.url}/__emulator/instances/${id}/effects`)).json()) as {
    effects: Record<string, number>;
    requests: number;
  };
}

async function addFaults(id: string, rules: unknown[]): Promise<void> {
  const res = await fetch(`${server.url}/__emulator/instances/${id}/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rules }),
  });
  expect(res.status).toBe(200);
}

function connector(baseUrl: string, overrides: Partial<SalesforceConnectionInput> = {}) {
  return createSalesforceConnector(
    {
      instanceUrl: baseUrl,
      auth: { clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET },
      ...overrides,
    },
    { outbound: EMULATOR_OUTBOUND },
  );
}

async function caught(p: Promise<unknown>): Promise<ConnectorError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ConnectorError);
  return e as ConnectorError;
}

describe('Salesforce emulator, driven by jsforce unchanged', () => {
  it('issues a client-credentials token and answers queries, reads, updates and upserts as Salesforce does', async () => {
    const org = await newOrg();
    const conn = new Connection({
      loginUrl: org.baseUrl,
      version: '62.0',
      oauth2: { clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET, loginUrl: org.baseUrl },
    });
    const user = await conn.authorize({ grant_type: 'client_credentials' });
    expect(user.id).toBe(DEMO_IDS.user);
    expect(conn.instanceUrl).toBe(org.baseUrl);
    expect((await conn.identity()).username).toBe('handoff.integration@example.com');
    // What @salesforce/core does after a login: userinfo, then the User record by the user_id it names.
    const bearer = { authorization: `Bearer ${conn.accessToken}` };
    const info = (await (
      await fetch(`${org.baseUrl}/services/oauth2/userinfo`, { headers: bearer })
    ).json()) as { user_id: string; organization_id: string };
    expect(info.organization_id).toMatch(/^00D/);
    const userRecord = (await (
      await fetch(`${org.baseUrl}/services/data/v51.0/sobjects/User/${info.user_id}`, { headers: bearer })
    ).json()) as { Username: string };
    expect(userRecord.Username).toBe('handoff.integration@example.com');
    const versions = (await (await fetch(`${org.baseUrl}/services/data/`)).json()) as {
      version: string;
      label: string;
    }[];
    expect(versions.at(-1)).toEqual({ label: "Winter '25", url: '/services/data/v62.0', version: '62.0' });

    const won = await conn.query<{
      Name: string;
      Account: { Name: string };
      Contract: { Status: string } | null;
    }>(
      "SELECT Name, Account.Name, Contract.Status FROM Opportunity WHERE StageName = 'Closed Won' AND Amount >= 60000 ORDER BY Amount DESC",
    );
    expect(won.records.map((r) => [r.Name, r.Account.Name, r.Contract?.Status ?? null])).toEqual([
      ['Globex data platform', 'Globex Manufacturing', null],
      ['Northwind EHR rollout', 'Northwind Health', 'Activated'],
      ['Brandt S/4 finance transformation', 'Brandt Logistik GmbH', 'Activated'],
      ['Initech TPS modernisation', 'Initech', null],
    ]);
    expect(conn.limitInfo.apiUsage?.limit).toBe(100_000);

    const opp = (await conn.sobject('Opportunity').retrieve(DEMO_IDS.opportunities.globex)) as Record<
      string,
      unknown
    >;
    expect(opp.attributes).toEqual({
      type: 'Opportunity',
      url: `/services/data/v62.0/sobjects/Opportunity/${DEMO_IDS.opportunities.globex}`,
    });
    expect(opp.Handoff_Not_To_Exceed__c).toBe(250000);

    expect(
      await conn
        .sobject('Opportunity')
        .update({ Id: DEMO_IDS.opportunities.globex, Handoff_Status__c: 'Queued' }),
    ).toEqual({
      id: DEMO_IDS.opportunities.globex,
      success: true,
      errors: [],
    });
    const created = await conn.sobject('Opportunity').upsert(
      {
        Handoff_Activation_Id__c: 'ext-1',
        Name: 'Upserted',
        StageName: 'Prospecting',
        CloseDate: '2026-12-01',
      },
      'Handoff_Activation_Id__c',
    );
    expect(created).toMatchObject({ success: true, created: true });
    const again = await conn
      .sobject('Opportunity')
      .upsert({ Handoff_Activation_Id__c: 'ext-1', Name: 'Upserted again' }, 'Handoff_Activation_Id__c');
    expect(again).toMatchObject({ id: (created as { id: string }).id, success: true, created: false });
    expect((await effects(org.id)).effects).toMatchObject({
      'Opportunity.update': 2,
      'Opportunity.create': 1,
      'oauth.token': 1,
    });
  });

  it('refuses what Salesforce refuses, with its error codes', async () => {
    const org = await newOrg();
    const conn = new Connection({
      loginUrl: org.baseUrl,
      version: '62.0',
      oauth2: { clientId: DEFAULT_CLIENT_ID, clientSecret: 'wrong', loginUrl: org.baseUrl },
    });
    await expect(conn.authorize({ grant_type: 'client_credentials' })).rejects.toMatchObject({
      name: 'invalid_client',
    });

    const noAuth = await fetch(
      `${org.baseUrl}/services/data/v62.0/sobjects/Opportunity/${DEMO_IDS.opportunities.northwind}`,
    );
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toEqual([
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
    ]);

    const ok = new Connection({
      loginUrl: org.baseUrl,
      version: '62.0',
      oauth2: { clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET, loginUrl: org.baseUrl },
    });
    await ok.authorize({ grant_type: 'client_credentials' });
    await expect(
      ok.sobject('Opportunity').update({ Id: DEMO_IDS.opportunities.northwind, Bogus__c: 'x' }),
    ).rejects.toMatchObject({ errorCode: 'INVALID_FIELD' });
    await expect(ok.query('SELECT Id, Bogus__c FROM Account')).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
    });
    await expect(ok.query('SELECT Id FROM Bogus__c')).rejects.toMatchObject({ errorCode: 'INVALID_TYPE' });
    await expect(ok.query("SELECT Id FROM Opportunity WHERE Amount = '5'")).rejects.toMatchObject({
      errorCode: 'INVALID_QUERY_FILTER_OPERATOR',
    });
    await expect(
      ok.sobject('Opportunity').update({ Id: DEMO_IDS.opportunities.northwind, Handoff_Status__c: 'Done' }),
    ).rejects.toMatchObject({
      errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    });
    await expect(ok.sobject('Opportunity').retrieve('006000000000099AAA')).rejects.toMatchObject({
      errorCode: 'NOT_FOUND',
    });
    await expect(ok.sobject('Opportunity').create({ Name: 'No stage' })).rejects.toMatchObject({
      errorCode: 'REQUIRED_FIELD_MISSING',
    });
    expect((await effects(org.id)).effects['Opportunity.update']).toBeUndefined();
  });

  it('rolls back a composite and an sObject Collections call with allOrNone, and resolves @{} references', async () => {
    const org = await newOrg();
    const conn = new Connection({
      loginUrl: org.baseUrl,
      version: '62.0',
      oauth2: { clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET, loginUrl: org.baseUrl },
    });
    await conn.authorize({ grant_type: 'client_credentials' });
    const { northwind, brandt } = DEMO_IDS.opportunities;

    const batch = await conn.sobject('Opportunity').update(
      [
        { Id: northwind, Handoff_Status__c: 'Active' },
        { Id: brandt, Handoff_Status__c: 'Nope' },
      ],
      { allOrNone: true },
    );
    expect(batch.map((r) => (r as { errors: { statusCode: string }[] }).errors[0]?.statusCode)).toEqual([
      'ALL_OR_NONE_OPERATION_ROLLED_BACK',
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    ]);

    const composite = (await conn.requestPost('/composite', {
      allOrNone: true,
      compositeRequest: [
        {
          method: 'PATCH',
          url: `/services/data/v62.0/sobjects/Opportunity/${northwind}`,
          referenceId: 'first',
          body: { Handoff_Status__c: 'Active' },
        },
        {
          method: 'GET',
          url: `/services/data/v62.0/sobjects/Opportunity/${northwind}?fields=AccountId`,
          referenceId: 'opp',
        },
        {
          method: 'GET',
          url: '/services/data/v62.0/sobjects/Account/@{opp.AccountId}?fields=Name',
          referenceId: 'acc',
        },
        {
          method: 'PATCH',
          url: `/services/data/v62.0/sobjects/Opportunity/${brandt}`,
          referenceId: 'bad',
          body: { Nope__c: 1 },
        },
      ],
    })) as {
      compositeResponse: { httpStatusCode: number; referenceId: string; body: { errorCode: string }[] }[];
    };
    expect(
      composite.compositeResponse.map((r) => [r.referenceId, r.httpStatusCode, r.body[0]?.errorCode]),
    ).toEqual([
      ['first', 400, 'PROCESSING_HALTED'],
      ['opp', 400, 'PROCESSING_HALTED'],
      ['acc', 400, 'PROCESSING_HALTED'],
      ['bad', 400, 'INVALID_FIELD'],
    ]);
    const after = (await conn.sobject('Opportunity').retrieve(northwind)) as {
      Handoff_Status__c: string | null;
    };
    expect(after.Handoff_Status__c).toBeNull();
    expect((await effects(org.id)).effects['Opportunity.update']).toBeUndefined();

    const chained = (await conn.requestPost('/composite', {
      compositeRequest: [
        {
          method: 'GET',
          url: `/services/data/v62.0/sobjects/Opportunity/${northwind}?fields=AccountId`,
          referenceId: 'opp',
        },
        {
          method: 'GET',
          url: '/services/data/v62.0/sobjects/Account/@{opp.AccountId}?fields=Name',
          referenceId: 'acc',
        },
      ],
    })) as { compositeResponse: { body: { Name?: string } }[] };
    expect(chained.compositeResponse[1]?.body.Name).toBe('Northwind Health');
  });

  it('pages query results with nextRecordsUrl and serves a readable record page', async () => {
    const org = await newOrg({ queryBatchSize: 2 });
    const conn = new Connection({
      loginUrl: org.baseUrl,
      version: '62.0',
      oauth2: { clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET, loginUrl: org.baseUrl },
    });
    await conn.authorize({ grant_type: 'client_credentials' });
    const first = await conn.query<{ Name: string }>('SELECT Name FROM Handoff_Milestone__c ORDER BY Name');
    expect(first).toMatchObject({ totalSize: 8, done: false });
    expect(first.records).toHaveLength(2);
    const all = await conn
      .query<{ Name: string }>('SELECT Name FROM Handoff_Milestone__c')
      .run({ autoFetch: true, maxFetch: 100 });
    expect(all.records).toHaveLength(8);

    const page = await fetch(`${org.baseUrl}/lightning/r/${DEMO_IDS.opportunities.northwind}/view`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Northwind EHR rollout');
    expect(html).toContain('Discovery');
    expect((await fetch(`${org.baseUrl}/lightning/r/Opportunity/006000000000099AAA/view`)).status).toBe(404);
  });
});

describe('Salesforce connector: loadDeal', () => {
  it('reads a fixed-fee deal in exactly one composite call and maps it to a valid contract', async () => {
    const org = await newOrg();
    const crm = connector(org.baseUrl);
    await crm.loadDeal(DEMO_IDS.opportunities.globex); // fetches the token
    const before = await effects(org.id);
    const snap = await crm.loadDeal(DEMO_IDS.opportunities.northwind);
    const after = await effects(org.id);
    expect(after.requests - before.requests).toBe(1);
    expect(after.effects).toEqual(before.effects);

    const contract = ContractSchema.parse(snap.contract);
    expect(snap).toMatchObject({
      opportunityId: DEMO_IDS.opportunities.northwind,
      accountId: DEMO_IDS.accounts.northwind,
      contractId: DEMO_IDS.contracts.northwind,
    });
    expect(contract).toMatchObject({
      number: 'SOW-1001',
      status: 'signed',
      currency: 'USD',
      totalValue: { amountMinor: 15_000_000, currency: 'USD' },
      effectiveDate: '2026-10-15',
      signedAt: '2026-09-30T16:00:00.000+00:00',
      expensePolicy: { billable: true, travelNotToExceed: { amountMinor: 1_200_000, currency: 'USD' } },
      customer: {
        name: 'Northwind Health',
        billingAddress: {
          line1: '500 Harbor Blvd',
          line2: 'Suite 1200',
          city: 'San Diego',
          region: 'CA',
          postalCode: '92101',
          country: 'US',
        },
        taxRegistration: { scheme: 'EIN', number: '94-3145678', region: 'CA' },
      },
    });
    if (contract.billingModel.type !== 'fixed_fee') throw new Error('expected fixed fee');
    const { milestones } = contract.billingModel;
    expect(milestones.map((m) => [m.name, m.amount.amountMinor, m.clause])).toEqual([
      ['Discovery', 3_000_000, 'SOW §4.1'],
      ['Build', 8_000_000, 'SOW §4.2'],
      ['Go-live', 4_000_000, 'SOW §4.3'],
    ]);
    expect(milestones[1]?.deliverables).toEqual([
      'Configured EHR build',
      'Interface specifications',
      'Test scripts',
    ]);
    expect(
      sumMoney(
        milestones.map((m) => m.amount),
        'USD',
      ),
    ).toEqual(contract.totalValue);
    expect(crm.apiUsage()?.used).toBe(2);
  });

  it('reads a time-and-materials deal with its rate card, superseded rate and planned hours', async () => {
    const org = await newOrg();
    const snap = await connector(org.baseUrl).loadDeal(DEMO_IDS.opportunities.globex);
    const contract = ContractSchema.parse(snap.contract);
    expect(contract.status).toBe('signed');
    expect(contract.crmContractId).toBeUndefined();
    expect(contract.billingModel).toEqual({
      type: 'time_and_materials',
      notToExceed: { amountMinor: 25_000_000, currency: 'USD' },
    });
    const senior = contract.rateCard?.rates.filter((r) => r.role === 'Senior Consultant');
    expect(senior).toEqual([
      {
        role: 'Senior Consultant',
        rate: { amountMinor: 19_500, currency: 'USD' },
        unit: 'hour',
        effectiveFrom: '2026-01-01',
        effectiveTo: '2026-06-30',
      },
      {
        role: 'Senior Consultant',
        rate: { amountMinor: 21_000, currency: 'USD' },
        unit: 'hour',
        effectiveFrom: '2026-07-01',
      },
    ]);
    expect(
      Object.fromEntries(
        contract.rateCard!.rates.filter((r) => !r.effectiveTo).map((r) => [r.role, r.rate.amountMinor]),
      ),
    ).toEqual({
      'Engagement Lead': 27_500,
      'Senior Consultant': 21_000,
      Consultant: 16_500,
      Analyst: 12_000,
    });
    expect(Object.fromEntries(contract.team.map((t) => [t.role, t.plannedHours]))).toEqual({
      Analyst: 240,
      Consultant: 600,
      'Engagement Lead': 80,
      'Senior Consultant': 400,
    });
    expect(contract.team.find((t) => t.role === 'Senior Consultant')?.personName).toBe('Ravi Menon');
    expect(
      sumMoney(
        contract.lines.map((l) => l.total),
        'USD',
      ).amountMinor,
    ).toBe(23_380_000);
  });

  it('starts from a Contract id and reads a EUR deal', async () => {
    const org = await newOrg();
    const crm = connector(org.baseUrl);
    const before = await effects(org.id);
    const snap = await crm.loadDeal(DEMO_IDS.contracts.brandt);
    expect((await effects(org.id)).requests - before.requests).toBe(2); // token + one composite
    expect(snap.opportunityId).toBe(DEMO_IDS.opportunities.brandt);
    expect(snap.contractId).toBe(DEMO_IDS.contracts.brandt);
    const contract = ContractSchema.parse(snap.contract);
    expect(contract).toMatchObject({
      currency: 'EUR',
      totalValue: { amountMinor: 9_600_000, currency: 'EUR' },
      customer: { taxRegistration: { scheme: 'VAT', number: 'DE123456789' }, currency: 'EUR' },
    });
    if (contract.billingModel.type !== 'fixed_fee') throw new Error('expected fixed fee');
    expect(
      sumMoney(
        contract.billingModel.milestones.map((m) => m.amount),
        'EUR',
      ),
    ).toEqual(contract.totalValue);
    expect(await crm.resolveOpportunityId(DEMO_IDS.contracts.brandt)).toBe(DEMO_IDS.opportunities.brandt);
    expect(await crm.resolveOpportunityId(DEMO_IDS.opportunities.brandt.slice(0, 15))).toBe(
      DEMO_IDS.opportunities.brandt,
    );
  });

  it('maps an incomplete deal with the gaps undefined and sources that say where to fix them', async () => {
    const org = await newOrg();
    const snap = await connector(org.baseUrl).loadDeal(DEMO_IDS.opportunities.initech);
    const result = ContractSchema.safeParse(snap.contract);
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(['customer.billingAddress.postalCode', 'customer.taxRegistration.number']);
    expect(snap.sources['customer.taxRegistration.number']).toEqual({
      field: 'Account.Handoff_Tax_Number__c',
      label: 'Tax number on account Initech',
      recordId: DEMO_IDS.accounts.initech,
    });
    expect(snap.sources['customer.billingAddress.postalCode']).toEqual({
      field: 'Account.BillingPostalCode',
      label: 'Billing zip/postal code on account Initech',
      recordId: DEMO_IDS.accounts.initech,
    });
    // The milestones do not add up to the amount: both sides say where they come from.
    const contract = snap.contract as {
      totalValue: { amountMinor: number };
      billingModel: { milestones: { amount: { amountMinor: number } }[] };
    };
    expect(contract.billingModel.milestones.reduce((s, m) => s + m.amount.amountMinor, 0)).toBe(4_500_000);
    expect(contract.totalValue.amountMinor).toBe(6_000_000);
    expect(snap.sources.totalValue).toMatchObject({
      field: 'Opportunity.Amount',
      recordId: DEMO_IDS.opportunities.initech,
    });
    expect(snap.sources['billingModel.milestones.1.amount']).toMatchObject({
      field: 'Handoff_Milestone__c.Amount__c',
      recordId: DEMO_IDS.milestones.initechBuild,
    });
  });

  it('says NOT_FOUND for an unknown opportunity and refuses a malformed id without calling Salesforce', async () => {
    const org = await newOrg();
    const crm = connector(org.baseUrl);
    const missing = await caught(crm.loadDeal('006000000000099AAA'));
    expect(missing).toMatchObject({ code: 'NOT_FOUND', retryable: false });
    const before = await effects(org.id);
    expect(await caught(crm.loadDeal('001000000000001AAA'))).toMatchObject({
      code: 'MALFORMED_ID',
      retryable: false,
    });
    expect((await effects(org.id)).requests).toBe(before.requests);
  });
});

describe('Salesforce connector: writeBack', () => {
  it('writes the status and links onto the opportunity in one call, and a retry after a dropped response changes nothing', async () => {
    const org = await newOrg();
    const crm = connector(org.baseUrl);
    const opp = DEMO_IDS.opportunities.northwind;
    await crm.writeBack(
      opp,
      { status: 'Needs fixes', activationId: 'act-42', message: 'Tax number missing' },
      'act-42:status',
    );
    const update = {
      status: 'Active',
      activationId: 'act-42',
      psaProjectUrl: 'https://psa.example/projects/7',
      erpProjectId: 'PRJ-7',
      erpCustomerId: 'CUS-3',
    } as const;

    await addFaults(org.id, [{ kind: 'drop_after_commit', method: 'PATCH', times: 1 }]);
    const dropped = await caught(crm.writeBack(opp, update, 'act-42:active'));
    expect(dropped.retryable).toBe(true);
    await crm.writeBack(opp, update, 'act-42:active');

    const state = emulator.instances.get(org.id)!.state;
    expect(state.records.Opportunity![opp]).toMatchObject({
      Handoff_Status__c: 'Active',
      Handoff_Activation_Id__c: 'act-42',
      Handoff_Message__c: null,
      Handoff_PSA_Project_URL__c: 'https://psa.example/projects/7',
      Handoff_ERP_Project_Id__c: 'PRJ-7',
      Handoff_ERP_Customer_Id__c: 'CUS-3',
    });
    expect(typeof state.records.Opportunity![opp]!.Handoff_Last_Sync__c).toBe('string');
    const { effects: fx } = await effects(org.id);
    expect(fx['Opportunity.update']).toBe(3);
    expect(fx['Opportunity.create']).toBeUndefined();
  });
});

describe('Salesforce connector: errors', () => {
  it('a token the org refuses is not retryable, and a static token is not refreshed', async () => {
    const org = await newOrg();
    const bad = await caught(
      connector(org.baseUrl, { auth: { accessToken: 'bogus' } }).loadDeal(DEMO_IDS.opportunities.northwind),
    );
    expect(bad).toMatchObject({ code: 'INVALID_SESSION_ID', status: 401, retryable: false });
    expect(bad.fix).toMatch(/Reconnect Salesforce/);
    expect((await effects(org.id)).effects['oauth.token']).toBeUndefined();
  });

  it('refreshes a refused token exactly once, then gives up without retry', async () => {
    const org = await newOrg();
    await addFaults(org.id, [{ kind: 'error', status: 401, path: '^/services/data/' }]);
    const err = await caught(connector(org.baseUrl).loadDeal(DEMO_IDS.opportunities.northwind));
    expect(err).toMatchObject({ code: 'INVALID_SESSION_ID', retryable: false });
    expect((await effects(org.id)).effects['oauth.token']).toBe(2);
  });

  it('recovers when the org revoked the cached token', async () => {
    const org = await newOrg();
    const crm = connector(org.baseUrl);
    await crm.loadDeal(DEMO_IDS.opportunities.globex);
    emulator.instances.get(org.id)!.state.tokens = {};
    const snap = await crm.loadDeal(DEMO_IDS.opportunities.northwind);
    expect(snap.opportunityId).toBe(DEMO_IDS.opportunities.northwind);
    expect((await effects(org.id)).effects['oauth.token']).toBe(2);
  });

  it('wrong client credentials are a permanent error with a fix', async () => {
    const org = await newOrg();
    const err = await caught(
      connector(org.baseUrl, { auth: { clientId: DEFAULT_CLIENT_ID, clientSecret: 'nope' } }).loadDeal(
        DEMO_IDS.opportunities.northwind,
      ),
    );
    expect(err).toMatchObject({ code: 'invalid_client', status: 400, retryable: false });
    expect(err.fix).toMatch(/consumer key and secret/);
  });

  it('503, API limits and timeouts are retryable', async () => {
    const org = await newOrg();
    const crm = connector(org.baseUrl, { timeoutMs: 300 });
    await crm.loadDeal(DEMO_IDS.opportunities.globex);

    await addFaults(org.id, [{ kind: 'error', status: 503, path: '/composite$', times: 1 }]);
    expect(await caught(crm.loadDeal(DEMO_IDS.opportunities.northwind))).toMatchObject({
      status: 503,
      code: 'SERVER_UNAVAILABLE',
      retryable: true,
    });

    await addFaults(org.id, [{ kind: 'rate_limit', path: '/composite$', times: 1 }]);
    expect(await caught(crm.loadDeal(DEMO_IDS.opportunities.northwind))).toMatchObject({
      status: 403,
      code: 'REQUEST_LIMIT_EXCEEDED',
      retryable: true,
    });

    await addFaults(org.id, [{ kind: 'timeout', ms: 800, path: '/composite$', times: 1 }]);
    expect(await caught(crm.loadDeal(DEMO_IDS.opportunities.northwind))).toMatchObject({
      code: 'TIMEOUT',
      retryable: true,
    });

    await addFaults(org.id, [{ kind: 'outage', mode: 'reset', times: 1 }]);
    expect(await caught(crm.loadDeal(DEMO_IDS.opportunities.northwind))).toMatchObject({
      code: 'NETWORK',
      retryable: true,
    });

    const limited = await newOrg({ apiDailyLimit: 1 });
    const crm2 = connector(limited.baseUrl);
    await crm2.loadDeal(DEMO_IDS.opportunities.globex);
    expect(await caught(crm2.loadDeal(DEMO_IDS.opportunities.globex))).toMatchObject({
      status: 403,
      code: 'REQUEST_LIMIT_EXCEEDED',
      retryable: true,
    });
  });

  it('maps validation errors to permanent errors naming the field', () => {
    const invalidField = salesforceError(
      400,
      JSON.stringify([
        {
          message: "No such column 'Handoff_SOW_Number__c' on entity 'Opportunity'",
          errorCode: 'INVALID_FIELD',
        },
      ]),
    );
    expect(invalidField).toMatchObject({ code: 'INVALID_FIELD', retryable: false });
    expect(invalidField.fix).toMatch(/field-level access/);
    const picklist = salesforceError(400, [
      {
        message: 'bad value',
        errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        fields: ['Handoff_Status__c'],
      },
    ]);
    expect(picklist).toMatchObject({ retryable: false, field: 'Handoff_Status__c' });
    expect(salesforceError(500, '[{"message":"boom","errorCode":"UNKNOWN_EXCEPTION"}]').retryable).toBe(true);
  });
});
