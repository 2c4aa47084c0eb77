/**
 * The console's sign-in, over HTTP against the emulated identity providers (Entra ID and Salesforce): an
 * invitation, the provider's sign-in, the session cookie, the session, an action, its audit row with the person.
 * Then every check a session and a sign-in rely on, each with a test that fails if the check goes.
 */
import { env } from 'cloudflare:workers';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../worker/db/client';
import { auditLogTable, consoleInvitationsTable, consoleSessionsTable } from '../../worker/db/schema';
import { sweep } from '../../worker/domain/maintenance/sweep';
import type { Env } from '../../worker/env';
import type { ConnectedTenant } from '../support/connect-tenant';
import {
  addSalesforceUser,
  firstAdminInvitation,
  HANDOFF,
  invitationToken,
  signIn,
  withSession,
} from '../support/console-sign-in';
import { addEntraPerson, proveMicrosoftTenant } from '../support/prove-microsoft-tenant';
import { type Json, newTenant, testEnv, workerFetch } from './harness';

const ENTRA = testEnv.EMULATORS.entra;
const SALESFORCE = testEnv.EMULATORS.salesforce;
const db = () => getDb(env as unknown as Env);

const firm = (name = `Firm ${crypto.randomUUID().slice(0, 6)}`) => newTenant({ name });

interface Signed {
  cookie: string;
  csrf: string;
  session: Json;
}

/** The session of a cookie (GET /v1/console/session). */
async function sessionOf(cookie: string) {
  return workerFetch(`${HANDOFF}/v1/console/session`, withSession(cookie));
}

/** A firm's first admin, signed in with Entra from the firm's (proven) Microsoft 365 organisation. */
async function firstAdmin(t: ConnectedTenant, tid = crypto.randomUUID()) {
  const person = await addEntraPerson(ENTRA, { tid, name: 'Morgan Price', roles: [] });
  const res = await firstAdminInvitation(workerFetch, testEnv.PLATFORM_ADMIN_TOKEN, t.tenantId);
  expect(res.status).toBe(201);
  const invitation = (await res.json()) as Json;
  const out = await signIn(workerFetch, {
    provider: 'entra',
    invitation: invitationToken(invitation.invitationUrl),
    loginHint: person.email,
  });
  expect(out.error, out.location).toBeUndefined();
  return { person, invitation, ...(await signedIn(out.cookie!)) };
}

async function signedIn(cookie: string): Promise<Signed> {
  const res = await sessionOf(cookie);
  expect(res.status).toBe(200);
  const session = (await res.json()) as Json;
  return { cookie, csrf: session.csrfToken, session };
}

/** An invitation made by a signed-in admin (session + CSRF). */
async function invite(admin: Signed, body: { roles: string[]; email?: string }) {
  const res = await workerFetch(
    `${HANDOFF}/v1/console/invitations`,
    withSession(admin.cookie, { method: 'POST', csrf: admin.csrf, origin: HANDOFF, body }),
  );
  expect(res.status, await res.clone().text()).toBe(201);
  return invitationToken(((await res.json()) as Json).invitationUrl);
}

/** A person of directory `tid` joining with `roles`, signed in. */
async function joinWithEntra(admin: Signed, tid: string, roles: string[], person: Json = {}) {
  const p = await addEntraPerson(ENTRA, { tid, roles: [], ...person });
  const out = await signIn(workerFetch, {
    provider: 'entra',
    invitation: await invite(admin, { roles }),
    loginHint: p.email,
  });
  expect(out.error, out.location).toBeUndefined();
  return { person: p, ...(await signedIn(out.cookie!)) };
}

async function auditOf(tenantId: string, action: string) {
  return db()
    .select()
    .from(auditLogTable)
    .where(and(eq(auditLogTable.tenantId, tenantId), eq(auditLogTable.action, action)));
}

describe('signing in with Microsoft Entra ID', () => {
  it('invitation -> sign-in -> session -> act -> audited as the person', async () => {
    const t = await firm('Lumen Partners');
    const { tid } = await proveMicrosoftTenant({ workerFetch, entraUrl: ENTRA, adminKey: t.keys.admin });
    const person = await addEntraPerson(ENTRA, { tid, name: 'Morgan Price', roles: [] });
    const created = await firstAdminInvitation(workerFetch, testEnv.PLATFORM_ADMIN_TOKEN, t.tenantId, {
      email: person.email,
    });
    expect(created.status).toBe(201);
    const invitation = (await created.json()) as Json;
    expect(invitation.invitationUrl).toMatch(/^http:\/\/handoff\/console\/sign-in\?invitation=inv_/);
    expect(Date.parse(invitation.expiresAt) - Date.now()).toBeGreaterThan(7 * 86400_000 - 60_000);

    const out = await signIn(workerFetch, {
      provider: 'entra',
      invitation: invitationToken(invitation.invitationUrl),
      returnTo: '/console/exceptions?status=open',
      loginHint: person.email,
    });
    expect(out.error, out.location).toBeUndefined();
    expect(out.res.status).toBe(302);
    expect(out.location).toBe('/console/exceptions?status=open');
    // The cookie: host-only, HttpOnly, Secure, SameSite=Lax, whole site.
    expect(out.setCookie).toMatch(/^__Host-handoff_session=[\w-]{43};/);
    expect(out.setCookie).toMatch(/; HttpOnly/i);
    expect(out.setCookie).toMatch(/; Secure/i);
    expect(out.setCookie).toMatch(/; SameSite=Lax/i);
    expect(out.setCookie).toMatch(/; Path=\//);
    expect(out.setCookie).not.toMatch(/Domain=/i);
    expect(out.res.headers.get('cache-control')).toBe('no-store');

    const me = await signedIn(out.cookie!);
    expect(me.session).toMatchObject({
      person: { name: 'Morgan Price', email: person.email, provider: 'entra', roles: ['admin'] },
      firm: { id: t.tenantId, name: 'Lumen Partners' },
    });
    expect(me.session.person.id).toMatch(/^mem_/);
    expect(me.csrf).toMatch(/^[\w-]{32}$/);
    const expiresIn = Date.parse(me.session.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(29 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(30 * 60_000);
    // Only the hash of the cookie's secret is kept.
    const rows = await db()
      .select()
      .from(consoleSessionsTable)
      .where(eq(consoleSessionsTable.tenantId, t.tenantId));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).not.toContain(out.cookie!);

    // Act: invite a colleague; the audit row names the person.
    const res = await workerFetch(
      `${HANDOFF}/v1/console/invitations`,
      withSession(me.cookie, { method: 'POST', csrf: me.csrf, origin: HANDOFF, body: { roles: ['viewer'] } }),
    );
    expect(res.status).toBe(201);
    const [row] = await auditOf(t.tenantId, 'console_invitation.created').then((r) =>
      r.filter((x) => x.actor !== 'operator'),
    );
    expect(row).toMatchObject({
      actor: `person:${me.session.person.id}`,
      correlationId: res.headers.get('x-correlation-id'),
      detail: {
        roles: ['viewer'],
        principal: {
          type: 'console-session',
          personId: me.session.person.id,
          provider: 'entra',
          roles: 'admin',
        },
      },
    });
    expect(await auditOf(t.tenantId, 'console.signed_in')).toHaveLength(1);
    expect((await auditOf(t.tenantId, 'console_member.joined'))[0]).toMatchObject({
      actor: `person:${me.session.person.id}`,
      detail: { organizationId: tid, roles: ['admin'] },
    });

    // The operator's way in is closed once the firm has an admin.
    const again = await firstAdminInvitation(workerFetch, testEnv.PLATFORM_ADMIN_TOKEN, t.tenantId);
    expect(again.status).toBe(409);
    expect(((await again.json()) as Json).error.details[0]).toMatchObject({ field: 'tenantId' });

    // A returning member signs in without an invitation.
    const back = await signIn(workerFetch, { provider: 'entra', loginHint: person.email });
    expect(back.error).toBeUndefined();
    expect(back.location).toBe('/console/');
    expect((await sessionOf(back.cookie!)).status).toBe(200);
  });

  it('adds the roles mapped from the id token’s groups', async () => {
    const t = await firm();
    const tid = crypto.randomUUID();
    const admin = await firstAdmin(t, tid);
    const group = crypto.randomUUID();
    const put = await workerFetch(
      `${HANDOFF}/v1/console/group-mappings`,
      withSession(admin.cookie, {
        method: 'PUT',
        csrf: admin.csrf,
        origin: HANDOFF,
        body: [{ provider: 'entra', group: group.toUpperCase(), role: 'finance-ops' }],
      }),
    );
    expect(put.status).toBe(200);
    // The contract's shape: the list itself; Entra group ids kept lower case.
    expect(await put.json()).toEqual([{ provider: 'entra', group, role: 'finance-ops' }]);
    const got = await workerFetch(`${HANDOFF}/v1/console/group-mappings`, withSession(admin.cookie));
    expect(await got.json()).toEqual([{ provider: 'entra', group, role: 'finance-ops' }]);
    const joined = await joinWithEntra(admin, tid, ['viewer'], { groups: [group, crypto.randomUUID()] });
    expect(joined.session.person.roles).toEqual(['finance-ops', 'viewer']);
    const plain = await joinWithEntra(admin, tid, ['viewer']);
    expect(plain.session.person.roles).toEqual(['viewer']);
    expect((await auditOf(t.tenantId, 'console_group_mappings.replaced'))[0]!.actor).toBe(
      `person:${admin.session.person.id}`,
    );
  });
});

describe('signing in with Salesforce', () => {
  it("invitation -> Salesforce sign-in from the firm's proven org -> session -> act -> audited", async () => {
    const t = await firm('Salesforce Firm');
    // Connecting the CRM proved the firm's org; a user of that org signs in.
    const user = await addSalesforceUser(SALESFORCE, t.instances.salesforce.id, {
      firstName: 'Priya',
      lastName: 'Natarajan',
      email: `priya-${crypto.randomUUID().slice(0, 6)}@lumen.example`,
    });
    const res = await firstAdminInvitation(workerFetch, testEnv.PLATFORM_ADMIN_TOKEN, t.tenantId);
    const invitation = invitationToken(((await res.json()) as Json).invitationUrl);
    const out = await signIn(workerFetch, { provider: 'salesforce', invitation, loginHint: user.username });
    expect(out.error, out.location).toBeUndefined();
    const me = await signedIn(out.cookie!);
    expect(me.session).toMatchObject({
      person: { name: 'Priya Natarajan', email: user.email, provider: 'salesforce', roles: ['admin'] },
      firm: { id: t.tenantId },
    });
    const joined = (await auditOf(t.tenantId, 'console_member.joined'))[0]!;
    expect(joined.detail).toMatchObject({ organizationId: user.orgId, subject: user.id });

    const invited = await workerFetch(`${HANDOFF}/v1/console/members`, withSession(me.cookie));
    expect(invited.status).toBe(200);
    const patch = await workerFetch(
      `${HANDOFF}/v1/console/invitations`,
      withSession(me.cookie, {
        method: 'POST',
        csrf: me.csrf,
        origin: HANDOFF,
        body: { roles: ['delivery-ops'] },
      }),
    );
    expect(patch.status).toBe(201);
    const rows = (await auditOf(t.tenantId, 'console_invitation.created')).filter(
      (r) => r.actor !== 'operator',
    );
    expect(rows[0]).toMatchObject({
      actor: `person:${me.session.person.id}`,
      detail: { principal: { provider: 'salesforce', subject: user.id } },
    });
  });

  it("refuses a user of another org than the firm's (wrong_organization)", async () => {
    const t = await firm();
    const other = await firm();
    const stranger = await addSalesforceUser(SALESFORCE, other.instances.salesforce.id, {
      firstName: 'Sam',
      lastName: 'Stranger',
      email: `sam-${crypto.randomUUID().slice(0, 6)}@other.example`,
    });
    const res = await firstAdminInvitation(workerFetch, testEnv.PLATFORM_ADMIN_TOKEN, t.tenantId);
    const invitation = invitationToken(((await res.json()) as Json).invitationUrl);
    const out = await signIn(workerFetch, {
      provider: 'salesforce',
      invitation,
      loginHint: stranger.username,
    });
    expect(out.error).toBe('wrong_organization');
    expect(out.cookie).toBeUndefined();
    expect((await auditOf(t.tenantId, 'console.sign_in_refused'))[0]!.detail).toMatchObject({
      reason: 'wrong_organization',
    });
  });
});

describe('the session', () => {
  it('refuses a write without the CSRF token, with a wrong one, or from another origin (403)', async () => {
    const t = await firm();
    const admin = await firstAdmin(t);
    const call = (extra: Parameters<typeof withSession>[1]) =>
      workerFetch(
        `${HANDOFF}/v1/console/invitations`,
        withSession(admin.cookie, { method: 'POST', body: { roles: ['viewer'] }, ...extra }),
      );
    for (const [what, extra] of [
      ['no token', { origin: HANDOFF }],
      // The right token with its last character changed (to another one, whatever it was).
      [
        'a wrong token',
        { csrf: `${admin.csrf.slice(0, -1)}${admin.csrf.endsWith('x') ? 'y' : 'x'}`, origin: HANDOFF },
      ],
      ['another origin', { csrf: admin.csrf, origin: 'https://evil.example' }],
      ['origin null', { csrf: admin.csrf, origin: 'null' }],
    ] as const) {
      const res = await call(extra);
      expect(res.status, what).toBe(403);
      expect(((await res.json()) as Json).error.code, what).toBe('FORBIDDEN');
    }
    // Right token, same origin, or no Origin at all (a client that sends none): accepted.
    expect((await call({ csrf: admin.csrf, origin: HANDOFF })).status).toBe(201);
    expect((await call({ csrf: admin.csrf })).status).toBe(201);
    // Reads need no token.
    expect((await workerFetch(`${HANDOFF}/v1/console/members`, withSession(admin.cookie))).status).toBe(200);
  });

  it('is not an API key, and an API key is not a session', async () => {
    const t = await firm();
    const admin = await firstAdmin(t);
    const asBearer = await workerFetch(`${HANDOFF}/v1/console/members`, {
      headers: { authorization: `Bearer ${admin.cookie}` },
    });
    expect(asBearer.status).toBe(401);
    const keyAsCookie = await sessionOf(t.keys.admin);
    expect(keyAsCookie.status).toBe(401);
    const keyOnSession = await workerFetch(`${HANDOFF}/v1/console/session`, {
      headers: { authorization: `Bearer ${t.keys.admin}` },
    });
    expect(keyOnSession.status).toBe(401);
    // The admin key does reach the console's operations (automation), as the key it is.
    const byKey = await workerFetch(`${HANDOFF}/v1/console/members`, {
      headers: { authorization: `Bearer ${t.keys.admin}` },
    });
    expect(byKey.status).toBe(200);
  });

  it('ends after 30 minutes idle, slides with use, and ends after 12 hours whatever', async () => {
    const t = await firm();
    const admin = await firstAdmin(t);
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    const row = async () =>
      (
        await db().select().from(consoleSessionsTable).where(eq(consoleSessionsTable.tenantId, t.tenantId))
      )[0]!;
    const set = (v: Partial<typeof consoleSessionsTable.$inferInsert>) =>
      db().update(consoleSessionsTable).set(v).where(eq(consoleSessionsTable.tenantId, t.tenantId));

    // Used two minutes after the last request: the idle expiry moves to 30 minutes from now.
    await set({
      lastSeenAt: ago(2 * 60_000),
      idleExpiresAt: new Date(Date.now() + 28 * 60_000).toISOString(),
    });
    expect((await sessionOf(admin.cookie)).status).toBe(200);
    expect(Date.parse((await row()).idleExpiresAt) - Date.now()).toBeGreaterThan(29 * 60_000);

    await set({ idleExpiresAt: ago(1000) });
    expect((await sessionOf(admin.cookie)).status).toBe(401);

    const fresh = await signIn(workerFetch, { provider: 'entra', loginHint: admin.person.email });
    const rows = await db()
      .select()
      .from(consoleSessionsTable)
      .where(eq(consoleSessionsTable.tenantId, t.tenantId));
    const latest = rows.find((r) => r.idleExpiresAt > new Date().toISOString())!;
    await db()
      .update(consoleSessionsTable)
      .set({ absoluteExpiresAt: ago(1000) })
      .where(eq(consoleSessionsTable.id, latest.id));
    expect((await sessionOf(fresh.cookie!)).status).toBe(401);
  });

  it('sign-out ends the session and clears the cookie; audited', async () => {
    const t = await firm();
    const admin = await firstAdmin(t);
    const noToken = await workerFetch(
      `${HANDOFF}/v1/console/session/sign-out`,
      withSession(admin.cookie, { method: 'POST' }),
    );
    expect(noToken.status).toBe(403);
    const res = await workerFetch(
      `${HANDOFF}/v1/console/session/sign-out`,
      withSession(admin.cookie, { method: 'POST', csrf: admin.csrf, origin: HANDOFF }),
    );
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/^__Host-handoff_session=;.*Max-Age=0/i);
    expect((await sessionOf(admin.cookie)).status).toBe(401);
    expect((await auditOf(t.tenantId, 'console.signed_out'))[0]!.actor).toBe(
      `person:${admin.session.person.id}`,
    );
  });

  it('is dropped by the cron a day after it ended, with old invitations', async () => {
    const t = await firm();
    const admin = await firstAdmin(t);
    const ago = new Date(Date.now() - 25 * 3600_000).toISOString();
    await db()
      .update(consoleSessionsTable)
      .set({ absoluteExpiresAt: ago })
      .where(eq(consoleSessionsTable.tenantId, t.tenantId));
    await db()
      .update(consoleInvitationsTable)
      .set({ expiresAt: ago })
      .where(eq(consoleInvitationsTable.tenantId, t.tenantId));
    const swept = await sweep(env as unknown as Env, db());
    expect(swept.console.sessions).toBeGreaterThanOrEqual(1);
    expect(swept.console.invitations).toBeGreaterThanOrEqual(1);
    expect(
      await db().select().from(consoleSessionsTable).where(eq(consoleSessionsTable.tenantId, t.tenantId)),
    ).toHaveLength(0);
    expect((await sessionOf(admin.cookie)).status).toBe(401);
  });
});
