import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import type { EmulatorApp, EmulatorEnv } from '../kit/emulator';
import type { SalesforceInstance, SalesforceState } from './state';
import { salesforceOptions } from './state';

/**
 * The OAuth 2.0 web server flow for API access ("OAuth 2.0 Web Server Flow for Web App Integration", with PKCE):
 * - `GET /services/oauth2/authorize?response_type=code&client_id&redirect_uri&state&code_challenge&
 *   code_challenge_method=S256[&scope][&login_hint]`: checks the app and its callback URL (an error page when
 *   either is wrong, as Salesforce shows one), then the login and "Allow Access?" page: the org's active users
 *   to sign in as, the scopes asked, Allow and Deny;
 * - `POST /services/oauth2/authorize/consent` (the page's form: `request`, `username`, `decision`): redirects
 *   to the callback with `code` and `state`, or `error=access_denied` when denied;
 * - `POST /services/oauth2/token` with `grant_type=authorization_code` (client secret, redirect URI and the
 *   PKCE verifier checked, codes valid 15 minutes and redeemed once) answering access and refresh tokens,
 *   the identity URL and the signature Salesforce documents (base64 HMAC-SHA256 of `id + issued_at` keyed
 *   with the client secret); and `grant_type=refresh_token`.
 *
 * The apps allowed to run it: the instance's own connected app (options clientId/clientSecret) and the
 * packaged External Client Apps in `options.connectedApps` (default: Handoff's, HANDOFF_EXTERNAL_CLIENT_APP,
 * as if its package were installed in every emulated org). `redirectUris` empty: any http(s) callback.
 */

export interface ConnectedApp {
  clientId: string;
  clientSecret: string;
  redirectUris?: string[];
}

/** Handoff's packaged External Client App as every emulated org knows it (tests and the sandbox use it). */
export const HANDOFF_EXTERNAL_CLIENT_APP: ConnectedApp = {
  clientId: '3MVG9handoff.external.client.app.emulated',
  clientSecret: 'handoff-external-client-app-secret',
};

interface PendingAuthorization {
  clientId: string;
  redirectUri: string;
  state?: string;
  scope: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  expiresAt: number;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  userId: string;
  scope: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  expiresAt: number;
  redeemed: boolean;
}

interface RefreshGrant {
  clientId: string;
  userId: string;
  scope: string;
  revoked: boolean;
}

/** What the web server flow keeps in the org's state (absent from snapshots saved before it existed). */
export interface WebServerFlowState {
  pendingAuthorizations?: Record<string, PendingAuthorization>;
  webServerCodes?: Record<string, IssuedCode>;
  refreshTokens?: Record<string, RefreshGrant>;
}

type Ctx = Context<EmulatorEnv<SalesforceState>>;

const CODE_TTL_MS = 15 * 60 * 1000;
const PENDING_TTL_MS = 30 * 60 * 1000;

function flowState(inst: SalesforceInstance) {
  const s = inst.state as SalesforceState & WebServerFlowState;
  s.pendingAuthorizations ??= {};
  s.webServerCodes ??= {};
  s.refreshTokens ??= {};
  return s as SalesforceState & Required<WebServerFlowState>;
}

function appsOf(inst: SalesforceInstance): ConnectedApp[] {
  const opts = salesforceOptions(inst.config);
  const raw = (inst.config.options as Record<string, unknown>).connectedApps;
  const packaged = Array.isArray(raw) ? (raw as ConnectedApp[]) : [HANDOFF_EXTERNAL_CLIENT_APP];
  return [{ clientId: opts.clientId, clientSecret: opts.clientSecret }, ...packaged];
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

function instanceBase(c: Ctx): string {
  const url = new URL(c.req.url);
  const m = /^\/i\/[^/]+/.exec(url.pathname);
  return `${url.origin}${m ? m[0] : ''}`;
}

/** Salesforce's own error page, shown instead of a redirect when the app or its callback URL is wrong. */
function errorPage(c: Ctx, error: string, description: string) {
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error</title></head><body><h1>error=${esc(error)}</h1><p>error_description=${esc(description)}</p></body></html>`,
    400,
  );
}

function redirectBack(
  c: Ctx,
  redirectUri: string,
  state: string | undefined,
  params: Record<string, string>,
) {
  const u = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  if (state !== undefined) u.searchParams.set('state', state);
  return c.redirect(u.toString(), 302);
}

const SCOPE_LABELS: Record<string, string> = {
  api: 'Manage user data via APIs (api)',
  refresh_token: 'Perform requests at any time (refresh_token, offline_access)',
  offline_access: 'Perform requests at any time (refresh_token, offline_access)',
  id: 'Access the identity URL service (id, profile, email, address, phone)',
  openid: 'Access unique user identifiers (openid)',
};

export function registerWebServerFlow(app: EmulatorApp<SalesforceState>): void {
  app.get('/services/oauth2/authorize', (c) => {
    const inst = c.get('instance');
    const q = c.req.query();
    const client = appsOf(inst).find((a) => a.clientId === q.client_id);
    if (!client) return errorPage(c, 'invalid_client_id', 'client identifier invalid');
    const redirectUri = q.redirect_uri ?? '';
    const registered = client.redirectUris?.length
      ? client.redirectUris.includes(redirectUri)
      : /^https?:\/\//.test(redirectUri);
    if (!registered) return errorPage(c, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
    if (q.response_type !== 'code')
      return redirectBack(c, redirectUri, q.state, {
        error: 'unsupported_response_type',
        error_description: 'response type not supported',
      });
    if (q.code_challenge && q.code_challenge_method && q.code_challenge_method !== 'S256')
      return redirectBack(c, redirectUri, q.state, {
        error: 'invalid_request',
        error_description: 'invalid code_challenge_method',
      });
    const { state } = inst;
    const flow = flowState(inst);
    const id = randomBytes(18).toString('base64url');
    flow.pendingAuthorizations[id] = {
      clientId: client.clientId,
      redirectUri,
      ...(q.state !== undefined ? { state: q.state } : {}),
      scope: q.scope ?? 'api refresh_token',
      ...(q.code_challenge ? { codeChallenge: q.code_challenge } : {}),
      ...(q.code_challenge ? { codeChallengeMethod: q.code_challenge_method ?? 'plain' } : {}),
      expiresAt: Date.now() + PENDING_TTL_MS,
    };
    const users = Object.values(state.records.User ?? {}).filter((u) => u.IsActive !== false);
    // login_hint picks the username shown first; otherwise the org's integration user.
    const hint = (q.login_hint ?? '').toLowerCase();
    const chosen =
      users.find((u) => String(u.Username ?? '').toLowerCase() === hint)?.Id ?? state.integrationUserId;
    const options = users
      .map((u) => {
        const name = String(u.Username ?? '');
        const selected = u.Id === chosen ? ' selected' : '';
        return `<option value="${esc(name)}"${selected}>${esc(String(u.Name ?? name))} (${esc(name)})</option>`;
      })
      .join('');
    const scopes = [
      ...new Set(
        (q.scope ?? 'api refresh_token')
          .split(/\s+/)
          .filter(Boolean)
          .map((s) => SCOPE_LABELS[s] ?? s),
      ),
    ]
      .map((s) => `<li>${esc(s)}</li>`)
      .join('');
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Allow Access? | Salesforce</title></head><body><main><h1>Allow Access?</h1><p>${esc(client.clientId)} is asking to access ${esc(state.orgName)}:</p><ul>${scopes}</ul><form method="post" action="${esc(instanceBase(c))}/services/oauth2/authorize/consent"><input type="hidden" name="request" value="${esc(id)}"><label>Log in as <select name="username">${options}</select></label> <button name="decision" value="allow">Allow</button> <button name="decision" value="deny">Deny</button></form></main></body></html>`,
    );
  });

  app.post('/services/oauth2/authorize/consent', async (c) => {
    const inst = c.get('instance');
    const flow = flowState(inst);
    const form = (await c.req.parseBody()) as Record<string, string>;
    const pending = flow.pendingAuthorizations[form.request ?? ''];
    if (!pending || pending.expiresAt < Date.now())
      return errorPage(c, 'invalid_request', 'the authorization request expired; start again');
    delete flow.pendingAuthorizations[form.request ?? ''];
    if (form.decision !== 'allow')
      return redirectBack(c, pending.redirectUri, pending.state, {
        error: 'access_denied',
        error_description: 'end-user denied authorization',
      });
    const user = Object.values(inst.state.records.User ?? {}).find(
      (u) => String(u.Username ?? '').toLowerCase() === String(form.username ?? '').toLowerCase(),
    );
    if (!user || user.IsActive === false) return errorPage(c, 'invalid_request', 'unknown or inactive user');
    const code = `aPrx${randomBytes(36).toString('base64url')}`;
    flow.webServerCodes[code] = {
      clientId: pending.clientId,
      redirectUri: pending.redirectUri,
      userId: String(user.Id),
      scope: pending.scope,
      ...(pending.codeChallenge ? { codeChallenge: pending.codeChallenge } : {}),
      ...(pending.codeChallengeMethod ? { codeChallengeMethod: pending.codeChallengeMethod } : {}),
      expiresAt: Date.now() + CODE_TTL_MS,
      redeemed: false,
    };
    inst.effect('oauth.code');
    return redirectBack(c, pending.redirectUri, pending.state, { code });
  });

  // "Revoke OAuth Tokens": a refresh token (or access token) in the form; 200 whether or not it existed.
  app.post('/services/oauth2/revoke', async (c) => {
    const inst = c.get('instance');
    const form = (await c.req.parseBody()) as Record<string, string>;
    const token = form.token ?? '';
    if (!revokeRefreshToken(inst, token)) delete inst.state.tokens[token];
    return c.body(null, 200);
  });
}

type TokenAnswer = { status: 200 | 400 | 401; body: Record<string, unknown> };
const fail = (status: 400 | 401, error: string, description: string): TokenAnswer => ({
  status,
  body: { error, error_description: description },
});

/** `POST /services/oauth2/token` for grant_type authorization_code and refresh_token (form already read). */
export function webServerToken(
  c: Ctx,
  form: URLSearchParams,
  clientId: string | null,
  clientSecret: string | null,
): TokenAnswer {
  const inst = c.get('instance');
  const flow = flowState(inst);
  const client = appsOf(inst).find((a) => a.clientId === clientId);
  if (!client) return fail(400, 'invalid_client_id', 'client identifier invalid');
  if (client.clientSecret !== clientSecret) return fail(400, 'invalid_client', 'invalid client credentials');
  let userId: string;
  let scope: string;
  let refreshToken: string | undefined;
  if (form.get('grant_type') === 'authorization_code') {
    const code = form.get('code') ?? '';
    const issued = flow.webServerCodes[code];
    if (!issued || issued.clientId !== client.clientId)
      return fail(400, 'invalid_grant', 'invalid authorization code');
    if (issued.redeemed) return fail(400, 'invalid_grant', 'invalid authorization code');
    // One attempt per code, whatever its outcome.
    issued.redeemed = true;
    if (issued.expiresAt < Date.now()) return fail(400, 'invalid_grant', 'expired authorization code');
    if (form.get('redirect_uri') !== issued.redirectUri)
      return fail(400, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
    if (issued.codeChallenge) {
      const verifier = form.get('code_verifier') ?? '';
      const derived =
        issued.codeChallengeMethod === 'S256'
          ? createHash('sha256').update(verifier).digest('base64url')
          : verifier;
      if (!verifier || derived !== issued.codeChallenge)
        return fail(400, 'invalid_grant', 'invalid code verifier');
    }
    userId = issued.userId;
    scope = issued.scope;
    if (/\b(refresh_token|offline_access)\b/.test(scope)) {
      refreshToken = `5Aep${randomBytes(40).toString('base64url')}`;
      flow.refreshTokens[refreshToken] = { clientId: client.clientId, userId, scope, revoked: false };
    }
  } else {
    const grant = flow.refreshTokens[form.get('refresh_token') ?? ''];
    if (!grant || grant.revoked || grant.clientId !== client.clientId)
      return fail(400, 'invalid_grant', 'expired access/refresh token');
    userId = grant.userId;
    scope = grant.scope;
  }
  const user = inst.state.records.User?.[userId];
  if (!user || user.IsActive === false) return fail(400, 'invalid_grant', 'inactive user');
  const { state } = inst;
  const now = Date.now();
  const opts = salesforceOptions(inst.config);
  const token = `${state.orgId.slice(0, 15)}!${randomBytes(48).toString('base64url')}`;
  state.tokens[token] = {
    userId,
    issuedAt: now,
    ...(opts.tokenTtlSeconds !== undefined ? { expiresAt: now + opts.tokenTtlSeconds * 1000 } : {}),
  };
  inst.effect('oauth.token');
  const base = instanceBase(c);
  const id = `${base}/id/${state.orgId}/${userId}`;
  const issuedAt = String(now);
  return {
    status: 200,
    body: {
      access_token: token,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      signature: createHmac('sha256', client.clientSecret)
        .update(id + issuedAt)
        .digest('base64'),
      scope,
      instance_url: base,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
    },
  };
}

/** Revokes a refresh token (as "Connected Apps OAuth Usage › Revoke" or `/services/oauth2/revoke` does). */
export function revokeRefreshToken(inst: SalesforceInstance, token: string): boolean {
  const grant = flowState(inst).refreshTokens[token];
  if (!grant) return false;
  grant.revoked = true;
  return true;
}
