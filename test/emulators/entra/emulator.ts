import { SignJWT } from 'jose';
import { z } from 'zod';
import { createEmulator, type EmulatorApp, type Instance } from '../kit/emulator';
import { esc, hiddenFields, redirectBack, s256, signingKeys } from '../kit/openid-provider';

/**
 * Microsoft Entra ID v2 (the Microsoft identity platform), the slices Handoff uses:
 * - per-tenant OpenID configuration and signing keys (`/{tid}/v2.0/.well-known/openid-configuration`,
 *   `/{tid}/discovery/v2.0/keys`);
 * - the OpenID Connect authorization code flow with PKCE: `/{tenant}/oauth2/v2.0/authorize` (a sign-in page
 *   listing the directory's people; `login_hint` picks one at once, as a test or the sandbox does) redirecting
 *   to the app's registered redirect URI with `code` and `state` (or `error=access_denied` when declined), and
 *   `/{tenant}/oauth2/v2.0/token` (`grant_type=authorization_code`: client secret, one-time codes valid 10
 *   minutes, redirect URI and S256 verifier checked) issuing v2 id tokens (tid, oid, name, preferred_username,
 *   nonce, email, `wids` when the app asks for directory roles and `groups` when it asks for security
 *   groups); errors as Entra sends them
 *   (`{error, error_description: "AADSTS…", error_codes, timestamp, trace_id, correlation_id}`);
 * - control endpoints: people of the directory with their roles (`POST /__emulator/instances/:id/users`), and
 *   the token `authentication.getAuthToken()` hands a Teams tab (`…/sso-token`).
 *
 * Options: `apps: [{ clientId, clientSecret, redirectUris, directoryRoles }]`, the app registrations
 * (`directoryRoles: false` is an app whose manifest does not set groupMembershipClaims: its id tokens carry no
 * `wids`).
 */

interface EntraUser {
  oid: string;
  tid: string;
  name: string;
  email?: string;
  /** Directory role template ids (the `wids` claim). */
  roles: string[];
  /** Security groups the person is a member of (object ids, the `groups` claim). */
  groups?: string[];
  /**
   * Test-only: what the id tokens issued to this person get wrong, to prove each check of the relying party
   * (another audience or issuer, another nonce, already expired, signed by a key the tenant never published).
   */
  idToken?: {
    aud?: string;
    iss?: string;
    nonce?: string;
    expiresInSeconds?: number;
    signedBy?: 'unknown-key';
    tid?: string;
    /** As if the app registration did not ask for directory roles. */
    withoutWids?: boolean;
  };
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  oid: string;
  nonce?: string;
  scope: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  expiresAt: number;
  redeemed: boolean;
}

interface EntraState {
  users: Record<string, EntraUser>;
  codes: Record<string, IssuedCode>;
}

const AppSchema = z.object({
  clientId: z.string(),
  clientSecret: z.string(),
  /** Exact redirect URIs (Entra compares them exactly, query included). Empty: any http(s) URI. */
  redirectUris: z.array(z.string()).default([]),
  directoryRoles: z.boolean().default(true),
  /** groupMembershipClaims includes SecurityGroup: id tokens carry the person's `groups`. */
  securityGroups: z.boolean().default(true),
});
type App = z.infer<typeof AppSchema>;
const OptionsSchema = z.looseObject({ apps: z.array(AppSchema).default([]) });

const CODE_TTL_MS = 10 * 60 * 1000;
const TIDS = new Set(['organizations', 'common']);

const keys = signingKeys<Instance<EntraState>>((inst) => `entra-${inst.id}`, 'entra-unpublished');

const appsOf = (inst: Instance<EntraState>): App[] => OptionsSchema.parse(inst.config.options).apps;
const base = (url: string, inst: Instance<EntraState>) => `${new URL(url).origin}/i/${inst.id}`;

/** An error body as Entra's token endpoint sends it. */
function aadError(error: string, aadsts: number, description: string) {
  const now = new Date();
  const traceId = crypto.randomUUID();
  const correlationId = crypto.randomUUID();
  const timestamp = now
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return {
    error,
    error_description: `AADSTS${aadsts}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
  };
}

/** Entra shows its own error page (no redirect) when the client or redirect URI is wrong. */
function errorPage(aadsts: number, message: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in to your account</title></head><body><h1>Sorry, but we're having trouble signing you in.</h1><p>AADSTS${aadsts}: ${esc(message)}</p></body></html>`;
}

function authorizeRoutes(app: EmulatorApp<EntraState>) {
  app.get('/:tenant/oauth2/v2.0/authorize', (c) => {
    const inst = c.get('instance');
    const tenant = c.req.param('tenant');
    const q = c.req.query();
    const client = appsOf(inst).find((a) => a.clientId === q.client_id);
    if (!client)
      return c.html(
        errorPage(
          700016,
          `Application with identifier '${q.client_id ?? ''}' was not found in the directory.`,
        ),
        400,
      );
    const redirectUri = q.redirect_uri ?? '';
    const registered = client.redirectUris.length
      ? client.redirectUris.includes(redirectUri)
      : /^https?:\/\//.test(redirectUri);
    if (!registered)
      return c.html(
        errorPage(
          50011,
          `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${client.clientId}'.`,
        ),
        400,
      );
    const back = redirectBack(c, redirectUri, q.state);
    if (q.response_type !== 'code')
      return back({
        error: 'unsupported_response_type',
        error_description: 'AADSTS700054: response_type must be code for this flow.',
      });
    if (!(q.scope ?? '').split(' ').includes('openid'))
      return back({
        error: 'invalid_request',
        error_description: 'AADSTS900144: scope must contain openid.',
      });
    if (q.code_challenge_method && !['S256', 'plain'].includes(q.code_challenge_method))
      return back({
        error: 'invalid_request',
        error_description: 'AADSTS501491: Invalid size of Code_Challenge parameter.',
      });
    if (q.decline)
      return back({
        error: 'access_denied',
        error_description: 'AADSTS65004: User declined to consent to access the app.',
      });
    const users = Object.values(inst.state.users).filter((u) => TIDS.has(tenant) || u.tid === tenant);
    const hint = (q.login_hint ?? '').toLowerCase();
    const user = hint ? users.find((u) => u.email?.toLowerCase() === hint || u.oid === hint) : undefined;
    if (!user) {
      // The account picker and consent prompt: one button per person, each a GET back here with login_hint.
      const hidden = hiddenFields(q, ['login_hint']);
      const people = users
        .map(
          (u) =>
            `<li><button name="login_hint" value="${esc(u.email ?? u.oid)}">${esc(u.name)} (${esc(u.email ?? u.oid)})</button></li>`,
        )
        .join('');
      return c.html(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in to your account</title></head><body><h1>Pick an account</h1><p>Handoff (${esc(client.clientId)}) will sign you in and read your profile.</p><form method="get">${hidden}<ul>${people || '<li>No accounts in this directory</li>'}</ul><button name="decline" value="1">Cancel</button></form></body></html>`,
      );
    }
    const code = `0.A${crypto.randomUUID().replace(/-/g, '')}${crypto.randomUUID().replace(/-/g, '')}`;
    inst.state.codes[code] = {
      clientId: client.clientId,
      redirectUri,
      oid: user.oid,
      ...(q.nonce ? { nonce: q.nonce } : {}),
      scope: q.scope ?? 'openid',
      ...(q.code_challenge ? { codeChallenge: q.code_challenge } : {}),
      ...(q.code_challenge ? { codeChallengeMethod: q.code_challenge_method ?? 'plain' } : {}),
      expiresAt: Date.now() + CODE_TTL_MS,
      redeemed: false,
    };
    inst.effect('codes.issued');
    return back({ code, session_state: crypto.randomUUID() });
  });
}

function tokenRoutes(app: EmulatorApp<EntraState>) {
  app.post('/:tenant/oauth2/v2.0/token', async (c) => {
    const inst = c.get('instance');
    const form = (await c.req.parseBody()) as Record<string, string>;
    const basic = /^Basic\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const [basicId, basicSecret] = basic
      ? Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent)
      : [];
    const clientId = form.client_id ?? basicId;
    const secret = form.client_secret ?? basicSecret;
    const fail = (status: 400 | 401, error: string, aadsts: number, description: string) =>
      c.json(aadError(error, aadsts, description), status);
    if (form.grant_type !== 'authorization_code')
      return fail(
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${form.grant_type ?? ''}'.`,
      );
    const client = appsOf(inst).find((a) => a.clientId === clientId);
    if (!client)
      return fail(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId ?? ''}' was not found in the directory.`,
      );
    if (secret !== client.clientSecret)
      return fail(
        401,
        'invalid_client',
        7000215,
        'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
      );
    if (!form.code)
      return fail(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'code'.",
      );
    const issued = inst.state.codes[form.code];
    if (!issued || issued.clientId !== client.clientId)
      return fail(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
    if (issued.redeemed)
      return fail(
        400,
        'invalid_grant',
        54005,
        'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
      );
    // One attempt per code, whatever its outcome.
    issued.redeemed = true;
    if (issued.expiresAt < Date.now())
      return fail(
        400,
        'invalid_grant',
        70008,
        'The provided authorization code or refresh token has expired due to inactivity.',
      );
    if (form.redirect_uri !== issued.redirectUri)
      return fail(
        400,
        'invalid_grant',
        500112,
        'The reply address does not match the reply address provided when requesting Authorization code.',
      );
    if (issued.codeChallenge) {
      if (!form.code_verifier)
        return fail(
          400,
          'invalid_request',
          900144,
          "The request body must contain the following parameter: 'code_verifier'.",
        );
      const derived = issued.codeChallengeMethod === 'S256' ? s256(form.code_verifier) : form.code_verifier;
      if (derived !== issued.codeChallenge)
        return fail(
          400,
          'invalid_grant',
          501481,
          'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
        );
    }
    const user = inst.state.users[issued.oid];
    if (!user) return fail(400, 'invalid_grant', 50034, 'The user account does not exist in the directory.');
    const bad = user.idToken ?? {};
    const { privateKey, jwk } =
      bad.signedBy === 'unknown-key' ? await keys.unpublished() : await keys.of(inst);
    const now = Math.floor(Date.now() / 1000);
    const tid = bad.tid ?? user.tid;
    const nonce = bad.nonce ?? issued.nonce;
    const idToken = await new SignJWT({
      tid,
      oid: user.oid,
      name: user.name,
      ...(user.email ? { preferred_username: user.email, email: user.email } : {}),
      ...(nonce ? { nonce } : {}),
      ...(client.securityGroups && user.groups?.length ? { groups: user.groups } : {}),
      ...(client.directoryRoles && !bad.withoutWids
        ? { wids: [...user.roles, 'b79fbf4d-3ef9-4689-8143-76b194e85509'] }
        : {}),
      ver: '2.0',
      uti: crypto.randomUUID().replace(/-/g, '').slice(0, 22),
      rh: '0.A',
    })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid!, typ: 'JWT' })
      .setIssuer(bad.iss ?? `${base(c.req.url, inst)}/${tid}/v2.0`)
      .setAudience(bad.aud ?? client.clientId)
      .setSubject(Buffer.from(`${client.clientId}:${user.oid}`).toString('base64url').slice(0, 43))
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + (bad.expiresInSeconds ?? 3600))
      .sign(privateKey);
    inst.effect('codes.redeemed');
    return c.json({
      token_type: 'Bearer',
      scope: 'openid profile email',
      expires_in: 3600,
      ext_expires_in: 3600,
      access_token: `eyJ0eXAiOiJKV1QiLCJub25jZSI6${crypto.randomUUID().replace(/-/g, '')}`,
      id_token: idToken,
    });
  });
}

const UserSchema = z.object({
  tid: z.string().min(1),
  oid: z.string().min(1),
  name: z.string().min(1),
  email: z.string().optional(),
  roles: z.array(z.string()).default([]),
  groups: z.array(z.string()).optional(),
  idToken: z
    .object({
      aud: z.string().optional(),
      iss: z.string().optional(),
      nonce: z.string().optional(),
      expiresInSeconds: z.number().int().optional(),
      signedBy: z.literal('unknown-key').optional(),
      tid: z.string().optional(),
      withoutWids: z.boolean().optional(),
    })
    .optional(),
});

export function createEntraEmulator() {
  return createEmulator<EntraState>({
    name: 'entra',
    initialState: () => ({ users: {}, codes: {} }),
    errorFormat: (status, message, code) => ({
      body: aadError(code.toLowerCase(), status === 429 ? 50196 : 90033, message),
    }),
    routes(app) {
      app.get('/:tid/v2.0/.well-known/openid-configuration', (c) => {
        const b = base(c.req.url, c.get('instance'));
        const tid = c.req.param('tid');
        return c.json({
          issuer: `${b}/${tid}/v2.0`,
          authorization_endpoint: `${b}/${tid}/oauth2/v2.0/authorize`,
          token_endpoint: `${b}/${tid}/oauth2/v2.0/token`,
          jwks_uri: `${b}/${tid}/discovery/v2.0/keys`,
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          response_modes_supported: ['query', 'fragment', 'form_post'],
          subject_types_supported: ['pairwise'],
          scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
          token_endpoint_auth_methods_supported: [
            'client_secret_post',
            'private_key_jwt',
            'client_secret_basic',
          ],
          code_challenge_methods_supported: ['plain', 'S256'],
          id_token_signing_alg_values_supported: ['RS256'],
          claims_supported: [
            'sub',
            'iss',
            'aud',
            'exp',
            'iat',
            'nonce',
            'name',
            'preferred_username',
            'oid',
            'tid',
            'ver',
          ],
        });
      });
      app.get('/:tid/discovery/v2.0/keys', async (c) =>
        c.json({ keys: [(await keys.of(c.get('instance'))).jwk] }),
      );
      authorizeRoutes(app);
      tokenRoutes(app);
    },
    controlRoutes(app, instance) {
      /** A person of a directory, with their directory roles (template ids): test and sandbox use only. */
      app.post('/__emulator/instances/:id/users', async (c) => {
        const inst = instance(c.req.param('id'));
        if (!inst) return c.json({ error: 'no such instance' }, 404);
        const parsed = UserSchema.safeParse(await c.req.json().catch(() => undefined));
        if (!parsed.success) return c.json({ error: parsed.error.message }, 400);
        const user = {
          ...parsed.data,
          tid: parsed.data.tid.toLowerCase(),
          oid: parsed.data.oid.toLowerCase(),
        };
        inst.state.users[user.oid] = user;
        return c.json(user, 201);
      });
      /** What getAuthToken() returns to a tab for this user: test and sandbox use only. */
      app.post('/__emulator/instances/:id/sso-token', async (c) => {
        const inst = instance(c.req.param('id'));
        if (!inst) return c.json({ error: 'no such instance' }, 404);
        const b = (await c.req.json()) as {
          tid: string;
          oid: string;
          name: string;
          aud: string;
          scp?: string;
          expiresInSeconds?: number;
          issuer?: string;
          email?: string;
        };
        const { privateKey, jwk } = await keys.of(inst);
        const now = Math.floor(Date.now() / 1000);
        const token = await new SignJWT({
          tid: b.tid,
          oid: b.oid,
          name: b.name,
          scp: b.scp ?? 'access_as_user',
          preferred_username: b.email,
          ver: '2.0',
        })
          .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
          .setIssuer(b.issuer ?? `${base(c.req.url, inst)}/${b.tid}/v2.0`)
          .setAudience(b.aud)
          .setSubject(b.oid)
          .setIssuedAt(now)
          .setExpirationTime(now + (b.expiresInSeconds ?? 3600))
          .sign(privateKey);
        return c.json({ token });
      });
    },
  });
}
export type EntraEmulator = ReturnType<typeof createEntraEmulator>;
