/**
 * The emulated Salesforce as an OpenID Connect provider: the web server flow with PKCE as Salesforce documents
 * it, on a login host that signs in the users of every org (login.salesforce.com) and hands back tokens that
 * work at the user's own org.
 */
import { createHash, createHmac } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSalesforceEmulator, DEMO_CONSOLE_USER, DEMO_IDS } from './emulator';

const emulator = createSalesforceEmulator();
let server: { url: string; close(): Promise<void> };
const APP = {
  clientId: '3MVG9test.app',
  clientSecret: 'eca-secret',
  redirectUris: ['https://handoff.test/cb'],
};
const VERIFIER = 'v'.repeat(43);
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

beforeAll(async () => {
  server = await emulator.listen(0);
  emulator.createInstance('login', { options: { loginHost: true, oauthApps: [APP] } });
  emulator.createInstance('acme', { options: { orgName: 'Acme' } }, 'demo');
});
afterAll(async () => {
  await server.close();
});

const login = () => `${server.url}/i/login`;

function authorizeUrl(over: Record<string, string> = {}) {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: APP.clientId,
    redirect_uri: APP.redirectUris[0]!,
    scope: 'openid profile email',
    state: 'st',
    nonce: 'nn',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...over,
  });
  return `${login()}/services/oauth2/authorize?${q}`;
}

async function codeFor(loginHint: string): Promise<string> {
  const res = await fetch(authorizeUrl({ login_hint: loginHint, approve: '1' }), { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  expect(back.searchParams.get('state')).toBe('st');
  return back.searchParams.get('code')!;
}

async function redeem(over: Record<string, string>) {
  const res = await fetch(`${login()}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
      redirect_uri: APP.redirectUris[0]!,
      code_verifier: VERIFIER,
      ...over,
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

describe('the web server flow with PKCE', () => {
  it('shows a log-in page listing every org’s people, then a consent page', async () => {
    const page = await (await fetch(authorizeUrl())).text();
    expect(page).toContain('Log in to Salesforce');
    expect(page).toContain(DEMO_CONSOLE_USER.email);
    const consent = await (await fetch(authorizeUrl({ login_hint: DEMO_CONSOLE_USER.email }))).text();
    expect(consent).toContain('Allow Access?');
  });

  it('answers a token response with a verifiable id token whose subject is the identity URL', async () => {
    const { status, body } = await redeem({ code: await codeFor(DEMO_CONSOLE_USER.email) });
    expect(status).toBe(200);
    const acme = emulator.instances.get('acme')!;
    const id = `${login()}/id/${acme.state.orgId}/${DEMO_IDS.consoleUser}`;
    expect(body).toMatchObject({ instance_url: `${server.url}/i/acme`, id, token_type: 'Bearer' });
    expect(body.refresh_token).toBeTruthy();
    expect(body.signature).toBe(
      createHmac('sha256', APP.clientSecret)
        .update(id + body.issued_at)
        .digest('base64'),
    );
    const { payload } = await jwtVerify(body.id_token!, createRemoteJWKSet(new URL(`${login()}/id/keys`)), {
      issuer: login(),
      audience: APP.clientId,
    });
    expect(payload).toMatchObject({ sub: id, nonce: 'nn', email: DEMO_CONSOLE_USER.email });
    // The access token works at the user's org and at the login host's userinfo.
    for (const base of [`${server.url}/i/acme`, login()]) {
      const info = await fetch(`${base}/services/oauth2/userinfo`, {
        headers: { authorization: `Bearer ${body.access_token}` },
      });
      expect(info.status).toBe(200);
      expect(await info.json()).toMatchObject({
        user_id: DEMO_IDS.consoleUser,
        organization_id: acme.state.orgId,
      });
    }
  });

  it('refuses a wrong verifier, a wrong secret, another callback URL, a code used twice', async () => {
    const email = DEMO_CONSOLE_USER.email;
    expect(await redeem({ code: await codeFor(email), code_verifier: 'w'.repeat(43) })).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'invalid code verifier' },
    });
    expect(await redeem({ code: await codeFor(email), client_secret: 'guess' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_client' },
    });
    expect(await redeem({ code: await codeFor(email), redirect_uri: 'https://evil.test/cb' })).toMatchObject({
      status: 400,
      body: { error: 'redirect_uri_mismatch' },
    });
    const code = await codeFor(email);
    expect((await redeem({ code })).status).toBe(200);
    expect(await redeem({ code })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('shows its error page for an unknown app or callback URL, and sends back access_denied when denied', async () => {
    expect((await fetch(authorizeUrl({ client_id: 'nope' }))).status).toBe(400);
    expect((await fetch(authorizeUrl({ redirect_uri: 'https://evil.test/cb' }))).status).toBe(400);
    const denied = await fetch(authorizeUrl({ login_hint: DEMO_CONSOLE_USER.email, deny: '1' }), {
      redirect: 'manual',
    });
    expect(new URL(denied.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
  });
});
