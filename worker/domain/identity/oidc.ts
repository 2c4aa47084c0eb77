import { decodeJwt, type JWTPayload, jwtVerify } from 'jose';
import { z } from 'zod';
import { ConnectorError } from '../../connectors/errors';
import type { FetchLike } from '../../connectors/ports';
import { randomToken, timingSafeEqual } from '../crypto';
import { SsoKeyCache } from '../teams/sso';

/**
 * OpenID Connect authorization code flow with PKCE, as a confidential client on the server: what every
 * identity provider Handoff signs people in with has in common (Entra ID, Salesforce). The one-time state,
 * the nonce bound into the id token and the PKCE verifier are made here and kept server side by the caller;
 * the code is redeemed with the client secret and the verifier; the id token is verified (signature by the
 * provider's published keys, issuer, audience, expiry, nonce). Each provider's module says where its
 * endpoints and keys are and what its claims mean.
 *
 * https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth, RFC 7636 (PKCE)
 */

/** What one authorization request needs kept on the server until its callback. */
export interface AuthorizationRequest {
  authorizeUrl: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export type SignInFailure =
  /** The provider or the person refused (consent declined, a code expired, redeemed, or not ours): start again. */
  | 'refused'
  /** The id token failed a check: signature, issuer, audience, expiry, nonce, organisation. */
  | 'invalid_token'
  /** The provider could not be reached or failed: try again later. */
  | 'unavailable'
  /** The provider refused our own credentials (client id or secret): the operator must fix the deployment. */
  | 'misconfigured';

export class SignInError extends Error {
  constructor(
    readonly failure: SignInFailure,
    message: string,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'SignInError';
  }
}

const TOKEN_TIMEOUT_MS = 10_000;
/** Seconds of clock skew accepted on exp/nbf/iat (as for the Teams tab's SSO tokens). */
const CLOCK_TOLERANCE_S = 300;
const START_AGAIN = 'Start the sign-in again.';

/** Signing keys of every provider, cached per key-set URL for the isolate's life. */
export const oidcKeys = new SsoKeyCache();

export async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/**
 * A new authorization request to `authorizeEndpoint`: fresh state (the callback's one-time key), nonce (bound
 * into the id token) and PKCE verifier (43 characters, S256 challenge), plus the provider's own parameters.
 */
export async function newAuthorizationRequest(input: {
  authorizeEndpoint: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  params?: Record<string, string | undefined>;
}): Promise<AuthorizationRequest> {
  const state = randomToken(32);
  const nonce = randomToken(24);
  const codeVerifier = randomToken(32);
  const params = new URLSearchParams({
    client_id: input.clientId,
    response_type: 'code',
    redirect_uri: input.redirectUri,
    scope: input.scope,
    state,
    nonce,
    code_challenge: await s256(codeVerifier),
    code_challenge_method: 'S256',
  });
  for (const [k, v] of Object.entries(input.params ?? {})) if (v !== undefined) params.set(k, v);
  return { authorizeUrl: `${input.authorizeEndpoint}?${params}`, state, nonce, codeVerifier };
}

const ErrorBodySchema = z.looseObject({ error: z.string(), error_description: z.string().optional() });

export interface TokenEndpoint {
  /** The provider's name in messages ("Microsoft", "Salesforce"). */
  provider: string;
  url: string;
  clientId: string;
  clientSecret: string;
  /** The outbound-guarded fetch for this provider's hosts. */
  fetch: FetchLike;
  /** Error codes by which the provider refuses our client id or secret. */
  clientErrors: readonly string[];
  /** The settings the operator fixes when the provider refuses our credentials. */
  credentialsFix: string;
}

/**
 * Redeems an authorization code at the token endpoint (client secret and PKCE verifier in the form) and
 * answers the token response as JSON (with its `id_token`, still to be verified).
 */
export async function redeemAuthorizationCode(
  endpoint: TokenEndpoint,
  input: { code: string; redirectUri: string; codeVerifier: string; extra?: Record<string, string> },
): Promise<Record<string, unknown> & { id_token: string }> {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: endpoint.clientId,
    client_secret: endpoint.clientSecret,
    code: input.code,
    redirect_uri: input.redirectUri,
    code_verifier: input.codeVerifier,
    ...input.extra,
  });
  const who = endpoint.provider;
  let res: Response;
  try {
    res = await endpoint.fetch(endpoint.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
  } catch (e) {
    if (e instanceof ConnectorError && !e.retryable)
      throw new SignInError('misconfigured', `The ${who} token endpoint is refused: ${e.message}`, e.fix);
    throw new SignInError(
      'unavailable',
      `${who} sign-in could not be reached: ${(e as Error).message}`,
      'Try again in a few minutes.',
    );
  }
  const json = await res.json().catch(() => undefined);
  if (!res.ok) {
    const err = ErrorBodySchema.safeParse(json);
    const code = err.success ? err.data.error : `HTTP ${res.status}`;
    const description = err.success ? (err.data.error_description ?? code) : `HTTP ${res.status}`;
    if (res.status >= 500 || res.status === 429)
      throw new SignInError('unavailable', `${who} sign-in failed (${code}).`, 'Try again in a few minutes.');
    if (endpoint.clientErrors.includes(code))
      throw new SignInError(
        'misconfigured',
        `${who} refused Handoff's app credentials (${code}).`,
        endpoint.credentialsFix,
      );
    throw new SignInError(
      'refused',
      `${who} refused the sign-in code (${code}): ${firstLine(description)}`,
      START_AGAIN,
    );
  }
  const parsed = z
    .looseObject({
      token_type: z
        .string()
        .refine((t) => t.toLowerCase() === 'bearer')
        .optional(),
      id_token: z.string().min(1),
    })
    .safeParse(json);
  if (!parsed.success)
    throw new SignInError(
      'unavailable',
      `The ${who} token endpoint answered without an id token.`,
      'Try again; if it persists, check that the app registration issues ID tokens (scope openid) for this redirect URI.',
    );
  return parsed.data as Record<string, unknown> & { id_token: string };
}

const firstLine = (s: string) => s.split(/\r?\n/)[0]!.slice(0, 300);

/** An id token that failed a check: refused with the reason (the check that failed). */
export const invalidToken = (provider: string, why: string) =>
  new SignInError('invalid_token', `The ${provider} id token is not valid: ${why}.`, START_AGAIN);

/** The payload of a JWT without verifying it (to learn which tenant's keys to verify it with). */
export function unverifiedClaims(provider: string, idToken: string): JWTPayload {
  try {
    return decodeJwt(idToken);
  } catch {
    throw invalidToken(provider, 'not a JWT');
  }
}

/**
 * Verifies an id token as OpenID Connect requires: RS256 signature by a key of `jwksUrl`, the issuer, the
 * audience (our client id), not expired (5 minutes of skew), and the nonce of our own request.
 */
export async function verifyIdTokenSignature(
  provider: string,
  idToken: string,
  expected: { jwksUrl: string; issuer: string; audience: string; nonce: string; fetch: FetchLike },
  keys: SsoKeyCache = oidcKeys,
): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, keys.keySet(expected.jwksUrl, expected.fetch), {
      issuer: expected.issuer,
      audience: expected.audience,
      algorithms: ['RS256'],
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ['exp', 'iat', 'nonce'],
    }));
  } catch (e) {
    throw invalidToken(provider, (e as Error).message);
  }
  if (!timingSafeEqual(String(payload.nonce), expected.nonce))
    throw invalidToken(provider, 'its nonce is not this sign-in’s');
  return payload;
}
