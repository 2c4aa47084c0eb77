import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import type { EmulatorApp, EmulatorEnv, Instance } from '../kit/emulator';
import type { KantataState } from './state';

/**
 * Kantata OX's OAuth 2.0 authorization-code flow ("Obtaining tokens for users"), on the instance base that
 * stands in for https://app.mavenlink.com:
 * - `GET /oauth/authorize?response_type=code&client_id&redirect_uri[&state]`: the application must be
 *   registered and the redirect URI match (else Kantata's own error page); then the page that asks the signed-in
 *   Kantata user whether to authorize the application (the account's people to act as, Authorize and Deny);
 * - `POST /oauth/authorize` (that page's form: `request`, `user_id`, `decision`): back to the redirect URI with
 *   `code` (and `state`), or `error=access_denied&error_description=The resource owner or authorization server
 *   denied the request.`;
 * - `POST /oauth/token` (client_id, client_secret, grant_type=authorization_code, code, redirect_uri): a bearer
 *   token that does not expire (`{access_token, token_type: "bearer", created_at}`); codes are one-time and
 *   live 10 minutes; errors are `{error, error_description}` as an OAuth 2 server sends them.
 * Issued tokens act as the user who authorized (GET /api/v1/users/me answers them).
 *
 * Registered applications: `options.oauthApps` (default: Handoff's, HANDOFF_KANTATA_APP); `redirectUris` empty
 * means any http(s) URI.
 */

export interface KantataOAuthApp {
  clientId: string;
  clientSecret: string;
  redirectUris?: string[];
}

/** Handoff's Kantata OX application, as the emulated accounts know it (tests and the sandbox use it). */
export const HANDOFF_KANTATA_APP: KantataOAuthApp = {
  clientId: 'handoff-kantata-app-emulated',
  clientSecret: 'handoff-kantata-app-secret-token',
};

interface Pending {
  clientId: string;
  redirectUri: string;
  state?: string;
  expiresAt: number;
}
interface Code {
  clientId: string;
  redirectUri: string;
  userId: string;
  expiresAt: number;
  redeemed: boolean;
}

/** What the flow keeps in the account's state (absent from snapshots saved before it existed). */
export interface KantataOAuthState {
  oauthPending?: Record<string, Pending>;
  oauthCodes?: Record<string, Code>;
  /** Issued bearer token → the user it acts as. */
  oauthTokens?: Record<string, string>;
}

type Ctx = Context<EmulatorEnv<KantataState>>;
const CODE_TTL_MS = 10 * 60 * 1000;

function flow(inst: Instance<KantataState>) {
  const s = inst.state as KantataState & KantataOAuthState;
  s.oauthPending ??= {};
  s.oauthCodes ??= {};
  s.oauthTokens ??= {};
  return s as KantataState & Required<KantataOAuthState>;
}

/** The user an OAuth-issued token acts as, if it is one. */
export function oauthTokenUser(inst: Instance<KantataState>, token: string): string | undefined {
  return (inst.state as KantataOAuthState).oauthTokens?.[token];
}

function appsOf(inst: Instance<KantataState>): KantataOAuthApp[] {
  const raw = (inst.config.options as Record<string, unknown>).oauthApps;
  return Array.isArray(raw) ? (raw as KantataOAuthApp[]) : [HANDOFF_KANTATA_APP];
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

function base(c: Ctx): string {
  const url = new URL(c.req.url);
  const m = /^\/i\/[^/]+/.exec(url.pathname);
  return `${url.origin}${m ? m[0] : ''}`;
}

const errorPage = (c: Ctx, message: string) =>
  c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>An error has occurred</title></head><body><h1>An error has occurred</h1><p>${esc(message)}</p></body></html>`,
    400,
  );

function back(c: Ctx, redirectUri: string, state: string | undefined, params: Record<string, string>) {
  const u = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  if (state !== undefined) u.searchParams.set('state', state);
  return c.redirect(u.toString(), 302);
}

export function registerOAuthRoutes(app: EmulatorApp<KantataState>): void {
  app.get('/oauth/authorize', (c) => {
    const inst = c.get('instance');
    const q = c.req.query();
    const client = appsOf(inst).find((a) => a.clientId === q.client_id);
    if (!client)
      return errorPage(
        c,
        'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
      );
    const redirectUri = q.redirect_uri ?? '';
    const ok = client.redirectUris?.length
      ? client.redirectUris.includes(redirectUri)
      : /^https?:\/\//.test(redirectUri);
    if (!ok) return errorPage(c, 'The redirect uri included is not valid.');
    if (q.response_type !== 'code')
      return back(c, redirectUri, q.state, {
        error: 'unsupported_response_type',
        error_description: 'The authorization server does not support this response type.',
      });
    const id = randomBytes(18).toString('base64url');
    flow(inst).oauthPending[id] = {
      clientId: client.clientId,
      redirectUri,
      ...(q.state !== undefined ? { state: q.state } : {}),
      expiresAt: Date.now() + CODE_TTL_MS,
    };
    const people = Object.values(inst.state.users)
      .map(
        (u) =>
          `<option value="${esc(u.id)}"${u.id === inst.state.apiUserId ? ' selected' : ''}>${esc(u.full_name)} (${esc(u.email_address)})</option>`,
      )
      .join('');
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorization required</title></head><body><main><h1>Authorize ${esc(client.clientId)} to use your ${esc(inst.state.accountName)} account?</h1><p>This application will be able to read and change your Kantata OX data as you.</p><form method="post" action="${esc(base(c))}/oauth/authorize"><input type="hidden" name="request" value="${esc(id)}"><label>Signed in as <select name="user_id">${people}</select></label> <button name="decision" value="authorize">Authorize</button> <button name="decision" value="deny">Deny</button></form></main></body></html>`,
    );
  });

  app.post('/oauth/authorize', async (c) => {
    const inst = c.get('instance');
    const s = flow(inst);
    const form = (await c.req.parseBody()) as Record<string, string>;
    const pending = s.oauthPending[form.request ?? ''];
    if (!pending || pending.expiresAt < Date.now())
      return errorPage(c, 'The authorization request has expired. Start again.');
    delete s.oauthPending[form.request ?? ''];
    if (form.decision !== 'authorize')
      return back(c, pending.redirectUri, pending.state, {
        error: 'access_denied',
        error_description: 'The resource owner or authorization server denied the request.',
      });
    const userId = form.user_id ?? inst.state.apiUserId;
    if (!inst.state.users[userId]) return errorPage(c, 'Unknown user.');
    const code = randomBytes(24).toString('hex');
    s.oauthCodes[code] = {
      clientId: pending.clientId,
      redirectUri: pending.redirectUri,
      userId,
      expiresAt: Date.now() + CODE_TTL_MS,
      redeemed: false,
    };
    inst.effect('oauth.code');
    return back(c, pending.redirectUri, pending.state, { code });
  });

  app.post('/oauth/token', async (c) => {
    const inst = c.get('instance');
    const s = flow(inst);
    const form = (await c.req.parseBody()) as Record<string, string>;
    const fail = (status: 400 | 401, error: string, description: string) =>
      c.json({ error, error_description: description }, status);
    const client = appsOf(inst).find((a) => a.clientId === form.client_id);
    if (!client || client.clientSecret !== form.client_secret)
      return fail(
        401,
        'invalid_client',
        'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
      );
    if (form.grant_type !== 'authorization_code')
      return fail(
        400,
        'unsupported_grant_type',
        'The authorization grant type is not supported by the authorization server.',
      );
    const issued = s.oauthCodes[form.code ?? ''];
    const invalidGrant = () =>
      fail(
        400,
        'invalid_grant',
        'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
      );
    if (!issued || issued.redeemed || issued.clientId !== client.clientId) return invalidGrant();
    issued.redeemed = true;
    if (issued.expiresAt < Date.now() || issued.redirectUri !== form.redirect_uri) return invalidGrant();
    const token = randomBytes(32).toString('hex');
    s.oauthTokens[token] = issued.userId;
    inst.effect('oauth.token');
    return c.json({ access_token: token, token_type: 'bearer', created_at: Math.floor(Date.now() / 1000) });
  });
}
