import { z } from 'zod';
import { ConnectorError, isRetryableStatus, networkError } from '../errors';
import { guardedFetch, type OutboundPolicy } from '../outbound-guard';
import type { FetchLike } from '../ports';
import { SYSTEM } from './errors';

/**
 * Kantata OX's OAuth 2.0 authorization-code flow ("Obtaining tokens for users"): the person is sent to
 * `https://app.mavenlink.com/oauth/authorize` (client_id, response_type=code, redirect_uri) and asked to allow
 * Handoff's registered application; Kantata redirects back with `code` (or `error=access_denied`), which the
 * server exchanges at `POST /oauth/token` (client_id, client_secret, grant_type=authorization_code, code,
 * redirect_uri) for a bearer token that does not expire. Kantata documents no PKCE: the one-time state,
 * kept on the server, binds the callback to the request.
 */

export const KANTATA_AUTH_URL = 'https://app.mavenlink.com';

export interface KantataApp {
  clientId: string;
  clientSecret: string;
  outbound?: OutboundPolicy;
}

const trim = (u: string) => u.replace(/\/+$/, '');

export function kantataAuthorizationUrl(
  app: KantataApp,
  input: { authUrl: string; redirectUri: string; state: string },
): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: app.clientId,
    redirect_uri: input.redirectUri,
    state: input.state,
  });
  return `${trim(input.authUrl)}/oauth/authorize?${params}`;
}

const TokenSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer', 'token_type must be bearer'),
});
const OAuthErrorSchema = z.looseObject({ error: z.string(), error_description: z.string().optional() });

/** Exchanges the code for the user's bearer token. */
export async function redeemKantataCode(
  app: KantataApp,
  input: { authUrl: string; code: string; redirectUri: string },
  fetchImpl?: FetchLike,
): Promise<string> {
  const f = guardedFetch(fetchImpl ?? ((i, init) => fetch(i, init)), {
    system: SYSTEM,
    targets: 'kantata',
    policy: app.outbound,
  });
  let res: Response;
  let text: string;
  try {
    res = await f(`${trim(input.authUrl)}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        client_id: app.clientId,
        client_secret: app.clientSecret,
        grant_type: 'authorization_code',
        code: input.code,
        redirect_uri: input.redirectUri,
      }).toString(),
      signal: AbortSignal.timeout(15_000),
    });
    text = await res.text();
  } catch (e) {
    if (e instanceof ConnectorError) throw e;
    throw networkError(SYSTEM, e);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = OAuthErrorSchema.safeParse(json);
    const code = err.success ? err.data.error : `HTTP_${res.status}`;
    const clientProblem = code === 'invalid_client' || code === 'unauthorized_client';
    throw new ConnectorError({
      system: SYSTEM,
      message: `Kantata refused the authorization code (${code})${err.success && err.data.error_description ? `: ${err.data.error_description}` : ''}`,
      retryable: isRetryableStatus(res.status),
      status: res.status,
      code: clientProblem ? 'KANTATA_APP_REFUSED' : 'KANTATA_CODE_REFUSED',
      fix: clientProblem
        ? "The operator must check KANTATA_CLIENT_ID and KANTATA_CLIENT_SECRET (the Kantata OX application's id and secret token)."
        : 'Start the Kantata connection again from the console and allow access within 10 minutes.',
    });
  }
  const parsed = TokenSchema.safeParse(json);
  if (!parsed.success)
    throw new ConnectorError({
      system: SYSTEM,
      message: 'Kantata answered the authorization code without a bearer token',
      retryable: false,
      code: 'UNEXPECTED_RESPONSE',
    });
  return parsed.data.access_token;
}
