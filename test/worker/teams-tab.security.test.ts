/**
 * The Teams tab signs in with an Entra SSO token: genuine tokens from an organisation no firm connected, or
 * without the tab's scope, are refused at the route, and a connected organisation's people see their own
 * firm's queue. (The verifier's checks one by one: test/node/token-checks.test.ts.)
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { connectTeams, newTenant, PEOPLE, testEnv } from './harness';

const AUD = 'api://handoff.test/00000000-0000-4000-8000-00000000b07a';

async function ssoToken(tid: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await fetch(`${testEnv.EMULATORS.entra}/__emulator/instances/entra/sso-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tid, oid: PEOPLE.ava.aadObjectId, name: PEOPLE.ava.name, aud: AUD, ...extra }),
  });
  return ((await res.json()) as { token: string }).token;
}

const myApprovals = (token: string) =>
  SELF.fetch('http://handoff/v1/teams/me/approvals', { headers: { authorization: `Bearer ${token}` } });

describe('Teams tab sign-in', () => {
  it("answers a connected organisation's person, and refuses an organisation no firm connected (403)", async () => {
    const t = await newTenant();
    const tid = await connectTeams(t);
    const call = myApprovals;

    const own = await call(await ssoToken(tid));
    expect(own.status, await own.clone().text()).toBe(200);

    const stranger = await call(await ssoToken(crypto.randomUUID()));
    expect(stranger.status, await stranger.clone().text()).toBe(403);
    expect(((await stranger.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');

    // Upper case is the same organisation (tids are GUIDs); a genuine token without the tab's scope is not.
    expect((await call(await ssoToken(tid.toUpperCase()))).status).toBe(200);
    expect((await call(await ssoToken(tid, { scp: 'User.Read' }))).status).toBe(401);
  });
});
