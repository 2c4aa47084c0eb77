/**
 * A firm's Microsoft 365 organisation is connected only when the organisation proves it: an administrator of
 * it signs in (OpenID Connect, authorization code + PKCE, on the emulated Entra) through a one-time claim the
 * firm's admin key started. Every check of the callback has a test here that fails if that check goes.
 */
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../worker/db/client';
import { auditLogTable, identityClaimsTable } from '../../worker/db/schema';
import { sweep } from '../../worker/domain/maintenance/sweep';
import { assignTeamsTenant } from '../../worker/domain/teams/teams-tenant';
import type { Env } from '../../worker/env';
import { ApiError } from '../../worker/http/api-error';
import type { ConnectedTenant } from '../support/connect-tenant';
import {
  addEntraPerson,
  DIRECTORY_ROLES,
  type EntraPerson,
  followCallback,
  proveMicrosoftTenant,
  signInAt,
  startMicrosoftClaim,
} from '../support/prove-microsoft-tenant';
import { adminCall, type Json, newTenant, PEOPLE, testEnv, workerFetch } from './harness';

const ENTRA = testEnv.EMULATORS.entra;
const AUTHORITY = `${ENTRA}/i/entra`;
const CLIENT_ID = '00000000-0000-4000-8000-00000000b07a';
const SSO_AUDIENCE = `api://handoff.test/${CLIENT_ID}`;

const firm = (name = `Firm ${crypto.randomUUID().slice(0, 6)}`) => newTenant({ name });

/** One attempt: an admin key starts a claim, `person` signs in, the browser follows the redirect. */
async function attempt(t: ConnectedTenant, person: EntraPerson, headers: Record<string, string> = {}) {
  const claim = await startMicrosoftClaim(workerFetch, t.keys.admin);
  const callback = await signInAt(claim.authorizeUrl, person.email);
  const res = await followCallback(workerFetch, callback, headers);
  return { claim, callback, res, text: await res.text() };
}

/** Is organisation `tid` connected, and to which firm? Asked as the tab would (Teams SSO), plus the audit. */
async function tabStatus(tid: string): Promise<number> {
  const { token } = (await (
    await fetch(`${ENTRA}/__emulator/instances/entra/sso-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tid, oid: PEOPLE.ava.aadObjectId, name: PEOPLE.ava.name, aud: SSO_AUDIENCE }),
    })
  ).json()) as { token: string };
  const res = await workerFetch('http://handoff/v1/teams/me/approvals', {
    headers: { authorization: `Bearer ${token}` },
  });
  await res.body?.cancel();
  return res.status;
}

/** The firm's audit trail. */
async function claimedRows(t: ConnectedTenant): Promise<Json[]> {
  return getDb(env as unknown as Env)
    .select()
    .from(auditLogTable)
    .where(eq(auditLogTable.tenantId, t.tenantId));
}

function errorOf(text: string): { code: string; message: string; details: Json[] } {
  return (JSON.parse(text) as Json).error;
}

describe('proving a Microsoft 365 organisation', () => {
  it('answers a one-time sign-in link (authorization code + PKCE, organizations endpoint) valid 10 minutes', async () => {
    const t = await firm();
    const before = Date.now();
    const claim = await startMicrosoftClaim(workerFetch, t.keys.admin);
    const url = new URL(claim.authorizeUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${AUTHORITY}/organizations/oauth2/v2.0/authorize`);
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: 'http://handoff/v1/identity/microsoft/callback',
      response_mode: 'query',
      scope: 'openid profile',
      code_challenge_method: 'S256',
      prompt: 'select_account',
    });
    expect(q.state).toMatch(/^[\w-]{43}$/);
    expect(q.nonce).toMatch(/^[\w-]{32}$/);
    expect(q.code_challenge).toMatch(/^[\w-]{43}$/);
    const expires = Date.parse(claim.expiresAt);
    expect(expires - before).toBeGreaterThan(9 * 60_000);
    expect(expires - before).toBeLessThanOrEqual(10 * 60_000 + 1000);
    // The state is kept only as its hash; the verifier never leaves the server.
    const [row] = await getDb(env as unknown as Env)
      .select()
      .from(identityClaimsTable)
      .where(eq(identityClaimsTable.id, claim.id));
    expect(row?.tenantId).toBe(t.tenantId);
    expect(row?.stateHash).not.toBe(q.state);
    expect(claim.authorizeUrl).not.toContain(row!.codeVerifier);
  });

  it('connects the organisation when one of its administrators signs in, and audits who proved it', async () => {
    const t = await firm('Lumen Partners');
    const tid = crypto.randomUUID();
    expect(await tabStatus(tid)).toBe(403);
    const admin = await addEntraPerson(ENTRA, { tid, name: 'Morgan Price' });
    const { res, text } = await attempt(t, admin);
    expect(res.status, text).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(text).toContain(`Microsoft 365 organisation ${tid} is now connected to Lumen Partners`);
    expect(await tabStatus(tid)).toBe(200);

    const [claimed] = (await claimedRows(t)).filter((r) => r.action === 'teams_tenant.claimed');
    expect(claimed).toMatchObject({
      actor: admin.oid,
      correlationId: res.headers.get('x-correlation-id'),
      detail: {
        principal: {
          type: 'entra-user',
          tid,
          oid: admin.oid,
          name: 'Morgan Price',
          preferredUsername: admin.email,
          roles: ['Global Administrator'],
        },
        before: { teamsTenantId: null },
        after: { teamsTenantId: tid },
      },
    });
    expect(claimed.detail.claim.startedBy).toMatchObject({ type: 'api-key', scope: 'admin' });
  });

  it.each([
    ['Privileged Role Administrator', DIRECTORY_ROLES.privilegedRoleAdministrator],
    ['Cloud Application Administrator', DIRECTORY_ROLES.cloudApplicationAdministrator],
    ['Application Administrator', DIRECTORY_ROLES.applicationAdministrator],
  ])('accepts a %s', async (_, role) => {
    const t = await firm();
    const admin = await addEntraPerson(ENTRA, { tid: crypto.randomUUID(), roles: [role] });
    const { res, text } = await attempt(t, admin);
    expect(res.status, text).toBe(200);
    expect(await tabStatus(admin.tid)).toBe(200);
  });

  it('refuses a person who is not an administrator of the organisation (403), and connects nothing', async () => {
    const t = await firm();
    for (const roles of [[], [DIRECTORY_ROLES.helpdeskAdministrator, DIRECTORY_ROLES.globalReader]]) {
      const person = await addEntraPerson(ENTRA, { tid: crypto.randomUUID(), roles });
      const { res, text } = await attempt(t, person);
      expect(res.status, text).toBe(403);
      const error = errorOf(text);
      expect(error.code).toBe('FORBIDDEN');
      expect(error.details[0]).toMatchObject({ field: 'id_token.wids' });
      expect(error.details[0].fix).toMatch(/Global Administrator/);
      expect(await tabStatus(person.tid)).toBe(403);
    }
    expect((await claimedRows(t)).filter((r) => r.action === 'teams_tenant.claimed')).toHaveLength(0);
  });

  it('refuses a sign-in whose token carries no directory roles (403, with the manifest fix)', async () => {
    const t = await firm();
    const admin = await addEntraPerson(ENTRA, { tid: crypto.randomUUID(), idToken: { withoutWids: true } });
    const { res, text } = await attempt(t, admin);
    expect(res.status, text).toBe(403);
    expect(errorOf(text).details[0].fix).toMatch(/groupMembershipClaims/);
    expect(await tabStatus(admin.tid)).toBe(403);
  });

  it('answers a page, not JSON, to a browser that asks for HTML', async () => {
    const t = await firm();
    const person = await addEntraPerson(ENTRA, { tid: crypto.randomUUID(), roles: [] });
    const { res, text } = await attempt(t, person, { accept: 'text/html,application/xhtml+xml' });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(text).toContain('Not connected');
    expect(text).toContain('is not an administrator');
    expect(text).not.toMatch(/<script|<style/);
  });
});

describe('the one-time state', () => {
  it('is redeemed once: the same callback again is refused (400)', async () => {
    const t = await firm();
    const admin = await addEntraPerson(ENTRA, { tid: crypto.randomUUID() });
    const first = await attempt(t, admin);
    expect(first.res.status, first.text).toBe(200);
    const again = await followCallback(workerFetch, first.callback);
    expect(again.status).toBe(400);
    expect(errorOf(await again.text()).details[0]).toMatchObject({ field: 'state' });
  });

  it('refuses an unknown state (400) without calling Microsoft', async () => {
    const res = await workerFetch(
      `http://handoff/v1/identity/microsoft/callback?state=${'x'.repeat(43)}&code=anything`,
    );
    expect(res.status).toBe(400);
    const error = errorOf(await res.text());
    expect(error.details[0]).toMatchObject({ field: 'state' });
    expect(error.details[0].fix).toMatch(/POST \/v1\/admin\/identity\/microsoft\/claims/);
    const missing = await workerFetch('http://handoff/v1/identity/microsoft/callback?code=anything');
    expect(missing.status).toBe(400);
  });

  it('expires after 10 minutes (400), even with a good code', async () => {
    const t = await firm();
    const admin = await addEntraPerson(ENTRA, { tid: crypto.randomUUID() });
    const claim = await startMicrosoftClaim(workerFetch, t.keys.admin);
    const callback = await signInAt(claim.authorizeUrl, admin.email);
    await getDb(env as unknown as Env)
      .update(identityClaimsTable)
      .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
      .where(eq(identityClaimsTable.id, claim.id));
    const res = await followCallback(workerFetch, callback);
    expect(res.status).toBe(400);
    expect(errorOf(await res.text()).details[0]).toMatchObject({ field: 'state' });
    expect(await tabStatus(admin.tid)).toBe(403);
  });

  it('is dropped by the cron a day after it expired', async () => {
    const t = await firm();
    const db = getDb(env as unknown as Env);
    const [old, recent] = [
      await startMicrosoftClaim(workerFetch, t.keys.admin),
      await startMicrosoftClaim(workerFetch, t.keys.admin),
    ];
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    await db
      .update(identityClaimsTable)
      .set({ expiresAt: ago(25 * 3600_000) })
      .where(eq(identityClaimsTable.id, old.id));
    await db
      .update(identityClaimsTable)
      .set({ expiresAt: ago(60_000) })
      .where(eq(identityClaimsTable.id, recent.id));
    expect((await sweep(env as unknown as Env, db)).expiredClaims).toBeGreaterThanOrEqual(1);
    const left = await db
      .select({ id: identityClaimsTable.id })
      .from(identityClaimsTable)
      .where(eq(identityClaimsTable.tenantId, t.tenantId));
    expect(left.map((r) => r.id)).toEqual([recent.id]);
  });

  it('is bound to the firm that started it: nothing in the request can name another firm', async () => {
    const [a, b] = await Promise.all([firm('Alpha Advisory'), firm('Beta Consulting')]);
    const admin = await addEntraPerson(ENTRA, { tid: crypto.randomUUID() });
    // B's admin key starts a claim, naming A wherever it can.
    const started = await workerFetch(
      `http://handoff/v1/admin/identity/microsoft/claims?tenantId=${a.tenantId}`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${b.keys.admin}`,
          'content-type': 'application/json',
          'x-tenant-id': a.tenantId,
        },
        body: JSON.stringify({ tenantId: a.tenantId }),
      },
    );
    expect(started.status).toBe(201);
    const { authorizeUrl } = (await started.json()) as { authorizeUrl: string };
    const callback = await signInAt(authorizeUrl, admin.email);
    callback.searchParams.set('tenantId', a.tenantId);
    const res = await followCallback(workerFetch, callback);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(text).toContain('connected to Beta Consulting');
    expect((await claimedRows(a)).filter((r) => r.action === 'teams_tenant.claimed')).toHaveLength(0);
    expect((await claimedRows(b)).filter((r) => r.action === 'teams_tenant.claimed')).toHaveLength(1);
  });

  it('refuses a declined sign-in (400) and uses the state up', async () => {
    const t = await firm();
    const claim = await startMicrosoftClaim(workerFetch, t.keys.admin);
    const url = new URL(claim.authorizeUrl);
    url.searchParams.set('decline', '1');
    const declined = await fetch(url, { redirect: 'manual' });
    const callback = new URL(declined.headers.get('location')!);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const res = await followCallback(workerFetch, callback);
    expect(res.status).toBe(400);
    expect(errorOf(await res.text()).details[0]).toMatchObject({ field: 'error' });
    expect((await followCallback(workerFetch, callback)).status).toBe(400);
  });
});

describe('the code exchange (PKCE)', () => {
  it('the emulated Entra refuses a code with a wrong verifier, a wrong secret, another redirect URI, twice', async () => {
    const t = await firm();
    const admin = await addEntraPerson(ENTRA, { tid: crypto.randomUUID() });
    const codeOf = async () => {
      const claim = await startMicrosoftClaim(workerFetch, t.keys.admin);
      return (await signInAt(claim.authorizeUrl, admin.email)).searchParams.get('code')!;
    };
    const redeem = async (over: Record<string, string>) => {
      const res = await fetch(`${AUTHORITY}/organizations/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: CLIENT_ID,
          client_secret: 'handoff-bot-secret',
          redirect_uri: 'http://handoff/v1/identity/microsoft/callback',
          code_verifier: 'a'.repeat(43),
          ...over,
        }),
      });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const wrongVerifier = await redeem({ code: await codeOf() });
    expect(wrongVerifier.status).toBe(400);
    expect(wrongVerifier.body).toMatchObject({ error: 'invalid_grant', error_codes: [501481] });
    expect(wrongVerifier.body.error_description).toMatch(/^AADSTS501481: /);
    expect(wrongVerifier.body.trace_id).toBeTruthy();

    const wrongSecret = await redeem({ code: await codeOf(), client_secret: 'guess' });
    expect(wrongSecret).toMatchObject({
      status: 401,
      body: { error: 'invalid_client', error_codes: [7000215] },
    });

    const code = await codeOf();
    const otherRedirect = await redeem({ code, redirect_uri: 'https://attacker.example/cb' });
    expect(otherRedirect.body).toMatchObject({ error: 'invalid_grant', error_codes: [500112] });
    expect((await redeem({ code })).body).toMatchObject({ error: 'invalid_grant', error_codes: [54005] });
  });

  it('refuses a code issued for another claim (its verifier does not match): 400, nothing connected', async () => {
    const t = await firm();
    const victim = await firm();
    const admin = await addEntraPerson(ENTRA, { tid: crypto.randomUUID() });
    // A code obtained through one claim, replayed on another claim's state (a code injection).
    const mine = await startMicrosoftClaim(workerFetch, victim.keys.admin);
    const stolen = await signInAt(mine.authorizeUrl, admin.email);
    const other = await startMicrosoftClaim(workerFetch, t.keys.admin);
    const injected = new URL(stolen);
    injected.searchParams.set('state', new URL(other.authorizeUrl).searchParams.get('state')!);
    const res = await followCallback(workerFetch, injected);
    const text = await res.text();
    expect(res.status, text).toBe(400);
    expect(errorOf(text).message).toMatch(/501481|invalid_grant/);
    expect(errorOf(text).details[0]).toMatchObject({ field: 'code' });
    expect(await tabStatus(admin.tid)).toBe(403);
  });
});

describe('the id token', () => {
  const tokenCases: [string, (tid: string) => Record<string, unknown>, RegExp][] = [
    ['issued for another application (aud)', () => ({ aud: crypto.randomUUID() }), /aud/],
    [
      'issued by another organisation than its tid says (iss)',
      () => ({ iss: `${AUTHORITY}/${crypto.randomUUID()}/v2.0` }),
      /iss/,
    ],
    ['issued by another authority (iss)', (tid) => ({ iss: `https://login.example/${tid}/v2.0` }), /iss/],
    ['for another sign-in (nonce)', () => ({ nonce: 'someone-elses-nonce' }), /nonce/],
    ['expired', () => ({ expiresInSeconds: -600 }), /exp/],
    ['signed with a key the organisation never published', () => ({ signedBy: 'unknown-key' }), /key/],
  ];
  it.each(tokenCases)('is refused when %s: 400, nothing connected', async (_, bad, why) => {
    const t = await firm();
    const tid = crypto.randomUUID();
    const admin = await addEntraPerson(ENTRA, { tid, idToken: bad(tid) });
    const { res, text } = await attempt(t, admin);
    expect(res.status, text).toBe(400);
    const error = errorOf(text);
    expect(error.details[0]).toMatchObject({ field: 'id_token' });
    expect(error.message).toMatch(why);
    expect(await tabStatus(tid)).toBe(403);
  });
});

describe('one Microsoft 365 organisation, one firm', () => {
  it('answers 409 with the field and the fix when another firm has proven the organisation', async () => {
    const [a, b] = await Promise.all([firm(), firm()]);
    const { tid } = await proveMicrosoftTenant({ workerFetch, entraUrl: ENTRA, adminKey: a.keys.admin });
    const otherAdmin = await addEntraPerson(ENTRA, { tid });
    const { res, text } = await attempt(b, otherAdmin);
    expect(res.status, text).toBe(409);
    const error = errorOf(text);
    expect(error.code).toBe('CONFLICT');
    expect(error.details[0]).toMatchObject({ field: 'tid' });
    expect(error.details[0].fix).toMatch(/disconnected from the other Handoff tenant/);
    // The firm that proved it first keeps it; proving it again is fine.
    expect((await attempt(a, otherAdmin)).res.status).toBe(200);
  });

  it('lets one of two simultaneous proofs in, the other gets 409', async () => {
    const [a, b] = await Promise.all([firm(), firm()]);
    const tid = crypto.randomUUID();
    const admin = await addEntraPerson(ENTRA, { tid });
    const callbacks = await Promise.all(
      [a, b].map(async (t) =>
        signInAt((await startMicrosoftClaim(workerFetch, t.keys.admin)).authorizeUrl, admin.email),
      ),
    );
    const answers = await Promise.all(callbacks.map((cb) => followCallback(workerFetch, cb)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('maps the unique index refusal when two firms are assigned it at once (in one isolate)', async () => {
    const db = getDb(env as unknown as Env);
    const [a, b] = await Promise.all([firm(), firm()]);
    const tid = crypto.randomUUID();
    const outcomes = await Promise.allSettled([a, b].map((t) => assignTeamsTenant(db, t.tenantId, tid)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const [lost] = outcomes.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    expect(lost?.reason).toBeInstanceOf(ApiError);
    expect(lost?.reason.details[0].field).toBe('tid');
  });
});

describe('the approvals policy no longer takes an organisation id', () => {
  it('refuses teamsTenantId with the fix (400) and stores nothing', async () => {
    const t = await firm();
    const tid = crypto.randomUUID();
    const res = await adminCall(t, 'PUT', '/v1/admin/approvals-policy', {
      teamsTenantId: tid,
      policy: { milestoneApprover: PEOPLE.ava },
    });
    expect(res.status).toBe(400);
    const error = (await res.json()) as Json;
    expect(error.error.details).toContainEqual({
      field: 'teamsTenantId',
      message: expect.stringMatching(/no longer accepted/),
      fix: expect.stringMatching(/POST \/v1\/admin\/identity\/microsoft\/claims/),
    });
    expect(await tabStatus(tid)).toBe(403);
    const withoutIt = await adminCall(t, 'PUT', '/v1/admin/approvals-policy', {
      policy: { milestoneApprover: PEOPLE.ava },
    });
    expect(withoutIt.status).toBe(200);
  });
});
