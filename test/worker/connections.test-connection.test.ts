/**
 * "Test connection" in the console: a real read of each system through its connector, each thing Handoff needs
 * reported with what to fix, against emulated systems that lack it (an org without Handoff's fields, deals naming
 * a template and a role Kantata lacks, a NetSuite item that is not there, DocuSign without a key or a message, a
 * Teams bot nobody installed).
 */
import { describe, expect, it } from 'vitest';
import { signConnectBody } from '../../worker/connectors/docusign';
import { netsuiteTestCredentials } from '../emulators/netsuite/credentials';
import { api, bareFirm, check, connectByOAuth, testOf } from './connections-harness';
import {
  activate,
  connectTeams,
  embedToken,
  fastWorkflows,
  type Json,
  json,
  newTenant,
  PEOPLE,
  psaProjectIdOf,
  testEnv,
  waitForActivation,
  workerFetch,
} from './harness';

const EMU = testEnv.EMULATORS;

describe('testing the Salesforce connection', () => {
  it('passes for an org with the Handoff package, reading it with the refresh token the admin obtained', async () => {
    const firm = await bareFirm();
    await connectByOAuth(firm, 'crm');
    const before = (await (
      await fetch(`${EMU.salesforce}/__emulator/instances/${firm.sf.id}/effects`)
    ).json()) as Json;
    const result = await testOf(firm.admin, 'crm');
    expect(result.checks.filter((c: Json) => !c.ok)).toEqual([]);
    expect(result).toMatchObject({ role: 'crm', system: 'salesforce', ok: true });
    expect(check(result, 'Sign-in').message).toMatch(/^Connected to .+ \(00D/);
    expect(check(result, 'API requests left today').ok).toBe(true);
    // A new access token came from the stored refresh token (nothing else can mint one for this firm).
    const after = (await (
      await fetch(`${EMU.salesforce}/__emulator/instances/${firm.sf.id}/effects`)
    ).json()) as Json;
    expect(after.effects['oauth.token']).toBe((before.effects['oauth.token'] ?? 0) + 1);
  });

  it("fails for an org without Handoff's Billing model field on Opportunity, naming it and how to fix it", async () => {
    const firm = await bareFirm({ sfOptions: { missingFields: ['Opportunity.Handoff_Billing_Model__c'] } });
    await connectByOAuth(firm, 'crm');
    const result = await testOf(firm.admin, 'crm');
    expect(result.ok).toBe(false);
    const fields = check(result, 'Handoff fields on Opportunity');
    expect(fields).toMatchObject({
      ok: false,
      message: 'Missing on Opportunity: Handoff_Billing_Model__c (Billing model).',
    });
    expect(fields.fix).toMatch(/npm run sf:deploy/);
    expect(fields.fix).toMatch(/Handoff_Admin permission set/);
    // Only that check fails: the rest of the org is read as usual.
    expect(result.checks.filter((c: Json) => !c.ok).map((c: Json) => c.name)).toEqual([
      'Handoff fields on Opportunity',
    ]);
    // The console's overview shows the latest test.
    const overview = await json(await api(firm.admin, 'GET', '/v1/console/connections'));
    const crm = overview.connections.find((c: Json) => c.role === 'crm');
    expect(crm.lastTest).toMatchObject({ ok: false, failed: ['Handoff fields on Opportunity'] });
  });

  it('reports an object the org lacks, and a revoked authorization with the fix to reconnect', async () => {
    const firm = await bareFirm({ sfOptions: { missingObjects: ['Handoff_Rate__c'] } });
    await connectByOAuth(firm, 'crm');
    expect(check(await testOf(firm.admin, 'crm'), 'Rates object')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/Handoff_Rate__c object is not in this org/),
    });
    // Someone revokes Handoff's access in Salesforce (Connected Apps OAuth Usage › Revoke).
    const state = (await (
      await fetch(`${EMU.salesforce}/__emulator/instances/${firm.sf.id}/state`)
    ).json()) as Json;
    const [refreshToken] = Object.keys(state.refreshTokens);
    await fetch(`${firm.sf.baseUrl}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshToken! }).toString(),
    });
    // A fresh isolate-level token may still be cached from the first test; drop it the way Salesforce does.
    for (const token of Object.keys(state.tokens))
      await fetch(`${firm.sf.baseUrl}/services/oauth2/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      });
    const result = await testOf(firm.admin, 'crm');
    expect(result.checks).toEqual([
      expect.objectContaining({
        name: 'Sign-in',
        ok: false,
        fix: expect.stringMatching(/Reconnect Salesforce in the Handoff console/),
      }),
    ]);
  });
});

describe('testing the Kantata connection', () => {
  it('compares the templates and roles the deals name with what Kantata has, and says what to create', async () => {
    const firm = await bareFirm({ sfOptions: { staticTokens: ['sales-ops-writer'] } });
    await connectByOAuth(firm, 'crm');
    await connectByOAuth(firm, 'psa');
    const first = await testOf(firm.admin, 'psa');
    expect(first.checks.filter((c: Json) => !c.ok)).toEqual([]);
    expect(check(first, 'Sign-in').message).toMatch(/^Connected as /);

    // Sales ops sells a new kind of engagement: a template and a role Kantata does not have yet.
    const sf = (path: string, body: unknown) =>
      fetch(`${firm.sf.baseUrl}/services/data/v62.0/sobjects/${path}`, {
        method: 'POST',
        headers: { authorization: 'Bearer sales-ops-writer', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ id: string }>);
    const opp = await sf('Opportunity', {
      Name: 'Acme · managed services',
      StageName: 'Closed Won',
      CloseDate: '2026-11-30',
      Handoff_Project_Template__c: 'managed-services',
    });
    await sf('Handoff_Rate__c', { Opportunity__c: opp.id, Role__c: 'Solution Architect', Rate__c: 210 });

    const result = await testOf(firm.admin, 'psa');
    expect(result.ok).toBe(false);
    expect(check(result, 'Project templates')).toMatchObject({
      ok: false,
      message: expect.stringContaining('"managed-services"'),
      fix: expect.stringMatching(/Create a Kantata project template titled "managed-services"/),
    });
    expect(check(result, 'Roles')).toMatchObject({
      ok: false,
      message: 'Your rate cards name roles Kantata does not have: "Solution Architect".',
      fix: expect.stringMatching(/Add the role "Solution Architect" in Kantata/),
    });
  });

  it('without Salesforce connected, checks what Kantata has and says the names cannot be compared yet', async () => {
    const firm = await bareFirm();
    await connectByOAuth(firm, 'psa');
    const result = await testOf(firm.admin, 'psa');
    expect(result.ok).toBe(true);
    expect(check(result, 'Roles').message).toMatch(/Connect Salesforce to compare/);
  });
});

describe('NetSuite: machine to machine, then subsidiaries and items chosen from live lists', () => {
  async function netsuiteFirm() {
    const firm = await bareFirm();
    const creds = await netsuiteTestCredentials();
    const accountId = `TSTDRV${crypto.randomUUID().slice(0, 6).toUpperCase()}`;
    const ns = (await (
      await fetch(`${EMU.netsuite}/__emulator/instances`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id: `ns-${accountId}`,
          seed: 'demo',
          config: { options: { ...creds.options, accountId } },
        }),
      })
    ).json()) as { id: string; baseUrl: string };
    const body = {
      accountId,
      clientId: creds.clientId,
      certificateId: creds.certificateId,
      privateKeyPem: creds.privateKeyPem,
      algorithm: creds.algorithm,
      baseUrl: ns.baseUrl,
      uiBaseUrl: ns.baseUrl,
    };
    return { firm, creds, ns, body };
  }

  it('refuses a certificate NetSuite does not know, with where to fix it, and stores nothing', async () => {
    const { firm, body } = await netsuiteFirm();
    const res = await api(firm.admin, 'PUT', '/v1/console/connections/erp/credentials', {
      ...body,
      certificateId: 'not-the-uploaded-certificate',
    });
    expect(res.status).toBe(422);
    const err = (await json(res)).error;
    expect(err.details[0].fix).toMatch(/OAuth 2.0 Client Credentials \(M2M\) Setup/);
    expect((await json(await api(firm.admin, 'GET', '/v1/admin/connections'))).connections).toEqual([]);
  });

  it('connects, lists subsidiaries and items from NetSuite, saves the choices, and the test then passes', async () => {
    const { firm, body, creds } = await netsuiteFirm();
    const saved = await api(firm.admin, 'PUT', '/v1/console/connections/erp/credentials', body);
    expect(saved.status).toBe(200);
    const { choices } = await json(saved);
    expect(choices.subsidiaries.map((s: Json) => s.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/Inc\.|LLC|GmbH/)]),
    );
    expect(choices.items.map((i: Json) => i.name)).toEqual(
      expect.arrayContaining(['Professional Services', 'Reimbursable Expenses', 'Milestone Billing']),
    );
    // The key never comes back, in any answer.
    const overview = await api(firm.admin, 'GET', '/v1/console/connections');
    expect(await overview.clone().text()).not.toContain(creds.privateKeyPem.slice(40, 80));

    const before = await testOf(firm.admin, 'erp');
    expect(check(before, 'Sign-in (OAuth 2.0 client credentials)').ok).toBe(true);
    expect(check(before, 'Subsidiaries')).toMatchObject({ ok: false, fix: expect.stringMatching(/Choose/) });

    const live = await json(await api(firm.admin, 'GET', '/v1/console/connections/erp/choices'));
    const item = (name: string) => live.items.find((i: Json) => i.name === name).id;
    const selections = {
      subsidiaryIds: live.subsidiaries.map((s: Json) => s.id),
      defaultSubsidiaryId: live.subsidiaries[0].id,
      items: {
        time: item('Professional Services'),
        expense: item('Reimbursable Expenses'),
        invoice: item('Milestone Billing'),
      },
    };
    const wrong = await api(firm.admin, 'PUT', '/v1/console/connections/erp/selections', {
      ...selections,
      items: { ...selections.items, invoice: '999999' },
    });
    expect(wrong.status).toBe(422);
    expect((await json(wrong)).error.details).toEqual([
      expect.objectContaining({ field: 'items.invoice', message: 'NetSuite has no active item 999999' }),
    ]);
    const ok = await api(firm.admin, 'PUT', '/v1/console/connections/erp/selections', selections);
    expect(ok.status).toBe(200);
    expect((await json(ok)).config.subsidiaryIds).toEqual(
      Object.fromEntries(live.subsidiaries.map((s: Json) => [s.name, s.id])),
    );
    const after = await testOf(firm.admin, 'erp');
    expect(after.checks.filter((c: Json) => !c.ok)).toEqual([]);
  });

  it("reports the permission the integration's role lacks when NetSuite refuses SuiteQL", async () => {
    const { firm, body, ns } = await netsuiteFirm();
    expect((await api(firm.admin, 'PUT', '/v1/console/connections/erp/credentials', body)).status).toBe(200);
    // The administrator takes SuiteAnalytics Workbook away from the role the certificate is mapped to.
    await fetch(`${EMU.netsuite}/__emulator/instances/${ns.id}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        rules: [{ kind: 'error', status: 403, path: '^/services/rest/query/v1/suiteql' }],
      }),
    });
    const result = await testOf(firm.admin, 'erp');
    expect(check(result, 'Sign-in (OAuth 2.0 client credentials)').ok).toBe(true);
    expect(check(result, 'SuiteQL access')).toMatchObject({
      ok: false,
      fix: expect.stringMatching(/REST Web Services \(Full\), SuiteAnalytics Workbook/),
    });
  });

  it('reports an item the connection bills through that NetSuite does not have', async () => {
    const { firm, body } = await netsuiteFirm();
    expect((await api(firm.admin, 'PUT', '/v1/console/connections/erp/credentials', body)).status).toBe(200);
    expect(check(await testOf(firm.admin, 'erp'), 'Items').ok).toBe(true);
    // The firm names an invoice item nobody created in NetSuite (through the admin API, as before the console).
    const res = await api(firm.admin, 'PUT', '/v1/admin/connections/erp', {
      system: 'netsuite',
      config: {
        accountId: body.accountId,
        baseUrl: body.baseUrl,
        uiBaseUrl: body.uiBaseUrl,
        auth: { clientId: body.clientId, certificateId: body.certificateId, algorithm: body.algorithm },
        items: { invoice: 'Fixed Fee Billing' },
      },
      secrets: { auth: { privateKeyPem: body.privateKeyPem } },
    });
    expect(res.status).toBe(200);
    const result = await testOf(firm.admin, 'erp');
    expect(check(result, 'Items')).toMatchObject({
      ok: false,
      message: 'NetSuite has no item "Fixed Fee Billing" (invoice).',
      fix: expect.stringMatching(/Create this item in NetSuite/),
    });
  });
});

describe('DocuSign Connect: listener URL, keys and their rotation', () => {
  const envelope = JSON.stringify({ event: 'envelope-sent', data: { envelopeId: crypto.randomUUID() } });
  const deliver = async (tenantId: string, keys: string[]) =>
    workerFetch(`http://handoff/v1/webhooks/docusign/${tenantId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...Object.fromEntries(
          await Promise.all(
            keys.map(async (k, i) => [`x-docusign-signature-${i + 1}`, await signConnectBody(k, envelope)]),
          ),
        ),
      },
      body: envelope,
    });
  const newKey = () => btoa(`${crypto.randomUUID()}${crypto.randomUUID()}`).slice(0, 44);

  it('shows the listener URL, takes the key DocuSign created, verifies with it, and never shows it again', async () => {
    const firm = await bareFirm();
    expect(check(await testOf(firm.admin, 'clm'), 'Connected').ok).toBe(false);
    const overview = await json(await api(firm.admin, 'GET', '/v1/console/connections'));
    expect(overview.listenerUrl).toBe(`http://handoff/v1/webhooks/docusign/${firm.tenantId}`);

    const key1 = newKey();
    const added = await api(firm.admin, 'POST', '/v1/console/connections/clm/keys', { key: key1 });
    expect(added.status).toBe(201);
    const addedText = await added.text();
    expect(addedText).not.toContain(key1);
    expect(JSON.parse(addedText).keys).toEqual([
      expect.objectContaining({ id: expect.stringMatching(/^csk_/), retiresAt: null, active: true }),
    ]);
    const untested = await testOf(firm.admin, 'clm');
    expect(check(untested, 'Connect keys').ok).toBe(true);
    expect(check(untested, 'Messages')).toMatchObject({
      ok: false,
      fix: expect.stringContaining(`http://handoff/v1/webhooks/docusign/${firm.tenantId}`),
    });

    expect((await deliver(firm.tenantId, [key1])).status).not.toBe(401);
    expect((await deliver(firm.tenantId, [newKey()])).status).toBe(401);
    const tested = await testOf(firm.admin, 'clm');
    expect(tested.checks.filter((c: Json) => !c.ok)).toEqual([]);
    const all = await api(firm.admin, 'GET', '/v1/console/connections');
    expect(await all.text()).not.toContain(key1);
  });

  it('rotates: the previous key verifies during the overlap, stops when retired, and the last key stays', async () => {
    const firm = await bareFirm();
    const [key1, key2] = [newKey(), newKey()];
    await api(firm.admin, 'POST', '/v1/console/connections/clm/keys', { key: key1 });
    const rotated = await json(
      await api(firm.admin, 'POST', '/v1/console/connections/clm/keys', { key: key2, overlapHours: 24 }),
    );
    const [old, current] = rotated.keys;
    expect(Date.parse(old.retiresAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect(current.retiresAt).toBeNull();
    // During the overlap DocuSign signs with both keys, or still only the old one: both verify.
    expect((await deliver(firm.tenantId, [key1])).status).not.toBe(401);
    expect((await deliver(firm.tenantId, [key1, key2])).status).not.toBe(401);
    const test = await testOf(firm.admin, 'clm');
    expect(check(test, 'Connect keys').fix).toMatch(/Delete the previous key in DocuSign/);

    const retired = await api(firm.admin, 'DELETE', `/v1/console/connections/clm/keys/${old.id}`);
    expect(retired.status).toBe(200);
    expect((await deliver(firm.tenantId, [key1])).status).toBe(401);
    expect((await deliver(firm.tenantId, [key2])).status).not.toBe(401);
    const last = await api(firm.admin, 'DELETE', `/v1/console/connections/clm/keys/${current.id}`);
    expect(last.status).toBe(409);
    expect((await json(last)).error.details[0].fix).toMatch(/Add its replacement first/);

    // A rotation without overlap retires the previous key at once.
    const key3 = newKey();
    await api(firm.admin, 'POST', '/v1/console/connections/clm/keys', { key: key3, overlapHours: 0 });
    expect((await deliver(firm.tenantId, [key2])).status).toBe(401);
    expect((await deliver(firm.tenantId, [key3])).status).not.toBe(401);
  });

  it("refuses one firm's admin acting on another firm's key", async () => {
    const [a, b] = await Promise.all([bareFirm(), bareFirm()]);
    const added = await json(
      await api(a.admin, 'POST', '/v1/console/connections/clm/keys', { key: newKey() }),
    );
    const foreign = await api(b.admin, 'DELETE', `/v1/console/connections/clm/keys/${added.keys[0].id}`);
    expect(foreign.status).toBe(404);
    const bView = await api(b.admin, 'GET', '/v1/console/connections');
    expect(await bView.text()).not.toContain(added.keys[0].id);
  });
});

describe('Teams: the proven organisation, the bot and who approves', () => {
  it('says the bot is not installed until someone of the firm has it, then passes', async () => {
    const t = await newTenant();
    const unconnected = await testOf(t.keys.admin, 'teams');
    expect(check(unconnected, 'Microsoft 365 organisation')).toMatchObject({ ok: false });
    expect(check(unconnected, 'Bot credentials').ok).toBe(true);

    // The console's Teams step is the organisation's proof (an administrator signs in).
    const started = await api(t.keys.admin, 'POST', '/v1/console/connections/teams/authorize', {
      system: 'teams',
    });
    expect(started.status).toBe(201);
    expect((await json(started)).authorizeUrl).toMatch(/\/organizations\/oauth2\/v2\.0\/authorize\?/);

    const tid = await connectTeams(t);
    const beforeInstall = await testOf(t.keys.admin, 'teams');
    expect(check(beforeInstall, 'Microsoft 365 organisation').ok).toBe(true);
    expect(check(beforeInstall, 'Bot installed')).toMatchObject({
      ok: false,
      fix: expect.stringMatching(/Upload the Handoff Teams app/),
    });
    const plugins = await json(await api(t.keys.admin, 'GET', '/v1/console/plugins'));
    expect(plugins.plugins.find((p: Json) => p.plugin === 'teams')).toMatchObject({
      installed: false,
      command: expect.stringMatching(/package\.ts --host handoff --bot-app-id /),
    });

    await installBot(tid, PEOPLE.ava);
    const after = await testOf(t.keys.admin, 'teams');
    expect(after.checks.filter((c: Json) => !c.ok)).toEqual([]);
  });
});

describe('plugin status', () => {
  it('asks the org whether the Salesforce package is there: deployed, installed as a package, or absent', async () => {
    for (const [handoffPlugin, installed, message] of [
      ['deployed', true, /Deployed from source/],
      ['package', true, /Package Handoff 1\.4 is installed/],
      ['absent', false, /not in the org/],
    ] as const) {
      const firm = await bareFirm({ sfOptions: { handoffPlugin } });
      await connectByOAuth(firm, 'crm');
      const { plugins } = await json(await api(firm.admin, 'GET', '/v1/console/plugins'));
      const sf = plugins.find((p: Json) => p.plugin === 'salesforce');
      expect(sf.installed, handoffPlugin).toBe(installed);
      expect(sf.message, handoffPlugin).toMatch(message);
      if (!installed) expect(sf.fix).toMatch(/npm run sf:deploy/);
    }
  });

  it('counts the sidebar as embedded once its host mints tokens', async () => {
    const t = await newTenant();
    const before = (await json(await api(t.keys.admin, 'GET', '/v1/console/plugins'))).plugins;
    expect(before.find((p: Json) => p.plugin === 'sidebar')).toMatchObject({
      installed: false,
      lastSeenAt: null,
    });
    expect(before.find((p: Json) => p.plugin === 'salesforce').installed).toBe(true);
    // A project Handoff provisioned, and the PSA host minting a token for it.
    await using _wf = await fastWorkflows();
    await activate(t, '006000000000002AAA');
    await embedToken(t, psaProjectIdOf(await waitForActivation(t, '006000000000002AAA')));
    const after = (await json(await api(t.keys.admin, 'GET', '/v1/console/plugins'))).plugins;
    expect(after.find((p: Json) => p.plugin === 'sidebar')).toMatchObject({
      installed: true,
      lastSeenAt: expect.any(String),
    });
  });
});

/** The Teams client telling the bot it was installed for `person` (an installationUpdate on their 1:1 chat). */
async function installBot(tid: string, person: { aadObjectId: string; name: string }) {
  const { token, serviceUrl } = (await (
    await fetch(`${EMU.botframework}/__emulator/instances/teams/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ variant: 'valid' }),
    })
  ).json()) as { token: string; serviceUrl: string };
  const res = await workerFetch('http://handoff/v1/teams/messages', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'installationUpdate',
      action: 'add',
      id: crypto.randomUUID(),
      channelId: 'msteams',
      serviceUrl,
      from: { id: `29:${person.aadObjectId}`, aadObjectId: person.aadObjectId, name: person.name },
      recipient: { id: '28:handoff-bot', name: 'Handoff' },
      conversation: { id: `a:${person.aadObjectId}`, tenantId: tid, conversationType: 'personal' },
      channelData: { tenant: { id: tid } },
    }),
  });
  if (!res.ok) throw new Error(`installationUpdate: ${res.status} ${await res.text()}`);
}
