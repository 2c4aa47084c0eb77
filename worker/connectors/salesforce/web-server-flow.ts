import { z } from 'zod';
import { ConnectorError, networkError } from '../errors';
import { guardedFetch, type OutboundPolicy } from '../outbound-guard';
import type { FetchLike } from '../ports';
import { SYSTEM, salesforceError } from './sf-errors';

/**
 * The OAuth 2.0 web server flow for API access, as Salesforce documents it ("OAuth 2.0 Web Server Flow for Web
 * App Integration"), with PKCE: Handoff's packaged External Client App asks a Salesforce user to allow access
 * (`/services/oauth2/authorize`), then redeems the code on the server with the app's secret and the verifier
 * (`/services/oauth2/token`) for an access token, a refresh token and the identity URL. Protocol only: which
 * firm may keep the connection is for the caller to decide.
 */

export interface WebServerApp {
  clientId: string;
  clientSecret: string;
  outbound?: OutboundPolicy;
}

/** What Handoff asks for: the REST API, and a refresh token so it can act when nobody is signed in. */
export const API_SCOPES = 'api refresh_token';

const TIMEOUT_MS = 15_000;
const trim = (u: string) => u.replace(/\/+$/, '');

export function authorizationUrl(
  app: WebServerApp,
  input: { loginUrl: string; redirectUri: string; state: string; codeChallenge: string },
): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: app.clientId,
    redirect_uri: input.redirectUri,
    state: input.state,
    code_challenge: input.codeChallenge,
    code_challenge_method: 'S256',
    scope: API_SCOPES,
    // Always the consent page, so the person sees which org and what access they give.
    prompt: 'login consent',
  });
  return `${trim(input.loginUrl)}/services/oauth2/authorize?${params}`;
}

const TokenSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  instance_url: z.string().url(),
  id: z.string().url(),
  issued_at: z.string().regex(/^\d+$/),
  signature: z.string().min(1),
  scope: z.string().optional(),
});

export interface WebServerTokens {
  accessToken: string;
  refreshToken: string;
  instanceUrl: string;
  identityUrl: string;
  scope: string;
}

function fetcher(app: WebServerApp, fetchImpl?: FetchLike): FetchLike {
  return guardedFetch(fetchImpl ?? ((i, init) => fetch(i, init)), {
    system: SYSTEM,
    targets: 'salesforce',
    policy: app.outbound,
  });
}

async function send(f: FetchLike, url: string, init: RequestInit): Promise<{ res: Response; text: string }> {
  try {
    const res = await f(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    return { res, text: await res.text() };
  } catch (e) {
    if (e instanceof ConnectorError) throw e;
    throw networkError(SYSTEM, e);
  }
}

async function hmacBase64(secret: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(data)));
  return btoa(String.fromCharCode(...mac));
}

const unexpected = (message: string, fix?: string) =>
  new ConnectorError({ system: SYSTEM, message, retryable: false, code: 'UNEXPECTED_RESPONSE', fix });

/**
 * Redeems the authorization code (client secret, redirect URI and PKCE verifier) and checks the answer's
 * signature: base64 HMAC-SHA256 of `id + issued_at` keyed with the client secret, which proves the identity
 * URL came from Salesforce with this code. A refresh token is required (the app must offer `refresh_token`).
 */
export async function redeemCode(
  app: WebServerApp,
  input: { loginUrl: string; code: string; redirectUri: string; codeVerifier: string },
  fetchImpl?: FetchLike,
): Promise<WebServerTokens> {
  const { res, text } = await send(fetcher(app, fetchImpl), `${trim(input.loginUrl)}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: input.code,
      client_id: app.clientId,
      client_secret: app.clientSecret,
      redirect_uri: input.redirectUri,
      code_verifier: input.codeVerifier,
    }).toString(),
  });
  if (!res.ok) throw salesforceError(res.status, text, res.headers);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = TokenSchema.safeParse(json);
  if (!parsed.success) throw unexpected('Salesforce answered the code without the tokens the flow promises');
  const t = parsed.data;
  const expected = await hmacBase64(app.clientSecret, t.id + t.issued_at);
  if (!timingSafeEqual(expected, t.signature))
    throw unexpected(
      "The Salesforce token answer's signature does not match: it was not issued to Handoff's app",
    );
  if (!t.refresh_token)
    throw unexpected(
      'Salesforce issued no refresh token',
      'In the External Client App\'s OAuth settings add the scope "Perform requests at any time (refresh_token, offline_access)", then connect again.',
    );
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    instanceUrl: trim(t.instance_url),
    identityUrl: t.id,
    scope: t.scope ?? '',
  };
}

const IdentitySchema = z.looseObject({
  organization_id: z.string().regex(/^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/),
  user_id: z.string().regex(/^005[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/),
  username: z.string().optional(),
  display_name: z.string().optional(),
  active: z.boolean().optional(),
});

export interface SalesforceIdentity {
  orgId: string;
  userId: string;
  username?: string;
  displayName?: string;
}

/**
 * Reads the identity URL the token answer named, with the new access token: Salesforce says which org and user
 * the token belongs to, and the org id in the URL's path must be the one it answers.
 */
export async function readIdentity(
  app: WebServerApp,
  input: { identityUrl: string; accessToken: string },
  fetchImpl?: FetchLike,
): Promise<SalesforceIdentity> {
  const { res, text } = await send(fetcher(app, fetchImpl), input.identityUrl, {
    method: 'GET',
    headers: { authorization: `Bearer ${input.accessToken}`, accept: 'application/json' },
  });
  if (!res.ok) throw salesforceError(res.status, text, res.headers);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = IdentitySchema.safeParse(json);
  if (!parsed.success) throw unexpected('The Salesforce identity URL did not say which org and user it is');
  const path = /\/id\/(00D[A-Za-z0-9]{12,15})\/(005[A-Za-z0-9]{12,15})\/?$/.exec(
    new URL(input.identityUrl).pathname,
  );
  if (!path || path[1] !== parsed.data.organization_id || path[2] !== parsed.data.user_id)
    throw unexpected('The Salesforce identity URL and its answer name different orgs or users');
  return {
    orgId: parsed.data.organization_id,
    userId: parsed.data.user_id,
    ...(parsed.data.username ? { username: parsed.data.username } : {}),
    ...(parsed.data.display_name ? { displayName: parsed.data.display_name } : {}),
  };
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
