import { z } from 'zod';
import { ConnectorError, networkError } from '../errors';
import { credentialKey, IsolateCache } from '../isolate-cache';
import type { FetchLike } from '../ports';
import type { SalesforceConnection } from './config';
import { SYSTEM, salesforceError, timeoutError } from './sf-errors';

const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  instance_url: z.string().optional(),
  token_type: z.string().optional(),
  issued_at: z.string().optional(),
});

export interface TokenSource {
  /** The current token, fetched on first use and shared by concurrent callers. */
  get(): Promise<string>;
  /** A new token after `stale` was refused; callers that raced on the same refusal share one refresh. */
  refresh(stale: string): Promise<string>;
  readonly canRefresh: boolean;
}

/**
 * OAuth 2.0 client credentials flow: `POST {loginUrl}/services/oauth2/token` with
 * grant_type=client_credentials, client_id and client_secret, form-encoded; or, for a connection a person
 * authorized (web server flow), grant_type=refresh_token with their refresh token. A static access token
 * (auth.accessToken) is used as is and cannot be refreshed.
 */
/** Tokens fetched in this isolate, by credential, shared by the steps and requests of one tenant. */
const issued = new IsolateCache<string>();
const SHARED_TOKEN_MS = 10 * 60_000;

export function createTokenSource(config: SalesforceConnection, fetchFn: FetchLike): TokenSource {
  const auth = config.auth;
  if ('accessToken' in auth) {
    const token = Promise.resolve(auth.accessToken);
    return { get: () => token, refresh: () => token, canRefresh: false };
  }
  const { clientId, clientSecret } = auth;
  const refreshToken = 'refreshToken' in auth ? auth.refreshToken : undefined;

  async function requestToken(): Promise<string> {
    // A connection made by a person (web server flow) refreshes their grant; otherwise client credentials.
    const body = new URLSearchParams(
      refreshToken
        ? {
            grant_type: 'refresh_token',
            refresh_token: refreshToken,
            client_id: clientId,
            client_secret: clientSecret,
          }
        : { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
    );
    let res: Response;
    let text: string;
    try {
      res = await fetchFn(`${config.loginUrl}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      if (e instanceof ConnectorError) throw e; // refused by the outbound guard: not a network error
      const name = (e as { name?: string })?.name;
      throw name === 'TimeoutError' || name === 'AbortError'
        ? timeoutError(config.timeoutMs, e)
        : networkError(SYSTEM, e);
    }
    if (!res.ok) {
      const err = salesforceError(res.status, text, res.headers);
      // A refused refresh token (revoked, expired by policy, user deactivated) only a person can renew.
      if (refreshToken && err.code === 'invalid_grant')
        throw new ConnectorError({
          system: SYSTEM,
          message: `Salesforce refused Handoff's stored authorization: ${err.message}`,
          retryable: false,
          code: 'REFRESH_TOKEN_REFUSED',
          status: res.status,
          fix: "Reconnect Salesforce in the Handoff console (Connections › Salesforce › Connect): the user's authorization was revoked or has expired under the app's refresh token policy.",
        });
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const token = TokenResponseSchema.safeParse(parsed);
    if (!token.success) {
      throw new ConnectorError({
        system: SYSTEM,
        message: 'Salesforce token endpoint answered without an access_token',
        retryable: false,
        code: 'UNEXPECTED_RESPONSE',
        status: res.status,
      });
    }
    return token.data.access_token;
  }

  // Salesforce's answer carries no lifetime (the org's session timeout decides, at least 15 minutes):
  // the isolate keeps a token for 10 minutes, and a refused one (INVALID_SESSION_ID) is dropped at once.
  let cacheKey: string | undefined;
  const keyOf = async () =>
    (cacheKey ??= await credentialKey(
      config.loginUrl,
      config.instanceUrl,
      clientId,
      clientSecret,
      refreshToken ?? '',
    ));
  const fetchAndShare = async () => {
    const token = await requestToken();
    issued.set(await keyOf(), token, Date.now() + SHARED_TOKEN_MS);
    return token;
  };
  const fromIsolate = async () => issued.get(await keyOf()) ?? fetchAndShare();

  let current: Promise<string> | undefined;
  const start = (fresh = false) => {
    const p = fresh ? fetchAndShare() : fromIsolate();
    current = p;
    // A failed token request is not cached: the next call tries again.
    p.catch(() => {
      if (current === p) current = undefined;
    });
    return p;
  };
  return {
    canRefresh: true,
    get: () => current ?? start(),
    async refresh(stale) {
      const pending = current;
      if (pending) {
        const value = await pending.catch(() => undefined);
        if (value !== undefined && value !== stale) return value;
      }
      if (cacheKey) issued.delete(cacheKey, stale);
      return current === pending || !current ? start(true) : current;
    },
  };
}
