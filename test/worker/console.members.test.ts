/**
 * Members, roles and invitations of the console, and the refusals of its sign-in: single-use and expiring
 * invitations, one firm's people never acting on another's, viewers, the last admin, disabled members, open
 * redirects, and every check of the id token (a test per check, for both providers).
 */
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../worker/db/client';
import { consoleInvitationsTable, consoleMembersTable } from '../../worker/db/schema';
import type { Env } from '../../worker/env';
import type { ConnectedTenant } from '../support/connect-tenant';
import {
  addSalesforceUser,
  atProvider,
  cookieOf,
  firstAdminInvitation,
  followCallback,
  HANDOFF,
  invitationToken,
  signIn,
  withSession,
} from '../support/console-sign-in';
import { addEntraPerson } from '../support/prove-microsoft-tenant';
import { type Json, newTenant, testEnv, workerFetch } from './harness';

const ENTRA = testEnv.EMULATORS.entra;
const SALESFORCE = testEnv.EMULATORS.salesforce;
const ENTRA_AUTHORITY = `${ENTRA}/i/entra`;
const SF_LOGIN = `${SALESFORCE}/i/login`;
const db = () => getDb(env as unknown as Env);

interface Person {
  cookie: string;
  csrf: string;
  id: string;
  email: string;
}

async function session(cookie: string): Promise<Json> {
  const res = await workerFetch(`${HANDOFF}/v1/console/session`, withSession(cookie));
  return { status: res.status, body: res.status === 200 ? await res.json() : undefined };
}

async function asPerson(cookie: string): Promise<Omit<Person, 'email'>> {
  const s = await session(cookie);
  expect(s.status).toBe(200);
  return { cookie, csrf: s.body.csrfToken, id: s.body.person.id };
}

async function operatorInvitation(t: ConnectedTenant): Promise<string> {
  const res = await firstAdminInvitation(workerFetch, testEnv.PLATFORM_ADMIN_TOKEN, t.tenantId);
  expect(res.status).toBe(201);
  return invitationToken(((await res.json()) as Json).invitationUrl);
}

async function entraJoin(invitation: string, tid: string, extra: Json = {}): Promise<Person> {
  const p = await addEntraPerson(ENTRA, { tid, roles: [], ...extra });
  const out = await signIn(workerFetch, { provider: 'entra', invitation, loginHint: p.email });
  expect(out.error, out.location).toBeUndefined();
  return { ...(await asPerson(out.cookie!)), email: p.email };
}

/** A firm with its first admin (Entra, directory `tid`). */
async function firmWithAdmin() {
  const t = await newTenant();
  const tid = crypto.randomUUID();
  const admin = await entraJoin(await operatorInvitation(t), tid);
  return { t, tid, admin };
}

const write = (who: Person | Omit<Person, 'email'>, method: string, path: string, body?: unknown) =>
  workerFetch(
    `${HANDOFF}${path}`,
    withSession(who.cookie, { method, csrf: who.csrf, origin: HANDOFF, body }),
  );

async function invite(who: Person, roles: string[], email?: string): Promise<string> {
  const res = await write(who, 'POST', '/v1/console/invitations', { roles, ...(email ? { email } : {}) });
  expect(res.status, await res.clone().text()).toBe(201);
  return invitationToken(((await res.json()) as Json).invitationUrl);
}

describe('invitations', () => {
  it('are redeemed once: a used one is refused at the start, before the provider', async () => {
    const { tid, admin } = await firmWithAdmin();
    const invitation = await invite(admin, ['viewer']);
    await entraJoin(invitation, tid);
    const other = await addEntraPerson(ENTRA, { tid, roles: [] });
    const again = await signIn(workerFetch, { provider: 'entra', invitation, loginHint: other.email });
    expect(again.error).toBe('invitation_invalid');
    expect(again.callback).toBeUndefined();
  });

  it('one invitation, two sign-ins started with it: the first to come back joins, the second is refused', async () => {
    const { tid, admin } = await firmWithAdmin();
    const invitation = await invite(admin, ['viewer']);
    const people = await Promise.all([1, 2].map(() => addEntraPerson(ENTRA, { tid, roles: [] })));
    // Both start while the invitation is unused and come back from Entra; then the callbacks, in turn.
    const pending = [];
    for (const p of people) {
      const started = await workerFetch(`${HANDOFF}/console/auth/entra/start?invitation=${invitation}`, {
        redirect: 'manual',
      });
      const callback = await atProvider('entra', started.headers.get('location')!, p.email);
      pending.push({ callback, browser: cookieOf(started, '__Host-handoff_sign_in') });
    }
    const first = await followCallback(workerFetch, pending[0]!.callback, HANDOFF, pending[0]!.browser);
    const second = await followCallback(workerFetch, pending[1]!.callback, HANDOFF, pending[1]!.browser);
    expect(first.error).toBeUndefined();
    expect(second.error).toBe('invitation_invalid');
    expect(second.cookie).toBeUndefined();
  });

  it('expire after 7 days, also between the start and the callback', async () => {
    const { t, tid, admin } = await firmWithAdmin();
    const expire = () =>
      db()
        .update(consoleInvitationsTable)
        .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
        .where(eq(consoleInvitationsTable.tenantId, t.tenantId));
    const p = await addEntraPerson(ENTRA, { tid, roles: [] });
    const first = await invite(admin, ['viewer']);
    await expire();
    const atStart = await signIn(workerFetch, { provider: 'entra', invitation: first, loginHint: p.email });
    expect(atStart.error).toBe('invitation_invalid');
    const second = await invite(admin, ['viewer']);
    const atCallback = await signIn(workerFetch, {
      provider: 'entra',
      invitation: second,
      loginHint: p.email,
      tamper: async () => {
        await expire();
      },
    });
    expect(atCallback.error).toBe('invitation_invalid');
    expect(atCallback.cookie).toBeUndefined();
  });

  it('with an email admit only that person', async () => {
    const { tid, admin } = await firmWithAdmin();
    const meant = await addEntraPerson(ENTRA, { tid, roles: [] });
    const other = await addEntraPerson(ENTRA, { tid, roles: [] });
    const invitation = await invite(admin, ['viewer'], meant.email.toUpperCase());
    const wrong = await signIn(workerFetch, { provider: 'entra', invitation, loginHint: other.email });
    expect(wrong.error).toBe('invitation_email_mismatch');
  });

  it('refuse a person from another Microsoft 365 organisation once the firm proved its own', async () => {
    const t = await newTenant();
    const { tid } = await import('../support/prove-microsoft-tenant').then((m) =>
      m.proveMicrosoftTenant({ workerFetch, entraUrl: ENTRA, adminKey: t.keys.admin }),
    );
    const outsider = await addEntraPerson(ENTRA, { tid: crypto.randomUUID(), roles: [] });
    const out = await signIn(workerFetch, {
      provider: 'entra',
      invitation: await operatorInvitation(t),
      loginHint: outsider.email,
    });
    expect(out.error).toBe('wrong_organization');
    await entraJoin(await operatorInvitation(t), tid);
  });
});

describe('two firms', () => {
  it("a member of firm A can neither see nor act on firm B, nor join B with B's invitation", async () => {
    const a = await firmWithAdmin();
    const b = await firmWithAdmin();
    const bMember = await entraJoin(await invite(b.admin, ['viewer']), b.tid);
    // A's session lists only A's members.
    const list = await workerFetch(`${HANDOFF}/v1/console/members`, withSession(a.admin.cookie));
    const members = ((await list.json()) as Json).members.map((m: Json) => m.id);
    expect(members).toContain(a.admin.id);
    expect(members).not.toContain(b.admin.id);
    expect(members).not.toContain(bMember.id);
    // Acting on B's members by id: as if they did not exist.
    for (const [method, body] of [
      ['PATCH', { roles: ['viewer'] }],
      ['DELETE', undefined],
    ] as const) {
      const res = await write(a.admin, method, `/v1/console/members/${b.admin.id}`, body);
      expect(res.status, method).toBe(404);
    }
    expect((await session(b.admin.cookie)).body.person.roles).toEqual(['admin']);
    // A's admin signing in with B's invitation: already a member elsewhere.
    const person = await addEntraPerson(ENTRA, { tid: a.tid, roles: [] });
    await signIn(workerFetch, {
      provider: 'entra',
      invitation: await invite(a.admin, ['viewer']),
      loginHint: person.email,
    });
    const out = await signIn(workerFetch, {
      provider: 'entra',
      invitation: await invite(b.admin, ['admin']),
      loginHint: person.email,
    });
    expect(out.error).toBe('member_of_another_firm');
    // B's session with A's CSRF token: refused.
    const crossed = await workerFetch(
      `${HANDOFF}/v1/console/invitations`,
      withSession(b.admin.cookie, {
        method: 'POST',
        csrf: a.admin.csrf,
        origin: HANDOFF,
        body: { roles: ['admin'] },
      }),
    );
    expect(crossed.status).toBe(403);
  });
});

describe('roles', () => {
  it('a viewer gets 403 on members:manage', async () => {
    const { tid, admin } = await firmWithAdmin();
    const viewer = await entraJoin(await invite(admin, ['viewer']), tid);
    expect((await session(viewer.cookie)).body.person.roles).toEqual(['viewer']);
    const read = await workerFetch(`${HANDOFF}/v1/console/members`, withSession(viewer.cookie));
    expect(read.status).toBe(403);
    const res = await write(viewer, 'POST', '/v1/console/invitations', { roles: ['admin'] });
    expect(res.status).toBe(403);
    expect(((await res.json()) as Json).error.message).toMatch(/members:manage/);
    expect(
      (await write(viewer, 'PATCH', `/v1/console/members/${viewer.id}`, { roles: ['admin'] })).status,
    ).toBe(403);
  });

  it('changing roles ends the member’s sessions; they sign in again with the new roles', async () => {
    const { tid, admin } = await firmWithAdmin();
    const ops = await entraJoin(await invite(admin, ['viewer']), tid);
    const res = await write(admin, 'PATCH', `/v1/console/members/${ops.id}`, { roles: ['finance-ops'] });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).roles).toEqual(['finance-ops']);
    expect((await session(ops.cookie)).status).toBe(401);
    const back = await signIn(workerFetch, { provider: 'entra', loginHint: ops.email });
    expect((await session(back.cookie!)).body.person.roles).toEqual(['finance-ops']);
  });

  it('the last admin cannot be removed, demoted or disabled (409); with two, one can go', async () => {
    const { t, tid, admin } = await firmWithAdmin();
    for (const [method, body] of [
      ['DELETE', undefined],
      ['PATCH', { roles: ['viewer'] }],
      ['PATCH', { state: 'disabled' }],
    ] as const) {
      const res = await write(admin, method, `/v1/console/members/${admin.id}`, body);
      expect(res.status, `${method} ${JSON.stringify(body)}`).toBe(409);
      expect(((await res.json()) as Json).error.details[0].field).toBe('id');
    }
    const second = await entraJoin(await invite(admin, ['admin']), tid);
    // Two admins demoting each other at once: one stays admin.
    const [x, y] = await Promise.all([
      write(admin, 'PATCH', `/v1/console/members/${second.id}`, { roles: ['viewer'] }),
      write(second, 'PATCH', `/v1/console/members/${admin.id}`, { roles: ['viewer'] }),
    ]);
    expect([x.status, y.status]).toContain(200);
    const list = await workerFetch(`${HANDOFF}/v1/console/members`, {
      headers: { authorization: `Bearer ${t.keys.admin}` },
    });
    const admins = ((await list.json()) as Json).members.filter((m: Json) => m.roles.includes('admin'));
    expect(admins).toHaveLength(1);
  });

  it('a disabled member cannot sign in, and their session ends', async () => {
    const { tid, admin } = await firmWithAdmin();
    const ops = await entraJoin(await invite(admin, ['delivery-ops']), tid);
    expect((await write(admin, 'PATCH', `/v1/console/members/${ops.id}`, { state: 'disabled' })).status).toBe(
      200,
    );
    expect((await session(ops.cookie)).status).toBe(401);
    const out = await signIn(workerFetch, { provider: 'entra', loginHint: ops.email });
    expect(out.error).toBe('disabled');
    expect(out.cookie).toBeUndefined();
    expect((await write(admin, 'PATCH', `/v1/console/members/${ops.id}`, { state: 'active' })).status).toBe(
      200,
    );
    expect((await signIn(workerFetch, { provider: 'entra', loginHint: ops.email })).error).toBeUndefined();
  });

  it('a session of a member disabled behind the API is refused too (the state is read on every request)', async () => {
    const { tid, admin } = await firmWithAdmin();
    const ops = await entraJoin(await invite(admin, ['viewer']), tid);
    await db()
      .update(consoleMembersTable)
      .set({ state: 'disabled' })
      .where(eq(consoleMembersTable.id, ops.id));
    expect((await session(ops.cookie)).status).toBe(401);
  });

  it('removing a member ends their sessions and their membership', async () => {
    const { tid, admin } = await firmWithAdmin();
    const ops = await entraJoin(await invite(admin, ['viewer']), tid);
    expect((await write(admin, 'DELETE', `/v1/console/members/${ops.id}`)).status).toBe(204);
    expect((await session(ops.cookie)).status).toBe(401);
    expect((await signIn(workerFetch, { provider: 'entra', loginHint: ops.email })).error).toBe(
      'not_a_member',
    );
  });
});

describe('the sign-in', () => {
  it('refuses an unknown person (not_a_member)', async () => {
    const p = await addEntraPerson(ENTRA, { tid: crypto.randomUUID(), roles: [] });
    const out = await signIn(workerFetch, { provider: 'entra', loginHint: p.email });
    expect(out.res.status).toBe(302);
    expect(out.location).toBe('/console/sign-in?error=not_a_member');
    expect(out.cookie).toBeUndefined();
  });

  it.each([
    'https://evil.example/console/',
    '//evil.example/console/',
    '/\\evil.example/console/',
    '/console/../../evil',
    'javascript:alert(1)',
    '/v1/admin/api-keys',
    '/console/\nLocation: https://evil.example',
  ])('refuses returnTo %j (no open redirect)', async (returnTo) => {
    const res = await workerFetch(
      `${HANDOFF}/console/auth/entra/start?${new URLSearchParams({ returnTo })}`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/console/sign-in?error=invalid_return_to');
  });

  it('refuses a replayed callback (the state is redeemed once) and an unknown state', async () => {
    const { admin } = await firmWithAdmin();
    const out = await signIn(workerFetch, { provider: 'entra', loginHint: admin.email });
    expect(out.error).toBeUndefined();
    const replay = await followCallback(workerFetch, out.callback!, HANDOFF, out.browser);
    expect(replay.error).toBe('invalid_state');
    const forged = new URL(out.callback!);
    forged.searchParams.set('state', 'x'.repeat(43));
    expect((await followCallback(workerFetch, forged, HANDOFF, out.browser)).error).toBe('invalid_state');
  });

  it('finishes a sign-in only in the browser that started it (no login CSRF)', async () => {
    const { admin } = await firmWithAdmin();
    // The sender finishes the provider's sign-in and sends the callback link to someone else.
    let link: URL | undefined;
    const out = await signIn(workerFetch, {
      provider: 'entra',
      loginHint: admin.email,
      tamper: (cb) => {
        link = new URL(cb);
        cb.searchParams.set('state', 'spent-on-purpose');
      },
    });
    const browser = out.browser;
    expect(browser).toBeTruthy();
    const victim = await followCallback(workerFetch, link!);
    expect(victim.error).toBe('invalid_state');
    expect(victim.cookie).toBeUndefined();
    const otherBrowser = await followCallback(
      workerFetch,
      link!,
      HANDOFF,
      `${browser!.slice(0, -2)}${browser!.endsWith('xx') ? 'yy' : 'xx'}`,
    );
    expect(otherBrowser.error).toBe('invalid_state');
    // The starting browser still can (the state was not spent by the refusals above).
    expect((await followCallback(workerFetch, link!, HANDOFF, browser)).error).toBeUndefined();
  });

  it('refuses a code injected into another sign-in (PKCE: the verifier does not match)', async () => {
    const { admin } = await firmWithAdmin();
    // The victim's browser starts a sign-in...
    const started = await workerFetch(`${HANDOFF}/console/auth/entra/start`, { redirect: 'manual' });
    const victimState = new URL(started.headers.get('location')!).searchParams.get('state')!;
    const victimBrowser = cookieOf(started, '__Host-handoff_sign_in');
    // ...and is handed a code the attacker obtained in a sign-in of their own.
    let stolen: URL | undefined;
    await signIn(workerFetch, {
      provider: 'entra',
      loginHint: admin.email,
      tamper: (cb) => {
        stolen = new URL(cb);
        cb.searchParams.set('state', 'not-followed');
      },
    });
    stolen!.searchParams.set('state', victimState);
    const out = await followCallback(workerFetch, stolen!, HANDOFF, victimBrowser);
    expect(out.error).toBe('idp_refused');
    expect(out.cookie).toBeUndefined();
  });

  it('refuses a sign-in the person declined at the provider', async () => {
    const started = await workerFetch(`${HANDOFF}/console/auth/salesforce/start`, { redirect: 'manual' });
    const url = new URL(started.headers.get('location')!);
    url.searchParams.set('deny', '1');
    url.searchParams.set('login_hint', 'x');
    const res = await fetch(url, { redirect: 'manual' });
    const cb = new URL(res.headers.get('location')!);
    expect(cb.searchParams.get('error')).toBe('access_denied');
    const out = await followCallback(workerFetch, cb, HANDOFF, cookieOf(started, '__Host-handoff_sign_in'));
    expect(out.error).toBe('idp_refused');
  });
});

describe('the id token', () => {
  const entraCases: [string, (tid: string) => Record<string, unknown>][] = [
    ['signed with a key the organisation never published', () => ({ signedBy: 'unknown-key' })],
    [
      'issued by another organisation (iss)',
      () => ({ iss: `${ENTRA_AUTHORITY}/${crypto.randomUUID()}/v2.0` }),
    ],
    ['for another application (aud)', () => ({ aud: crypto.randomUUID() })],
    ['expired (exp)', () => ({ expiresInSeconds: -600 })],
    ['for another sign-in (nonce)', () => ({ nonce: 'someone-elses-nonce' })],
  ];
  it.each(entraCases)('from Entra is refused when %s', async (_, bad) => {
    const { tid, admin } = await firmWithAdmin();
    const p = await addEntraPerson(ENTRA, { tid, roles: [], idToken: bad(tid) });
    const out = await signIn(workerFetch, {
      provider: 'entra',
      invitation: await invite(admin, ['viewer']),
      loginHint: p.email,
    });
    expect(out.error).toBe('invalid_token');
    expect(out.cookie).toBeUndefined();
  });

  const salesforceCases: [string, Record<string, unknown>][] = [
    ['signed with a key the login host never published', { signedBy: 'unknown-key' }],
    ['issued by another host (iss)', { iss: 'https://login.example.com' }],
    ['for another app (aud)', { aud: '3MVG9someone.else' }],
    ['expired (exp)', { expiresInSeconds: -600 }],
    ['for another sign-in (nonce)', { nonce: 'someone-elses-nonce' }],
    ['whose subject is no identity URL (sub)', { sub: 'not-an-identity-url' }],
  ];
  it.each(salesforceCases)('from Salesforce is refused when %s', async (_, bad) => {
    const t = await newTenant();
    const user = await addSalesforceUser(SALESFORCE, t.instances.salesforce.id, {
      firstName: 'Bad',
      lastName: 'Token',
      email: `bad-${crypto.randomUUID().slice(0, 6)}@lumen.example`,
      idToken: bad,
    });
    const out = await signIn(workerFetch, {
      provider: 'salesforce',
      invitation: await operatorInvitation(t),
      loginHint: user.username,
    });
    expect(out.error).toBe('invalid_token');
    expect(out.cookie).toBeUndefined();
  });

  it('the emulated Salesforce answers its documented discovery and keys on the login host', async () => {
    const conf = (await (await fetch(`${SF_LOGIN}/.well-known/openid-configuration`)).json()) as Json;
    expect(conf).toMatchObject({
      issuer: SF_LOGIN,
      authorization_endpoint: `${SF_LOGIN}/services/oauth2/authorize`,
      token_endpoint: `${SF_LOGIN}/services/oauth2/token`,
      jwks_uri: `${SF_LOGIN}/id/keys`,
      userinfo_endpoint: `${SF_LOGIN}/services/oauth2/userinfo`,
    });
    const keys = (await (await fetch(conf.jwks_uri)).json()) as Json;
    expect(keys.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
  });
});
