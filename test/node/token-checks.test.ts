/**
 * Every check of every token, one defect at a time: for each verifier a genuine token is accepted, and a
 * token that is right in every way but one is refused. Each case is the test that fails when its one check
 * is removed (test/reliability/mutants.sh, group "token"). Keys are made here and served the way Microsoft
 * serves them (JWKS entries without `alg`, Bot Framework keys with `endorsements`), so nothing but the
 * verifier's own checks stands between a defective token and acceptance.
 */
import {
  base64url,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyConnectSignature } from '../../worker/connectors/docusign/verify-signature';
import { parseKantataWebhook } from '../../worker/connectors/kantata/webhook';
import { OpenIdKeyCache } from '../../worker/connectors/teams/openid-keys';
import { verifyBotRequest } from '../../worker/connectors/teams/verify-bot-request';
import { verifyEmbedToken } from '../../worker/domain/embed-tokens';
import type { Keyring } from '../../worker/domain/keyring';
import { SsoKeyCache, verifyTeamsSsoToken } from '../../worker/domain/teams/sso';

const now = () => Math.floor(Date.now() / 1000);

/** A token whose payload was changed after signing: the header (and kid) and signature are the genuine ones. */
function tampered(token: string, change: Record<string, unknown>): string {
  const [h, p, s] = token.split('.');
  const payload = { ...decodeJwt(token), ...change };
  expect(p).not.toBe(base64url.encode(JSON.stringify(payload)));
  return `${h}.${base64url.encode(JSON.stringify(payload))}.${s}`;
}

/** One RSA key usable under several algorithms (as a key in a JWKS without `alg` is), and its public JWK. */
async function rsaKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const { alg: _alg, ...pub } = await exportJWK(publicKey);
  return {
    kid,
    publicJwk: { ...pub, kid, use: 'sig' } as JWK,
    sign: async (claims: JWTPayload, alg = 'RS256', header: Record<string, unknown> = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg, kid, typ: 'JWT', ...header })
        .sign(await importJWK({ ...privateJwk, alg }, alg)),
  };
}

type Route = Record<string, unknown>;
const serve =
  (routes: Record<string, () => Route>) =>
  async (input: string | URL | Request): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const body = routes[url];
    return body ? Response.json(body()) : new Response('not found', { status: 404 });
  };

describe('sidebar embed tokens (HS256, kid, issuer, audience, expiry, tenant and project)', () => {
  const current = crypto.getRandomValues(new Uint8Array(32));
  const previous = crypto.getRandomValues(new Uint8Array(32));
  const ring: Keyring = {
    name: 'EMBED_SIGNING_KEY',
    currentId: 'v2',
    keys: new Map([
      ['v2', current],
      ['v1', previous],
    ]),
  };
  const claims = { tid: 'ten_a', prj: '4242', sub: 'pm@firm.example' };
  const mint = (
    o: {
      claims?: JWTPayload;
      alg?: string;
      kid?: string | null;
      key?: Uint8Array;
      iss?: string;
      aud?: string;
      exp?: number;
    } = {},
  ) => {
    const header: Record<string, unknown> = { alg: o.alg ?? 'HS256', typ: 'JWT' };
    if (o.kid !== null) header.kid = o.kid ?? 'v2';
    return new SignJWT(o.claims ?? claims)
      .setProtectedHeader(header as { alg: string })
      .setIssuer(o.iss ?? 'handoff')
      .setAudience(o.aud ?? 'handoff-sidebar')
      .setIssuedAt()
      .setExpirationTime(o.exp ?? now() + 600)
      .sign(o.key ?? current);
  };

  it('accepts a genuine token (current key, and the previous key by its kid; 30 s of leeway)', async () => {
    await expect(verifyEmbedToken(ring, await mint())).resolves.toEqual({
      tenantId: 'ten_a',
      psaProjectId: '4242',
      user: 'pm@firm.example',
    });
    await expect(verifyEmbedToken(ring, await mint({ kid: 'v1', key: previous }))).resolves.toBeTruthy();
    await expect(verifyEmbedToken(ring, await mint({ exp: now() - 10 }))).resolves.toBeTruthy();
  });

  it.each([
    ['signed with another key (signature)', () => mint({ key: crypto.getRandomValues(new Uint8Array(32)) })],
    [
      'whose claims were changed after signing (signature)',
      async () => tampered(await mint(), { tid: 'ten_b' }),
    ],
    ['signed HS512 with the right key (algorithm)', () => mint({ alg: 'HS512' })],
    ['signed HS384 with the right key (algorithm)', () => mint({ alg: 'HS384' })],
    ['unsigned, alg none (algorithm)', async () => new UnsecuredJWT(claims).setIssuer('handoff').encode()],
    ['from another issuer (issuer)', () => mint({ iss: 'someone-else' })],
    ['for another audience (audience)', () => mint({ aud: 'handoff-console' })],
    ['expired two minutes ago (expiry)', () => mint({ exp: now() - 120 })],
    ['without a kid, signed with the current key (key id)', () => mint({ kid: null })],
    ['with an unknown kid, signed with the current key (key id)', () => mint({ kid: 'v9' })],
    ["naming the previous key's id, signed with the current key (key id)", () => mint({ kid: 'v1' })],
    ['without a tenant (tenant claim)', () => mint({ claims: { prj: '4242', sub: 'pm' } })],
    ['without a project (project claim)', () => mint({ claims: { tid: 'ten_a', sub: 'pm' } })],
    ['with a numeric tenant (tenant claim)', () => mint({ claims: { tid: 7, prj: '4242' } })],
  ])('refuses a token %s', async (_what, make) => {
    await expect(verifyEmbedToken(ring, await make())).rejects.toThrow();
  });
});

describe('Bot Framework channel tokens (key, RS256, issuer, audience, validity with 5 min skew, serviceUrl, endorsements)', () => {
  const APP_ID = '00000000-0000-4000-8000-0000000000a1';
  const METADATA = 'https://login.botframework.com/v1/.well-known/openidconfiguration';
  const JWKS = 'https://login.botframework.com/v1/.well-known/keys';
  const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
  const activity = { serviceUrl: SERVICE_URL, channelId: 'msteams' };
  let key: Awaited<ReturnType<typeof rsaKey>>;
  let teamsOnly: Awaited<ReturnType<typeof rsaKey>>;
  let fetcher: ReturnType<typeof serve>;

  beforeAll(async () => {
    key = await rsaKey('bf-1');
    teamsOnly = await rsaKey('bf-teams');
    fetcher = serve({
      [METADATA]: () => ({ issuer: 'https://api.botframework.com', jwks_uri: JWKS }),
      [JWKS]: () => ({
        keys: [
          { ...key.publicJwk, endorsements: ['msteams', 'webchat'] },
          { ...teamsOnly.publicJwk, endorsements: ['webchat'] },
        ],
      }),
    });
  });

  const claims = (o: { iss?: string; aud?: string; at?: number; serviceurl?: string | null } = {}) => {
    const at = o.at ?? now();
    const c: JWTPayload = {
      iss: o.iss ?? 'https://api.botframework.com',
      aud: o.aud ?? APP_ID,
      iat: at,
      nbf: at,
      exp: at + 3600,
    };
    if (o.serviceurl !== null) c.serviceurl = o.serviceurl ?? SERVICE_URL;
    return c;
  };
  const verify = (token: string, nowMs = Date.now()) =>
    verifyBotRequest(
      `Bearer ${token}`,
      activity,
      { appId: APP_ID, openIdMetadataUrl: METADATA, now: nowMs },
      fetcher,
      new OpenIdKeyCache(),
    );

  it('accepts a genuine token, also 4 minutes after its expiry or before its start (the SDK skew)', async () => {
    const token = await key.sign(claims());
    await expect(verify(token)).resolves.toMatchObject({ serviceUrl: SERVICE_URL, channelId: 'msteams' });
    await expect(verify(token, (now() + 3600 + 240) * 1000)).resolves.toBeTruthy();
    await expect(verify(token, (now() - 240) * 1000)).resolves.toBeTruthy();
  });

  it.each([
    [
      'whose claims were changed after signing (signature)',
      async () =>
        tampered(await key.sign(claims()), {
          aud: APP_ID,
          serviceurl: 'https://smba.trafficmanager.net/amer/',
        }),
    ],
    [
      'whose serviceurl claim was swapped after signing (signature)',
      async () => {
        const other = await key.sign(claims());
        const [h, , s] = other.split('.');
        return `${h}.${base64url.encode(JSON.stringify({ ...decodeJwt(other), exp: now() + 7200 }))}.${s}`;
      },
    ],
    ['signed by a key the JWKS does not list (key)', async () => (await rsaKey('bf-1')).sign(claims())],
    ['from another issuer (issuer)', () => key.sign(claims({ iss: 'https://sts.windows.net/attacker/' }))],
    ['for another bot (audience)', () => key.sign(claims({ aud: '00000000-0000-4000-8000-0000000000b2' }))],
    ['expired six minutes ago (expiry, 5 min skew)', () => key.sign(claims({ at: now() - 3600 - 360 }))],
    [
      'without exp (expiry required)',
      async () => {
        const { exp: _exp, ...rest } = claims();
        return key.sign(rest);
      },
    ],
    ['valid only from six minutes on (not before, 5 min skew)', () => key.sign(claims({ at: now() + 360 }))],
    [
      "whose serviceurl is not the activity's (serviceUrl)",
      () => key.sign(claims({ serviceurl: 'https://attacker.example/teams/' })),
    ],
    ['without a serviceurl claim (serviceUrl)', () => key.sign(claims({ serviceurl: null }))],
    ['signed by a key not endorsed for msteams (endorsements)', () => teamsOnly.sign(claims())],
  ])('refuses a token %s with 403', async (_what, make) => {
    await expect(verify(await make())).rejects.toMatchObject({ name: 'BotAuthError', status: 403 });
  });

  it('refuses tokens in other algorithms: none, HS256 keyed with the public key, RS512 by the listed key', async () => {
    const none = new UnsecuredJWT(claims()).encode();
    const noneWithKid = `${base64url.encode(JSON.stringify({ alg: 'none', kid: 'bf-1' }))}.${none.split('.')[1]}.`;
    const hs = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', kid: 'bf-1' })
      .sign(new TextEncoder().encode(JSON.stringify(key.publicJwk)));
    for (const token of [
      noneWithKid,
      hs,
      await key.sign(claims(), 'RS512'),
      await key.sign(claims(), 'PS256'),
    ]) {
      expect(decodeProtectedHeader(token).alg).not.toBe('RS256');
      await expect(verify(token)).rejects.toMatchObject({ name: 'BotAuthError', status: 403 });
    }
  });
});

describe('Teams tab SSO tokens (tenant keys, RS256, issuer per tenant, audience, expiry, scp, oid, tid)', () => {
  const AUTHORITY = 'https://login.microsoftonline.com';
  const AUD = 'api://handoff.example/00000000-0000-4000-8000-0000000000a1';
  const TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const OTHER_TID = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
  const cfg = { authority: AUTHORITY, audiences: [AUD, '00000000-0000-4000-8000-0000000000a1'] };
  let key: Awaited<ReturnType<typeof rsaKey>>;
  let otherTenantKey: Awaited<ReturnType<typeof rsaKey>>;
  let fetcher: ReturnType<typeof serve>;

  beforeAll(async () => {
    key = await rsaKey('entra-1');
    otherTenantKey = await rsaKey('entra-2');
    fetcher = serve({
      [`${AUTHORITY}/${TID}/discovery/v2.0/keys`]: () => ({ keys: [key.publicJwk] }),
      [`${AUTHORITY}/${OTHER_TID}/discovery/v2.0/keys`]: () => ({ keys: [otherTenantKey.publicJwk] }),
    });
  });

  const claims = (o: Record<string, unknown> = {}): JWTPayload => {
    const c: Record<string, unknown> = {
      iss: `${AUTHORITY}/${TID}/v2.0`,
      aud: AUD,
      tid: TID,
      oid: 'e5f1a1f4-0000-4000-8000-00000000a0a0',
      name: 'Ava',
      scp: 'User.Read access_as_user',
      iat: now(),
      exp: now() + 3600,
      ...o,
    };
    for (const k of Object.keys(c)) if (c[k] === undefined) delete c[k];
    return c as JWTPayload;
  };
  const verify = (token: string) => verifyTeamsSsoToken(token, cfg, fetcher, new SsoKeyCache());

  it('accepts a genuine token, and the app id as audience', async () => {
    await expect(verify(await key.sign(claims()))).resolves.toMatchObject({ tid: TID, name: 'Ava' });
    await expect(verify(await key.sign(claims({ aud: cfg.audiences[1] })))).resolves.toBeTruthy();
    await expect(verify(await key.sign(claims({ exp: now() - 120 })))).resolves.toBeTruthy();
  });

  it.each([
    [
      'whose claims were changed after signing (signature)',
      async () => tampered(await key.sign(claims()), { oid: 'e5f1a1f4-0000-4000-8000-00000000beef' }),
    ],
    [
      'signed by another key with the same kid (signature)',
      async () => (await rsaKey('entra-1')).sign(claims()),
    ],
    ['signed PS256 by the tenant key (algorithm)', () => key.sign(claims(), 'PS256')],
    ['signed RS512 by the tenant key (algorithm)', () => key.sign(claims(), 'RS512')],
    [
      'issued for another tenant (issuer per tid)',
      () => key.sign(claims({ iss: `${AUTHORITY}/${OTHER_TID}/v2.0` })),
    ],
    ['from the v1 issuer (issuer)', () => key.sign(claims({ iss: `https://sts.windows.net/${TID}/` }))],
    ['for another app (audience)', () => key.sign(claims({ aud: 'api://other.example/123' }))],
    ['expired ten minutes ago (expiry, 5 min skew)', () => key.sign(claims({ exp: now() - 600 }))],
    ['without scp (scope)', () => key.sign(claims({ scp: undefined }))],
    ['with other scopes only (scope)', () => key.sign(claims({ scp: 'User.Read Mail.Read' }))],
    ['without oid (user)', () => key.sign(claims({ oid: undefined }))],
    ['without tid (tenant)', () => key.sign(claims({ tid: undefined }))],
    [
      'whose tid is a path to a tenant (tenant)',
      () => key.sign(claims({ tid: `x/../${TID}`, iss: `${AUTHORITY}/x/../${TID}/v2.0` })),
    ],
    [
      "with another tenant's tid, signed by this tenant's key (tenant keys)",
      () => key.sign(claims({ tid: OTHER_TID, iss: `${AUTHORITY}/${OTHER_TID}/v2.0` })),
    ],
  ])('refuses a token %s', async (_what, make) => {
    await expect(verify(await make())).rejects.toMatchObject({ name: 'SsoError' });
  });
});

describe('Standard Webhooks (PSA change notifications): signature, timestamp window, id', () => {
  const secretBytes = crypto.getRandomValues(new Uint8Array(24));
  const secret = `whsec_${btoa(String.fromCharCode(...secretBytes))}`;
  const body = JSON.stringify({
    id: 9,
    event_type: 'time_entry:updated',
    subject_type: 'TimeEntry',
    subject_id: 77,
  });
  const sign = async (signed: string, key = secretBytes) => {
    const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', k, new TextEncoder().encode(signed)));
    return `v1,${btoa(String.fromCharCode(...mac))}`;
  };
  const headers = async (
    o: { id?: string | null; ts?: number; signedAs?: string; key?: Uint8Array<ArrayBuffer> } = {},
  ) => {
    const id = o.id === undefined ? 'msg_1' : o.id;
    const ts = String(o.ts ?? now());
    const h: Record<string, string> = {
      'webhook-timestamp': ts,
      'webhook-signature': await sign(o.signedAs ?? `${id}.${ts}.${body}`, o.key),
    };
    if (id !== null) h['webhook-id'] = id;
    return h;
  };

  it('accepts a genuine delivery, 4 minutes old', async () => {
    await expect(
      parseKantataWebhook(await headers({ ts: now() - 240 }), body, secret),
    ).resolves.toMatchObject({ id: 'msg_1', subjectId: '77' });
  });

  it.each([
    [
      'signed with another secret (signature)',
      () => headers({ key: crypto.getRandomValues(new Uint8Array(24)) }),
    ],
    ['six minutes old (timestamp window)', () => headers({ ts: now() - 360 })],
    ['six minutes ahead (timestamp window)', () => headers({ ts: now() + 360 })],
    [
      'whose id was changed after signing (id)',
      async () => ({ ...(await headers()), 'webhook-id': 'msg_2' }),
    ],
    [
      'without an id, signed over what a verifier without one would check (id)',
      () => headers({ id: null, signedAs: `undefined.${now()}.${body}` }),
    ],
  ])('refuses a delivery %s', async (_what, make) => {
    await expect(parseKantataWebhook(await make(), body, secret)).rejects.toMatchObject({
      name: 'KantataWebhookError',
    });
  });
});

describe('DocuSign Connect HMAC', () => {
  const body = '{"event":"envelope-completed"}';
  const mac = async (key: string, data = body) => {
    const k = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(key),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    return btoa(
      String.fromCharCode(
        ...new Uint8Array(await crypto.subtle.sign('HMAC', k, new TextEncoder().encode(data))),
      ),
    );
  };

  it('accepts the HMAC of the body under any current key, in any signature header', async () => {
    const h = { 'X-DocuSign-Signature-1': await mac('old'), 'X-DocuSign-Signature-2': await mac('new') };
    expect(await verifyConnectSignature(body, h, ['new'])).toBe(true);
  });

  it.each([
    ['under another key', async () => ({ 'X-DocuSign-Signature-1': await mac('someone-else') })],
    ['of another body', async () => ({ 'X-DocuSign-Signature-1': await mac('new', '{"event":"voided"}') })],
    ['that is not base64 of an HMAC', async () => ({ 'X-DocuSign-Signature-1': btoa('x'.repeat(32)) })],
    ['absent', async () => ({})],
  ])('refuses a signature %s', async (_what, make) => {
    expect(await verifyConnectSignature(body, await make(), ['new'])).toBe(false);
  });
});
