import { guardedFetch, type OutboundPolicy, outboundPolicyFromEnv } from '../../connectors/outbound-guard';
import type { FetchLike } from '../../connectors/ports';
import { to18 } from '../../connectors/salesforce/deal-request';
import type { Env } from '../../env';
import type { SsoKeyCache } from '../teams/sso';
import {
  type AuthorizationRequest,
  invalidToken,
  newAuthorizationRequest as newOidcRequest,
  oidcKeys,
  redeemAuthorizationCode as redeemOidcCode,
  verifyIdTokenSignature,
} from './oidc';

/**
 * Salesforce as an OpenID Connect provider (the shared flow in `oidc.ts`): the web server flow with PKCE on
 * the login host (login.salesforce.com, test.salesforce.com or a My Domain), Handoff's External Client App
 * (or connected app) as a confidential client. The id token is signed with the login host's keys
 * (`{login}/id/keys`), its issuer is the login host, its audience the consumer key, and its subject the
 * person's identity URL `{login}/id/{orgId}/{userId}`: the org the person belongs to comes from there.
 * Salesforce id tokens carry no groups claim, so console roles from Salesforce come from assignments only.
 *
 * https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_web_server_flow.htm
 * https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_using_openid.htm
 */

export interface SalesforceOidcConfig {
  /** https://login.salesforce.com (test.salesforce.com, a My Domain, or the emulator's login host). */
  loginUrl: string;
  /** The consumer key and secret of Handoff's External Client App. */
  clientId: string;
  clientSecret: string;
  outbound: OutboundPolicy;
}

/** A person as Salesforce vouched for them in a verified id token. */
export interface SalesforcePrincipal {
  /** The org, 18 characters (as Handoff keeps a firm's proven org). */
  orgId: string;
  /** The user, 18 characters. */
  userId: string;
  name: string;
  email?: string;
  preferredUsername?: string;
}

/** Handoff's External Client App from the deployment's secrets; undefined when it is not configured. */
export function salesforceOidcConfig(env: Env): SalesforceOidcConfig | undefined {
  if (!env.SALESFORCE_CLIENT_ID || !env.SALESFORCE_CLIENT_SECRET) return undefined;
  return {
    loginUrl: env.SALESFORCE_LOGIN_URL ?? 'https://login.salesforce.com',
    clientId: env.SALESFORCE_CLIENT_ID,
    clientSecret: env.SALESFORCE_CLIENT_SECRET,
    outbound: outboundPolicyFromEnv(env),
  };
}

const PROVIDER = 'Salesforce';
/** `/id/{orgId}/{userId}`: a Salesforce org id starts 00D, a user id 005; both 15 or 18 characters. */
const IDENTITY_PATH =
  /\/id\/(00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?)\/(005[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?)$/;

const loginOf = (cfg: SalesforceOidcConfig) => cfg.loginUrl.replace(/\/+$/, '');

function outbound(cfg: SalesforceOidcConfig, fetcher: FetchLike): FetchLike {
  return guardedFetch(fetcher, { system: 'Salesforce sign-in', targets: 'salesforce', policy: cfg.outbound });
}

/** A new authorization request on the login host, asking for an id token (openid) with name and email. */
export function newAuthorizationRequest(
  cfg: SalesforceOidcConfig,
  redirectUri: string,
  opts: { prompt?: 'login' | 'consent' | 'select_account'; loginHint?: string } = {},
): Promise<AuthorizationRequest> {
  return newOidcRequest({
    authorizeEndpoint: `${loginOf(cfg)}/services/oauth2/authorize`,
    clientId: cfg.clientId,
    redirectUri,
    scope: 'openid profile email',
    params: { prompt: opts.prompt ?? 'login', login_hint: opts.loginHint },
  });
}

/** Redeems the code at `{login}/services/oauth2/token`; answers the raw id token, still to be verified. */
export async function redeemAuthorizationCode(
  cfg: SalesforceOidcConfig,
  input: { code: string; redirectUri: string; codeVerifier: string },
  fetcher: FetchLike = (i, init) => fetch(i, init),
): Promise<string> {
  const answer = await redeemOidcCode(
    {
      provider: PROVIDER,
      url: `${loginOf(cfg)}/services/oauth2/token`,
      clientId: cfg.clientId,
      clientSecret: cfg.clientSecret,
      fetch: outbound(cfg, fetcher),
      clientErrors: ['invalid_client_id', 'invalid_client'],
      credentialsFix:
        "The operator must check SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET (the External Client App's consumer key and secret) and that the app's callback URL is Handoff's.",
    },
    input,
  );
  return answer.id_token;
}

/**
 * Verifies a Salesforce id token: RS256 signature by a key of `{login}/id/keys`, issuer the login host,
 * audience our consumer key, not expired, our nonce; then reads the org and user from the identity URL in
 * `sub`.
 */
export async function verifyIdToken(
  cfg: SalesforceOidcConfig,
  idToken: string,
  expected: { nonce: string },
  fetcher: FetchLike = (i, init) => fetch(i, init),
  keys: SsoKeyCache = oidcKeys,
): Promise<SalesforcePrincipal> {
  const login = loginOf(cfg);
  const payload = await verifyIdTokenSignature(
    PROVIDER,
    idToken,
    {
      jwksUrl: `${login}/id/keys`,
      issuer: login,
      audience: cfg.clientId,
      nonce: expected.nonce,
      fetch: outbound(cfg, fetcher),
    },
    keys,
  );
  const ids = typeof payload.sub === 'string' ? IDENTITY_PATH.exec(payload.sub) : null;
  if (!ids) throw invalidToken(PROVIDER, 'its subject is not an identity URL (/id/{orgId}/{userId})');
  const [, org, user] = ids as unknown as [string, string, string];
  const email = typeof payload.email === 'string' ? payload.email : undefined;
  const username = typeof payload.preferred_username === 'string' ? payload.preferred_username : undefined;
  return {
    orgId: to18(org),
    userId: to18(user),
    name: typeof payload.name === 'string' ? payload.name : (username ?? user),
    ...(email ? { email } : {}),
    ...(username ? { preferredUsername: username } : {}),
  };
}
