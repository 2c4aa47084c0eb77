import { decodeJwt, jwtVerify } from 'jose';
import { z } from 'zod';
import { ConnectorError } from '../../connectors/errors';
import { guardedFetch, type OutboundPolicy } from '../../connectors/outbound-guard';
import type { FetchLike } from '../../connectors/ports';
import { randomToken } from '../crypto';
import { SsoKeyCache } from '../teams/sso';

/**
 * Microsoft Entra ID sign-in with OpenID Connect: the authorization code flow with PKCE, done on the server
 * (a confidential client: the code is redeemed with the app's secret and the verifier, neither of which ever
 * reaches the browser). Used to prove who a person is and which organisation (tid) they belong to: the
 * Microsoft 365 claim of a firm today, the console's sign-in next. Protocol only: what a verified sign-in
 * allows is for the caller to decide.
 *
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow
 * https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference
 */

export interface EntraOidcConfig {
  /** https://login.microsoftonline.com (or the emulator's base). */
  authority: string;
  clientId: string;
  clientSecret: string;
  /** Where the token and key requests may go (the Microsoft sign-in hosts; loopback only in the sandbox). */
  outbound: OutboundPolicy;
}

/** What one authorization request needs kept on the server until its callback. */
export interface AuthorizationRequest {
  authorizeUrl: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** A person as Entra vouched for them in a verified id token. */
export interface EntraPrincipal {
  /** The organisation (directory) the person signed in to. */
  tid: string;
  /** Their object id in that directory. */
  oid: string;
  name: string;
  preferredUsername?: string;
  /** Directory role template ids (`wids`); undefined when the token carries none (not configured for the app). */
  roles?: string[];
}

export type EntraSignInFailure =
  /** Entra or the person refused (consent declined, a code expired, redeemed, or not ours): start again. */
  | 'refused'
  /** The id token failed a check: signature, issuer, audience, expiry, nonce, tenant. */
  | 'invalid_token'
  /** Entra could not be reached or failed: try again later. */
  | 'unavailable'
  /** Entra refused our own credentials (client id or secret): the operator must fix the deployment. */
  | 'misconfigured';

export class EntraSignInError extends Error {
  constructor(
    readonly failure: EntraSignInFailure,
    message: string,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'EntraSignInError';
  }
}

/** The tenant-independent endpoint for work and school accounts (no personal Microsoft accounts). */
const ORGANIZATIONS = 'organizations';
/** The tid of personal Microsoft accounts: never an organisation. */
const CONSUMER_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN_TIMEOUT_MS = 10_000;
/** Seconds of clock skew accepted on exp/nbf/iat (as for the tab's SSO tokens). */
const CLOCK_TOLERANCE_S = 300;
const SYSTEM = 'Microsoft Entra ID';

const defaultKeys = new SsoKeyCache();

const authorityOf = (cfg: EntraOidcConfig) => cfg.authority.replace(/\/+$/, '');

function outbound(cfg: EntraOidcConfig, fetcher: FetchLike): FetchLike {
  return guardedFetch(fetcher, { system: SYSTEM, targets: 'microsoft-login', policy: cfg.outbound });
}

async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/**
 * A new authorization request: fresh state (the callback's one-time key), nonce (bound into the id token) and
 * PKCE verifier (43 characters, S256 challenge), and the URL to send the person's browser to.
 */
export async function newAuthorizationRequest(
  cfg: EntraOidcConfig,
  redirectUri: string,
  opts: { prompt?: 'select_account' | 'login' | 'consent'; loginHint?: string } = {},
): Promise<AuthorizationRequest> {
  const state = randomToken(32);
  const nonce = randomToken(24);
  const codeVerifier = randomToken(32);
  const params = new URLSearchParams({
    client_id: cfg.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    response_mode: 'query',
    scope: 'openid profile',
    state,
    nonce,
    code_challenge: await s256(codeVerifier),
    code_challenge_method: 'S256',
    prompt: opts.prompt ?? 'select_account',
  });
  if (opts.loginHint) params.set('login_hint', opts.loginHint);
  return {
    authorizeUrl: `${authorityOf(cfg)}/${ORGANIZATIONS}/oauth2/v2.0/authorize?${params}`,
    state,
    nonce,
    codeVerifier,
  };
}

const TokenResponseSchema = z.looseObject({
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer'),
  id_token: z.string().min(1),
});
const EntraErrorSchema = z.looseObject({
  error: z.string(),
  error_description: z.string().optional(),
  error_codes: z.array(z.number()).optional(),
});

/**
 * Redeems an authorization code at the token endpoint (client secret and PKCE verifier) and answers the raw
 * id token, still to be verified with `verifyIdToken`.
 */
export async function redeemAuthorizationCode(
  cfg: EntraOidcConfig,
  input: { code: string; redirectUri: string; codeVerifier: string },
  fetcher: FetchLike = (i, init) => fetch(i, init),
): Promise<string> {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: cfg.clientId,
    client_secret: cfg.clientSecret,
    code: input.code,
    redirect_uri: input.redirectUri,
    code_verifier: input.codeVerifier,
    scope: 'openid profile',
  });
  let res: Response;
  try {
    res = await outbound(cfg, fetcher)(`${authorityOf(cfg)}/${ORGANIZATIONS}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
  } catch (e) {
    if (e instanceof ConnectorError && !e.retryable)
      throw new EntraSignInError(
        'misconfigured',
        `The Microsoft token endpoint is refused: ${e.message}`,
        e.fix,
      );
    throw new EntraSignInError(
      'unavailable',
      `Microsoft sign-in could not be reached: ${(e as Error).message}`,
      'Try again in a few minutes.',
    );
  }
  const json = await res.json().catch(() => undefined);
  if (!res.ok) {
    const err = EntraErrorSchema.safeParse(json);
    const code = err.success ? err.data.error : `HTTP ${res.status}`;
    const description = err.success ? (err.data.error_description ?? code) : `HTTP ${res.status}`;
    if (res.status >= 500 || res.status === 429)
      throw new EntraSignInError(
        'unavailable',
        `Microsoft sign-in failed (${code}).`,
        'Try again in a few minutes.',
      );
    if (code === 'invalid_client' || code === 'unauthorized_client')
      throw new EntraSignInError(
        'misconfigured',
        `Microsoft refused Handoff's app credentials (${code}).`,
        "The operator must check ENTRA_CLIENT_ID and renew ENTRA_CLIENT_SECRET (the app registration's client secret).",
      );
    throw new EntraSignInError(
      'refused',
      `Microsoft refused the sign-in code (${code}): ${firstLine(description)}`,
      'Start again with POST /v1/admin/identity/microsoft/claims and finish the sign-in within 10 minutes.',
    );
  }
  const parsed = TokenResponseSchema.safeParse(json);
  if (!parsed.success)
    throw new EntraSignInError(
      'unavailable',
      'The Microsoft token endpoint answered without an id token.',
      'Try again; if it persists, check that the app registration allows ID tokens for this redirect URI.',
    );
  return parsed.data.id_token;
}

const firstLine = (s: string) => s.split(/\r?\n/)[0]!.slice(0, 300);

/**
 * Verifies an Entra v2 id token as OpenID Connect requires: RS256 signature by a key of the token's own
 * tenant (`{authority}/{tid}/discovery/v2.0/keys`), issuer `{authority}/{tid}/v2.0` (so the tid in the token
 * is the one that signed it), audience our client id, not expired, and the nonce of our request.
 */
export async function verifyIdToken(
  cfg: EntraOidcConfig,
  idToken: string,
  expected: { nonce: string },
  fetcher: FetchLike = (i, init) => fetch(i, init),
  keys: SsoKeyCache = defaultKeys,
): Promise<EntraPrincipal> {
  const invalid = (why: string) =>
    new EntraSignInError(
      'invalid_token',
      `The Microsoft id token is not valid: ${why}.`,
      'Start again with POST /v1/admin/identity/microsoft/claims.',
    );
  let tid: string;
  try {
    tid = String(decodeJwt(idToken).tid ?? '');
  } catch {
    throw invalid('not a JWT');
  }
  if (!GUID.test(tid)) throw invalid('no organisation id (tid)');
  tid = tid.toLowerCase();
  if (tid === CONSUMER_TENANT) throw invalid('a personal Microsoft account is not an organisation');
  const authority = authorityOf(cfg);
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(
      idToken,
      keys.keySet(`${authority}/${tid}/discovery/v2.0/keys`, outbound(cfg, fetcher)),
      {
        issuer: `${authority}/${tid}/v2.0`,
        audience: cfg.clientId,
        algorithms: ['RS256'],
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp', 'iat', 'nonce'],
      },
    ));
  } catch (e) {
    throw invalid((e as Error).message);
  }
  if (!timingSafeEqual(String(payload.nonce), expected.nonce))
    throw invalid('its nonce is not this sign-in’s');
  if (typeof payload.oid !== 'string' || !GUID.test(payload.oid)) throw invalid('no object id (oid)');
  const wids = payload.wids;
  return {
    tid,
    oid: payload.oid.toLowerCase(),
    name: typeof payload.name === 'string' ? payload.name : payload.oid,
    ...(typeof payload.preferred_username === 'string'
      ? { preferredUsername: payload.preferred_username }
      : {}),
    ...(Array.isArray(wids) ? { roles: wids.filter((w): w is string => typeof w === 'string') } : {}),
  };
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
