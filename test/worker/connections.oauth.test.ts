/**
 * Connecting a firm's Salesforce org (web server flow with PKCE) and Kantata account (authorization code) from
 * the console, end to end against the emulated vendors: the admin starts, a person of the firm allows Handoff on
 * the vendor's consent page, the browser lands on Handoff's callback and then back in the console.
 */
import { describe, expect, it } from 'vitest';
import { consent, consoleLanding, followToCallback, startConnection } from '../support/connect-oauth';
import {
  firstAdminInvitation,
  HANDOFF,
  invitationToken,
  signIn,
  withSession,
} from '../support/console-sign-in';
import { addEntraPerson } from '../support/prove-microsoft-tenant';
import { api, bareFirm } from './connections-harness';
import { type Json, json, testEnv, workerFetch } from './harness';

const EMU = testEnv.EMULATORS;

/** The audit rows of one request (its correlation id). */
const auditOf = async (key: string, res: Response): Promise<Json[]> =>
  (await json(await api(key, 'GET', `/v1/audit?correlationId=${res.headers.get('x-correlation-id')}`)))
    .entries;

describe('connecting Salesforce with the web server flow', () => {
  it('sends the admin to Salesforce with PKCE (S256), lands back in the console connected, and stores only a refresh token', async () => {
    const firm = await bareFirm();
    const started = await startConnection(workerFetch, firm.admin, 'crm', {
      system: 'salesforce',
      loginUrl: firm.sf.baseUrl,
    });
    const url = new URL(started.authorizeUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${firm.sf.baseUrl}/services/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      redirect_uri: 'http://handoff/v1/console/connections/crm/callback',
      code_challenge_method: 'S256',
      scope: 'api refresh_token',
    });
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(started.expiresAt) - Date.now()).toBeLessThanOrEqual(10 * 60_000);

    const callback = await consent(started.authorizeUrl);
    expect(callback.searchParams.get('state')).toBe(url.searchParams.get('state'));
    const res = await followToCallback(workerFetch, callback);
    expect(res.status).toBe(302);
    const landing = consoleLanding(res);
    expect(landing.path).toBe('/console/#/connections');
    expect(landing.params.get('connected')).toBe('crm');
    // Saved in the name of the admin who started it, with the Salesforce user who allowed it.
    const rows = await auditOf(firm.admin, res);
    expect(rows.map((r) => r.action)).toEqual([
      'salesforce_org.claimed',
      'connection.created',
      'connection.authorized',
    ]);
    expect(new Set(rows.map((r) => r.actor)).size).toBe(1);
    expect(rows[0].actor).toMatch(/^key:/);
    expect(rows[2].detail.grantedBy).toMatchObject({ username: 'handoff.integration@example.com' });

    const list = await json(await api(firm.admin, 'GET', '/v1/admin/connections'));
    const crm = list.connections.find((c: Json) => c.role === 'crm');
    expect(crm).toMatchObject({
      system: 'salesforce',
      config: {
        instanceUrl: firm.sf.baseUrl,
        auth: { clientId: expect.any(String) },
        connectedAs: { username: 'handoff.integration@example.com' },
      },
    });
    expect(JSON.stringify(list)).not.toMatch(/refresh|5Aep/i);
    // Salesforce issued the refresh token to the consenting user; Handoff holds it encrypted.
    const state = (await (
      await fetch(`${EMU.salesforce}/__emulator/instances/${firm.sf.id}/state`)
    ).json()) as Json;
    expect(Object.keys(state.refreshTokens)).toHaveLength(1);
  });

  it("started in the console, finishes only in the same person's signed-in browser; a link that reached another is spent", async () => {
    const firm = await bareFirm();
    const invited = await firstAdminInvitation(workerFetch, testEnv.PLATFORM_ADMIN_TOKEN, firm.tenantId);
    const person = await addEntraPerson(EMU.entra, { tid: crypto.randomUUID(), roles: [] });
    const out = await signIn(workerFetch, {
      provider: 'entra',
      invitation: invitationToken(((await invited.json()) as Json).invitationUrl),
      loginHint: person.email,
    });
    const cookie = out.cookie!;
    const csrf = (await json(await workerFetch(`${HANDOFF}/v1/console/session`, withSession(cookie))))
      .csrfToken;
    const start = async () => {
      const res = await workerFetch(
        `${HANDOFF}/v1/console/connections/crm/authorize`,
        withSession(cookie, {
          method: 'POST',
          csrf,
          origin: HANDOFF,
          body: { system: 'salesforce', loginUrl: firm.sf.baseUrl },
        }),
      );
      expect(res.status).toBe(201);
      return consent((await json(res)).authorizeUrl);
    };
    const back = (callback: URL, withCookie: boolean) =>
      workerFetch(`${HANDOFF}${callback.pathname}${callback.search}`, {
        redirect: 'manual',
        headers: {
          accept: 'text/html',
          ...(withCookie ? { cookie: `__Host-handoff_session=${cookie}` } : {}),
        },
      });
    const crmConnected = async () =>
      (await json(await api(firm.admin, 'GET', '/v1/admin/connections'))).connections.some(
        (c: Json) => c.role === 'crm',
      );

    // The provider's redirect followed by a browser without the session (someone the link was sent to).
    const stray = await start();
    const refused = consoleLanding(await back(stray, false));
    expect(refused.params.get('error')).toBe('not_yours');
    expect(await crmConnected()).toBe(false);
    // The link is spent: even its starter cannot use it now.
    expect(consoleLanding(await back(stray, true)).params.get('error')).toBe('state_invalid');

    // Started again and finished in the starter's browser: connected, in that person's name.
    const res = await back(await start(), true);
    expect(consoleLanding(res).params.get('connected')).toBe('crm');
    expect(await crmConnected()).toBe(true);
    // The person reads it in the console's audit trail with their session (no key).
    const me = (await json(await workerFetch(`${HANDOFF}/v1/console/session`, withSession(cookie)))).person;
    const trail = await workerFetch(
      `${HANDOFF}/v1/audit?correlationId=${res.headers.get('x-correlation-id')}`,
      withSession(cookie),
    );
    expect(trail.status).toBe(200);
    const rows = (await json(trail)).entries;
    expect(rows.map((r: Json) => r.action)).toContain('connection.authorized');
    expect(new Set(rows.map((r: Json) => r.actor))).toEqual(new Set([`person:${me.id}`]));
  });

  it('refuses the same callback twice, and a state Handoff never issued', async () => {
    const firm = await bareFirm();
    const started = await startConnection(workerFetch, firm.admin, 'crm', {
      system: 'salesforce',
      loginUrl: firm.sf.baseUrl,
    });
    const callback = await consent(started.authorizeUrl);
    expect((await followToCallback(workerFetch, callback, 'application/json')).status).toBe(200);
    const replay = await followToCallback(workerFetch, callback, 'application/json');
    expect(replay.status).toBe(400);
    expect((await json(replay)).error.details[0]).toMatchObject({ field: 'state' });
    const replayInBrowser = await followToCallback(workerFetch, callback);
    expect(replayInBrowser.status).toBe(302);
    expect(consoleLanding(replayInBrowser).params.get('error')).toBe('state_invalid');

    const forged = new URL(callback);
    forged.searchParams.set('state', 'made-up-state');
    expect((await followToCallback(workerFetch, forged, 'application/json')).status).toBe(400);
    // A crm state does not complete the psa callback either.
    const other = await startConnection(workerFetch, firm.admin, 'crm', {
      system: 'salesforce',
      loginUrl: firm.sf.baseUrl,
    });
    const otherCallback = await consent(other.authorizeUrl);
    const wrongRole = new URL(otherCallback.toString().replace('/crm/callback', '/psa/callback'));
    expect((await followToCallback(workerFetch, wrongRole, 'application/json')).status).toBe(400);
  });

  it("refuses an org another firm connected, and tells the admin in the console; the first firm's org is untouched", async () => {
    const a = await bareFirm();
    const b = await bareFirm();
    const first = await startConnection(workerFetch, a.admin, 'crm', {
      system: 'salesforce',
      loginUrl: a.sf.baseUrl,
    });
    expect((await followToCallback(workerFetch, await consent(first.authorizeUrl))).status).toBe(302);
    // Firm B's admin is sent to firm A's org (say, a shared login) and someone there allows it.
    const second = await startConnection(workerFetch, b.admin, 'crm', {
      system: 'salesforce',
      loginUrl: a.sf.baseUrl,
    });
    const res = await followToCallback(workerFetch, await consent(second.authorizeUrl));
    const landing = consoleLanding(res);
    expect(landing.params.get('error')).toBe('org_claimed');
    expect(landing.params.get('fix')).toMatch(/Connect the org your firm uses/);
    const bList = await json(await api(b.admin, 'GET', '/v1/admin/connections'));
    expect(bList.connections).toEqual([]);
    const aList = await json(await api(a.admin, 'GET', '/v1/admin/connections'));
    expect(aList.connections.map((c: Json) => c.config.instanceUrl)).toEqual([a.sf.baseUrl]);
  });

  it('lands back in the console with the reason when the person denies access', async () => {
    const firm = await bareFirm();
    const started = await startConnection(workerFetch, firm.admin, 'crm', {
      system: 'salesforce',
      loginUrl: firm.sf.baseUrl,
    });
    const res = await followToCallback(
      workerFetch,
      await consent(started.authorizeUrl, { decision: 'deny' }),
    );
    expect(consoleLanding(res).params.get('error')).toBe('access_denied');
    expect((await json(await api(firm.admin, 'GET', '/v1/admin/connections'))).connections).toEqual([]);
  });

  it('refuses a login URL that is not a Salesforce host, and a system that does not fit the role', async () => {
    const firm = await bareFirm();
    const bad = await api(firm.admin, 'POST', '/v1/console/connections/crm/authorize', {
      system: 'salesforce',
      loginUrl: 'https://login.evil.example',
    });
    expect(bad.status).toBe(422);
    expect((await json(bad)).error.details[0]).toMatchObject({ field: 'loginUrl' });
    const wrong = await api(firm.admin, 'POST', '/v1/console/connections/crm/authorize', {
      system: 'kantata',
    });
    expect(wrong.status).toBe(422);
  });
});

describe('connecting Kantata with its authorization-code flow', () => {
  it('connects as the person who authorized, keeps the token server side, and lands in the console', async () => {
    const firm = await bareFirm();
    const started = await startConnection(workerFetch, firm.admin, 'psa', {
      system: 'kantata',
      authUrl: firm.kt.baseUrl,
      baseUrl: `${firm.kt.baseUrl}/api/v1`,
      uiBaseUrl: `${firm.kt.baseUrl}/ui`,
    });
    const url = new URL(started.authorizeUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${firm.kt.baseUrl}/oauth/authorize`);
    expect(url.searchParams.get('redirect_uri')).toBe('http://handoff/v1/console/connections/psa/callback');
    const res = await followToCallback(workerFetch, await consent(started.authorizeUrl));
    expect(consoleLanding(res).params.get('connected')).toBe('psa');
    const list = await json(await api(firm.admin, 'GET', '/v1/admin/connections'));
    const psa = list.connections.find((c: Json) => c.role === 'psa');
    expect(psa).toMatchObject({
      system: 'kantata',
      config: { baseUrl: `${firm.kt.baseUrl}/api/v1`, connectedAs: { name: expect.any(String) } },
    });
    expect(JSON.stringify(psa)).not.toMatch(/accessToken/);
  });

  it('refuses a replayed Kantata callback', async () => {
    const firm = await bareFirm();
    const started = await startConnection(workerFetch, firm.admin, 'psa', {
      system: 'kantata',
      authUrl: firm.kt.baseUrl,
      baseUrl: `${firm.kt.baseUrl}/api/v1`,
      uiBaseUrl: `${firm.kt.baseUrl}/ui`,
    });
    const callback = await consent(started.authorizeUrl);
    expect((await followToCallback(workerFetch, callback, 'application/json')).status).toBe(200);
    expect((await followToCallback(workerFetch, callback, 'application/json')).status).toBe(400);
  });
});
