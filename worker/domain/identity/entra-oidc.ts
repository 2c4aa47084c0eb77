import { guardedFetch, type OutboundPolicy } from '../../connectors/outbound-guard';
import type { FetchLike } from '../../connectors/ports';
import type { SsoKeyCache } from '../teams/sso';
import {
  type AuthorizationRequest,
  invalidToken,
  newAuthorizationRequest as newOidcRequest,
  oidcKeys,
  redeemAuthorizationCode as redeemOidcCode,
  SignInError,
  unverifiedClaims,
  verifyIdTokenSignature,
} from './oidc';

export { type AuthorizationRequest, SignInError as EntraSignInError };

/**
 * Microsoft Entra ID sign-in with OpenID Connect (the shared flow in `oidc.ts`): where Entra's endpoints and
 * keys are, and what its id token says. Used to prove who a person is and which organisation (tid) they
 * belong to: the Microsoft 365 claim of a firm and the console's sign-in. Protocol only: what a verified
 * sign-in allows is for the caller to decide.
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

/** A person as Entra vouched for them in a verified id token. */
export interface EntraPrincipal {
  /** The organisation (directory) the person signed in to. */
  tid: string;
  /** Their object id in that directory. */
  oid: string;
  name: string;
  preferredUsername?: string;
  /** Their email (the `email` optional claim), when the token carries one. */
  email?: string;
  /** Directory role template ids (`wids`); undefined when the token carries none (not configured for the app). */
  roles?: string[];
  /** Security group object ids (`groups`); undefined when the app does not ask for group claims. */
  groups?: string[];
}

/** The tenant-independent endpoint for work and school accounts (no personal Microsoft accounts). */
const ORGANIZATIONS = 'organizations';
/** The tid of personal Microsoft accounts: never an organisation. */
const CONSUMER_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PROVIDER = 'Microsoft';

const authorityOf = (cfg: EntraOidcConfig) => cfg.authority.replace(/\/+$/, '');

function outbound(cfg: EntraOidcConfig, fetcher: FetchLike): FetchLike {
  return guardedFetch(fetcher, {
    system: 'Microsoft Entra ID',
    targets: 'microsoft-login',
    policy: cfg.outbound,
  });
}

/** A new authorization request at Entra's organizations endpoint (work and school accounts only). */
export function newAuthorizationRequest(
  cfg: EntraOidcConfig,
  redirectUri: string,
  opts: { prompt?: 'select_account' | 'login' | 'consent'; loginHint?: string; scope?: string } = {},
): Promise<AuthorizationRequest> {
  return newOidcRequest({
    authorizeEndpoint: `${authorityOf(cfg)}/${ORGANIZATIONS}/oauth2/v2.0/authorize`,
    clientId: cfg.clientId,
    redirectUri,
    scope: opts.scope ?? 'openid profile',
    params: {
      response_mode: 'query',
      prompt: opts.prompt ?? 'select_account',
      login_hint: opts.loginHint,
    },
  });
}

/**
 * Redeems an authorization code at Entra's token endpoint (client secret and PKCE verifier) and answers the
 * raw id token, still to be verified with `verifyIdToken`.
 */
export async function redeemAuthorizationCode(
  cfg: EntraOidcConfig,
  input: { code: string; redirectUri: string; codeVerifier: string; scope?: string },
  fetcher: FetchLike = (i, init) => fetch(i, init),
): Promise<string> {
  const scope = input.scope ?? 'openid profile';
  const answer = await redeemOidcCode(
    {
      provider: PROVIDER,
      url: `${authorityOf(cfg)}/${ORGANIZATIONS}/oauth2/v2.0/token`,
      clientId: cfg.clientId,
      clientSecret: cfg.clientSecret,
      fetch: outbound(cfg, fetcher),
      clientErrors: ['invalid_client', 'unauthorized_client'],
      credentialsFix:
        "The operator must check ENTRA_CLIENT_ID and renew ENTRA_CLIENT_SECRET (the app registration's client secret).",
    },
    { ...input, extra: { scope } },
  );
  return answer.id_token;
}

/**
 * Verifies an Entra v2 id token: RS256 signature by a key of the token's own tenant
 * (`{authority}/{tid}/discovery/v2.0/keys`), issuer `{authority}/{tid}/v2.0` (so the tid in the token is the
 * one that signed it), audience our client id, not expired, and the nonce of our request.
 */
export async function verifyIdToken(
  cfg: EntraOidcConfig,
  idToken: string,
  expected: { nonce: string },
  fetcher: FetchLike = (i, init) => fetch(i, init),
  keys: SsoKeyCache = oidcKeys,
): Promise<EntraPrincipal> {
  let tid = String(unverifiedClaims(PROVIDER, idToken).tid ?? '');
  if (!GUID.test(tid)) throw invalidToken(PROVIDER, 'no organisation id (tid)');
  tid = tid.toLowerCase();
  if (tid === CONSUMER_TENANT)
    throw invalidToken(PROVIDER, 'a personal Microsoft account is not an organisation');
  const authority = authorityOf(cfg);
  const payload = await verifyIdTokenSignature(
    PROVIDER,
    idToken,
    {
      jwksUrl: `${authority}/${tid}/discovery/v2.0/keys`,
      issuer: `${authority}/${tid}/v2.0`,
      audience: cfg.clientId,
      nonce: expected.nonce,
      fetch: outbound(cfg, fetcher),
    },
    keys,
  );
  if (typeof payload.oid !== 'string' || !GUID.test(payload.oid))
    throw invalidToken(PROVIDER, 'no object id (oid)');
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((w): w is string => typeof w === 'string') : undefined;
  const roles = strings(payload.wids);
  const groups = strings(payload.groups);
  return {
    tid,
    oid: payload.oid.toLowerCase(),
    name: typeof payload.name === 'string' ? payload.name : payload.oid,
    ...(typeof payload.preferred_username === 'string'
      ? { preferredUsername: payload.preferred_username }
      : {}),
    ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
    ...(roles ? { roles } : {}),
    ...(groups ? { groups: groups.map((g) => g.toLowerCase()) } : {}),
  };
}
