import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BotConnectorConfigSchema } from '../../worker/connectors/teams/config';
import { botTokenSource } from '../../worker/connectors/teams/token-source';
import { SsoKeyCache, verifyTeamsSsoToken } from '../../worker/domain/teams/sso';

const AUTHORITY = 'https://login.example.test';
const AUDIENCE = 'api://handoff.example.test/app-id';

async function signingKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, jwk };
}
type SigningKey = Awaited<ReturnType<typeof signingKey>>;

/** A stand-in for Entra's per-tenant key endpoint that counts how often it is asked. */
function fakeEntra(published: () => JWK[]) {
  const calls: string[] = [];
  const fetcher = async (input: Request | string | URL) => {
    calls.push(String(input));
    return Response.json({ keys: published() });
  };
  return { calls, fetcher };
}

function ssoToken(key: SigningKey, tid: string) {
  return new SignJWT({ tid, oid: 'user-1', scp: 'access_as_user', name: 'Ava Chen' })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(`${AUTHORITY}/${tid}/v2.0`)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key.privateKey);
}

const cfg = { authority: AUTHORITY, audiences: [AUDIENCE] };

describe("Teams tab sign-in: the tenants' signing keys", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-02T09:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('are fetched once per tenant and reused by later sign-ins', async () => {
    const key = await signingKey('k1');
    const entra = fakeEntra(() => [key.jwk]);
    const keys = new SsoKeyCache();
    for (let i = 0; i < 3; i++) {
      const user = await verifyTeamsSsoToken(await ssoToken(key, 'tenant-a'), cfg, entra.fetcher, keys);
      expect(user).toMatchObject({ tid: 'tenant-a', oid: 'user-1' });
    }
    expect(entra.calls).toEqual([`${AUTHORITY}/tenant-a/discovery/v2.0/keys`]);
  });

  it('an unknown kid refetches at most once a minute, so forged kids cannot hammer Entra; a rotated key is found', async () => {
    const key = await signingKey('k1');
    const forged = await signingKey('forged');
    const rotated = await signingKey('k2');
    let published = [key.jwk];
    const entra = fakeEntra(() => published);
    const keys = new SsoKeyCache();
    await verifyTeamsSsoToken(await ssoToken(key, 'tenant-a'), cfg, entra.fetcher, keys);
    expect(entra.calls).toHaveLength(1);

    for (let i = 0; i < 5; i++) {
      await expect(
        verifyTeamsSsoToken(await ssoToken(forged, 'tenant-a'), cfg, entra.fetcher, keys),
      ).rejects.toThrow(/Invalid SSO token/);
    }
    expect(entra.calls).toHaveLength(1); // the keys were fetched moments ago: no refetch

    vi.setSystemTime(Date.now() + 61_000);
    for (let i = 0; i < 5; i++) {
      await expect(
        verifyTeamsSsoToken(await ssoToken(forged, 'tenant-a'), cfg, entra.fetcher, keys),
      ).rejects.toThrow(/Invalid SSO token/);
    }
    expect(entra.calls).toHaveLength(2); // one look a minute later, then quiet again

    // Entra rotates: the new kid is looked up (once the minute has passed) and accepted.
    published = [key.jwk, rotated.jwk];
    vi.setSystemTime(Date.now() + 61_000);
    const user = await verifyTeamsSsoToken(await ssoToken(rotated, 'tenant-a'), cfg, entra.fetcher, keys);
    expect(user.tid).toBe('tenant-a');
    expect(entra.calls).toHaveLength(3);
    await verifyTeamsSsoToken(await ssoToken(rotated, 'tenant-a'), cfg, entra.fetcher, keys);
    expect(entra.calls).toHaveLength(3);
  });

  it('are refreshed after a day, and the cache holds a bounded number of tenants', async () => {
    const key = await signingKey('k1');
    const entra = fakeEntra(() => [key.jwk]);
    const keys = new SsoKeyCache(2);
    const signIn = async (tid: string) =>
      verifyTeamsSsoToken(await ssoToken(key, tid), cfg, entra.fetcher, keys);
    await signIn('tenant-a');
    vi.setSystemTime(Date.now() + 23 * 3_600_000);
    await signIn('tenant-a');
    expect(entra.calls).toHaveLength(1);
    vi.setSystemTime(Date.now() + 2 * 3_600_000);
    await signIn('tenant-a');
    expect(entra.calls).toHaveLength(2);

    // Three tenants through a cache of two: the oldest is dropped and fetched again when it returns.
    await signIn('tenant-b');
    await signIn('tenant-c');
    expect(entra.calls).toHaveLength(4);
    await signIn('tenant-c');
    expect(entra.calls).toHaveLength(4);
    await signIn('tenant-a');
    expect(entra.calls.at(-1)).toBe(`${AUTHORITY}/tenant-a/discovery/v2.0/keys`);
    expect(entra.calls).toHaveLength(5);
  });
});

describe('the Bot Connector token', () => {
  const config = (appPassword = 'secret-1') =>
    BotConnectorConfigSchema.parse({
      appId: 'bot-app-id',
      appPassword,
      tokenUrl: `https://login.example.test/${crypto.randomUUID()}/oauth2/v2.0/token`,
    });

  function fakeTokenEndpoint(expiresIn = 3600) {
    const issued: string[] = [];
    const fetcher = async () => {
      const token = `token-${issued.length + 1}`;
      issued.push(token);
      return Response.json({ token_type: 'Bearer', expires_in: expiresIn, access_token: token });
    };
    return { issued, fetcher };
  }

  it('is fetched once and reused by every connector with the same credentials until it nears expiry', async () => {
    const cfg = config();
    const endpoint = fakeTokenEndpoint(3600);
    let now = Date.parse('2026-11-02T09:00:00Z');
    const clock = () => now;
    // A connector (and its token source) is built per request: three requests, one token.
    for (let i = 0; i < 3; i++) {
      const tokens = botTokenSource(cfg, endpoint.fetcher, clock);
      expect(await tokens.get()).toBe('token-1');
      expect(await tokens.get()).toBe('token-1');
    }
    expect(endpoint.issued).toEqual(['token-1']);

    now += 54 * 60_000; // 6 minutes left: still good (renewed 5 minutes before expiry)
    expect(await botTokenSource(cfg, endpoint.fetcher, clock).get()).toBe('token-1');
    now += 2 * 60_000; // 4 minutes left: renewed
    expect(await botTokenSource(cfg, endpoint.fetcher, clock).get()).toBe('token-2');
    expect(endpoint.issued).toHaveLength(2);
  });

  it('is bound to the credentials, and a token the connector refused is not handed out again', async () => {
    const cfg = config('secret-1');
    const endpoint = fakeTokenEndpoint();
    const first = botTokenSource(cfg, endpoint.fetcher);
    expect(await first.get()).toBe('token-1');
    // Another secret under the same app id and token URL does not find it.
    const other = botTokenSource({ ...cfg, appPassword: 'secret-2' }, endpoint.fetcher);
    expect(await other.get()).toBe('token-2');

    const second = botTokenSource(cfg, endpoint.fetcher);
    expect(await second.get()).toBe('token-1');
    second.invalidate('token-1');
    expect(await botTokenSource(cfg, endpoint.fetcher).get()).toBe('token-3');
    expect(endpoint.issued).toHaveLength(3);
  });
});
