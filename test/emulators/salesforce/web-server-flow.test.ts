/**
 * The emulated org's OAuth 2.0 web server flow (PKCE) and its setup for Handoff (fields, objects, the package),
 * as Salesforce documents them: what a relying party must get right, and what an org may lack.
 */
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDOFF_EXTERNAL_CLIENT_APP as APP, createSalesforceEmulator } from './emulator';

const emulator = createSalesforceEmulator();
let server: { url: string; close(): Promise<void> };
let n = 0;

beforeAll(async () => {
  server = await emulator.listen(0);
});
afterAll(async () => {
  await server.close();
});

async function org(options: Record<string, unknown> = {}) {
  n += 1;
  const res = await fetch(`${server.url}/__emulator/instances`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: `wsf${n}`, seed: 'demo', config: { options } }),
  });
  return (await res.json()) as { id: string; baseUrl: string };
}

const REDIRECT = 'https://handoff.example.com/v1/console/connections/crm/callback';
const verifier = 'a-verifier-of-at-least-forty-three-characters-long-0123456789';
const challenge = createHash('sha256').update(verifier).digest('base64url');

/** Authorize, then allow on the consent page: the code. */
async function codeFor(baseUrl: string, extra: Record<string, string> = {}) {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: APP.clientId,
    redirect_uri: REDIRECT,
    state: 's1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    scope: 'api refresh_token',
    ...extra,
  });
  const page = await (await fetch(`${baseUrl}/services/oauth2/authorize?${q}`)).text();
  expect(page).toContain('Allow Access?');
  const request = /name="request" value="([^"]+)"/.exec(page)![1]!;
  const res = await fetch(`${baseUrl}/services/oauth2/authorize/consent`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request, username: 'handoff.integration@example.com', decision: 'allow' }),
    redirect: 'manual',
  });
  const back = new URL(res.headers.get('location')!);
  expect(back.searchParams.get('state')).toBe('s1');
  return back.searchParams.get('code')!;
}

const token = (baseUrl: string, form: Record<string, string>) =>
  fetch(`${baseUrl}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: APP.clientId, client_secret: APP.clientSecret, ...form }),
  });

describe('the web server flow', () => {
  it('redeems a code once, with the PKCE verifier, for signed tokens and a refresh token', async () => {
    const { baseUrl } = await org();
    const code = await codeFor(baseUrl);
    const wrong = await token(baseUrl, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: `${verifier}x`,
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'invalid code verifier',
    });
    // The failed attempt used the code up.
    const again = await token(baseUrl, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect(again.status).toBe(400);

    const fresh = await codeFor(baseUrl);
    const ok = await token(baseUrl, {
      grant_type: 'authorization_code',
      code: fresh,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    const body = (await ok.json()) as Record<string, string>;
    expect(ok.status).toBe(200);
    expect(body.signature).toBe(
      createHmac('sha256', APP.clientSecret).update(`${body.id}${body.issued_at}`).digest('base64'),
    );
    expect(body.refresh_token).toMatch(/^5Aep/);
    const refreshed = await token(baseUrl, {
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token!,
    });
    expect(refreshed.status).toBe(200);
    await fetch(`${baseUrl}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: body.refresh_token! }),
    });
    const revoked = await token(baseUrl, { grant_type: 'refresh_token', refresh_token: body.refresh_token! });
    expect(await revoked.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('shows its own error page for an unknown app or callback, and sends a denial back to the callback', async () => {
    const { baseUrl } = await org();
    const unknown = await fetch(
      `${baseUrl}/services/oauth2/authorize?response_type=code&client_id=nope&redirect_uri=${encodeURIComponent(REDIRECT)}`,
    );
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('invalid_client_id');
    const page = await (
      await fetch(
        `${baseUrl}/services/oauth2/authorize?response_type=code&client_id=${APP.clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}&state=z`,
      )
    ).text();
    const request = /name="request" value="([^"]+)"/.exec(page)![1]!;
    const denied = await fetch(`${baseUrl}/services/oauth2/authorize/consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request, decision: 'deny' }),
      redirect: 'manual',
    });
    const back = new URL(denied.headers.get('location')!);
    expect(Object.fromEntries(back.searchParams)).toEqual({
      error: 'access_denied',
      error_description: 'end-user denied authorization',
      state: 'z',
    });
  });
});

describe("the org's setup for Handoff", () => {
  const bearer = { authorization: 'Bearer setup-reader' };

  it('leaves a missing field out of describe and refuses it in SOQL; a missing object answers 404', async () => {
    const { baseUrl } = await org({
      staticTokens: ['setup-reader'],
      missingFields: ['Opportunity.Handoff_Billing_Model__c'],
      missingObjects: ['Handoff_Rate__c'],
    });
    const d = (await (
      await fetch(`${baseUrl}/services/data/v62.0/sobjects/Opportunity/describe`, { headers: bearer })
    ).json()) as { fields: { name: string }[] };
    const names = d.fields.map((f) => f.name);
    expect(names).toContain('Handoff_SOW_Number__c');
    expect(names).not.toContain('Handoff_Billing_Model__c');
    const q = await fetch(
      `${baseUrl}/services/data/v62.0/query?q=${encodeURIComponent('SELECT Handoff_Billing_Model__c FROM Opportunity')}`,
      { headers: bearer },
    );
    expect(q.status).toBe(400);
    expect(((await q.json()) as { errorCode: string }[])[0]!.errorCode).toBe('INVALID_FIELD');
    const rate = await fetch(`${baseUrl}/services/data/v62.0/sobjects/Handoff_Rate__c/describe`, {
      headers: bearer,
    });
    expect(rate.status).toBe(404);
  });

  it('answers the Tooling API for the installed package or the deployed components', async () => {
    const tooling = async (baseUrl: string, q: string) =>
      (
        (await (
          await fetch(`${baseUrl}/services/data/v62.0/tooling/query?q=${encodeURIComponent(q)}`, {
            headers: bearer,
          })
        ).json()) as { records: Record<string, unknown>[] }
      ).records;
    const deployed = await org({ staticTokens: ['setup-reader'] });
    const packaged = await org({ staticTokens: ['setup-reader'], handoffPlugin: 'package' });
    const absent = await org({ staticTokens: ['setup-reader'], handoffPlugin: 'absent' });
    const card =
      "SELECT Id, DeveloperName FROM LightningComponentBundle WHERE DeveloperName = 'handoffActivationCard'";
    expect(await tooling(deployed.baseUrl, card)).toHaveLength(1);
    expect(await tooling(absent.baseUrl, card)).toHaveLength(0);
    const pkgs = await tooling(
      packaged.baseUrl,
      'SELECT Id, SubscriberPackage.Name FROM InstalledSubscriberPackage',
    );
    expect(pkgs[0]).toMatchObject({ SubscriberPackage: { Name: 'Handoff' } });
  });
});
