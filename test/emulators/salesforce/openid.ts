import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { SignJWT } from 'jose';
import { z } from 'zod';
import type { EmulatorApp, EmulatorEnv } from '../kit/emulator';
import { esc, hiddenFields, redirectBack, s256, signingKeys } from '../kit/openid-provider';
import { makeId } from './ids';
import { instanceBaseUrl } from './oauth';
import type { SalesforceInstance, SalesforceState, SfRecord } from './state';

/**
 * Salesforce as an OpenID Connect provider: the web server flow with PKCE, as Salesforce documents it.
 * - `GET /services/oauth2/authorize` (response_type=code, client_id, redirect_uri, scope with openid, state,
 *   nonce, code_challenge S256, prompt, login_hint): a log-in page listing the org's users (`login_hint`
 *   picks one, as a test or the sandbox does), then an "Allow access?" page (`approve=1` allows, `deny=1`
 *   sends `error=access_denied`); an unknown client or callback URL gets Salesforce's error page, no redirect.
 * - `POST /services/oauth2/token` with `grant_type=authorization_code` (consumer key and secret, code valid
 *   15 minutes and once, redirect_uri, code_verifier): `{access_token, refresh_token, signature, scope,
 *   id_token, instance_url, id, token_type, issued_at}`; errors `{error, error_description}`.
 * - `GET /id/keys` (JWKS), `GET /.well-known/openid-configuration`.
 *
 * An instance created with `options.loginHost: true` is login.salesforce.com: its log-in page lists the users
 * of every org of the emulator, and the tokens it issues point at the user's own org (instance_url, and the
 * access token works there). Any other instance is a My Domain: its own users only. The External Client
 * Apps allowed this flow are `options.oauthApps: [{clientId, clientSecret, redirectUris}]` of the instance
 * the flow runs on. Control: `POST /__emulator/instances/:id/users` adds a user to an org.
 */

type Ctx = Context<EmulatorEnv<SalesforceState>>;

const OAuthAppSchema = z.object({
  clientId: z.string(),
  clientSecret: z.string(),
  /** Exact callback URLs. Empty: any http(s) URL. */
  redirectUris: z.array(z.string()).default([]),
});
type OAuthApp = z.infer<typeof OAuthAppSchema>;

/** Test-only: what the id tokens issued to a user get wrong, to prove each check of the relying party. */
export const IdTokenFaultsSchema = z.object({
  aud: z.string().optional(),
  iss: z.string().optional(),
  nonce: z.string().optional(),
  sub: z.string().optional(),
  expiresInSeconds: z.number().int().optional(),
  signedBy: z.literal('unknown-key').optional(),
});

export interface IssuedAuthCode {
  clientId: string;
  redirectUri: string;
  /** The org instance of the user. */
  org: string;
  userId: string;
  nonce?: string;
  scope: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  expiresAt: number;
  redeemed: boolean;
}

/** Salesforce: an authorization code is valid 15 minutes. */
const CODE_TTL_MS = 15 * 60 * 1000;
const ID_TOKEN_TTL_S = 300;

const appsOf = (inst: SalesforceInstance): OAuthApp[] =>
  z
    .array(OAuthAppSchema)
    .catch([])
    .parse((inst.config.options as Record<string, unknown>).oauthApps ?? []);
const isLoginHost = (inst: SalesforceInstance) =>
  (inst.config.options as Record<string, unknown>).loginHost === true;

const keys = signingKeys<SalesforceInstance>((inst) => `sfdc-${inst.id.slice(0, 20)}`, 'sfdc-unpublished');

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>${body}</body></html>`;
/** Salesforce shows an error page (no redirect) when the client or the callback URL is wrong. */
const errorPage = (error: string, description: string) =>
  page('Error', `<h1>OAuth Error</h1><p>error=${esc(error)}</p><p>error_description=${esc(description)}</p>`);

const b64url = (buf: Buffer) => buf.toString('base64url');

/** The users who may sign in here: every org's when this is the login host, else this org's. */
function people(inst: SalesforceInstance, orgs: () => Iterable<SalesforceInstance>) {
  const from = isLoginHost(inst) ? [...orgs()].filter((o) => !isLoginHost(o)) : [inst];
  return from.flatMap((org) =>
    Object.values(org.state.records.User ?? {})
      .filter((u) => u.IsActive !== false && u.Id !== org.state.integrationUserId)
      .map((u) => ({ org, user: u })),
  );
}

function findOrg(orgs: () => Iterable<SalesforceInstance>, id: string) {
  for (const o of orgs()) if (o.id === id) return o;
  return undefined;
}

/** `{base}/id/{orgId}/{userId}`: the identity URL on the host that signed the person in. */
const identityUrl = (base: string, org: SalesforceInstance, userId: string) =>
  `${base}/id/${org.state.orgId}/${userId}`;

function authorize(orgs: () => Iterable<SalesforceInstance>) {
  return (c: Ctx) => {
    const inst = c.get('instance');
    const q = c.req.query();
    const app = appsOf(inst).find((a) => a.clientId === q.client_id);
    if (!app) return c.html(errorPage('invalid_client_id', 'client identifier invalid'), 400);
    const redirectUri = q.redirect_uri ?? '';
    const registered = app.redirectUris.length
      ? app.redirectUris.includes(redirectUri)
      : /^https?:\/\//.test(redirectUri);
    if (!registered)
      return c.html(errorPage('redirect_uri_mismatch', 'redirect_uri must match configuration'), 400);
    const back = redirectBack(c, redirectUri, q.state);
    if (q.response_type !== 'code')
      return back({ error: 'unsupported_response_type', error_description: 'response type not supported' });
    if (q.code_challenge_method && q.code_challenge_method !== 'S256')
      return back({ error: 'invalid_request', error_description: 'invalid code challenge method' });
    if (q.deny) return back({ error: 'access_denied', error_description: 'end-user denied authorization' });
    const all = people(inst, orgs);
    const hint = (q.login_hint ?? '').toLowerCase();
    const found = hint
      ? all.find(
          ({ user }) =>
            String(user.Username ?? '').toLowerCase() === hint ||
            String(user.Email ?? '').toLowerCase() === hint ||
            String(user.Id).toLowerCase() === hint,
        )
      : undefined;
    if (!found) {
      // The log-in page: one button per user (the emulator's stand-in for username and password).
      const list = all
        .map(
          ({ org, user }) =>
            `<li><button name="login_hint" value="${esc(String(user.Username))}">${esc(String(user.Name))} (${esc(String(user.Username))}, ${esc(org.state.orgName)})</button></li>`,
        )
        .join('');
      return c.html(
        page(
          'Login | Salesforce',
          `<h1>Log in to Salesforce</h1><form method="get">${hiddenFields(q, ['login_hint'])}<ul>${list || '<li>No users</li>'}</ul></form>`,
        ),
      );
    }
    if (!q.approve) {
      // The consent page of the External Client App.
      return c.html(
        page(
          'Allow Access? | Salesforce',
          `<h1>Allow Access?</h1><p>${esc(app.clientId)} is asking to access your basic information (${esc(q.scope ?? '')}) as ${esc(String(found.user.Name))}.</p><form method="get">${hiddenFields(q)}<button name="approve" value="1">Allow</button> <button name="deny" value="1">Deny</button></form>`,
        ),
      );
    }
    const code = `aPr${b64url(randomBytes(48))}`;
    inst.state.authCodes ??= {};
    inst.state.authCodes[code] = {
      clientId: app.clientId,
      redirectUri,
      org: found.org.id,
      userId: String(found.user.Id),
      ...(q.nonce ? { nonce: q.nonce } : {}),
      scope: q.scope ?? 'id api refresh_token',
      ...(q.code_challenge ? { codeChallenge: q.code_challenge, codeChallengeMethod: 'S256' } : {}),
      expiresAt: Date.now() + CODE_TTL_MS,
      redeemed: false,
    };
    inst.effect('oauth.code');
    return back({ code });
  };
}

const fail = (c: Ctx, status: 400 | 401, error: string, description: string) =>
  c.json({ error, error_description: description }, status);

/** `grant_type=authorization_code` at the token endpoint (the client-credentials grant stays in oauth.ts). */
export async function redeemAuthorizationCode(
  c: Ctx,
  form: URLSearchParams,
  client: { id: string | null; secret: string | null },
  orgs: () => Iterable<SalesforceInstance>,
): Promise<Response> {
  const inst = c.get('instance');
  const app = appsOf(inst).find((a) => a.clientId === client.id);
  if (!app) return fail(c, 400, 'invalid_client_id', 'client identifier invalid');
  if (client.secret !== app.clientSecret) return fail(c, 400, 'invalid_client', 'invalid client credentials');
  const code = form.get('code') ?? '';
  const issued = inst.state.authCodes?.[code];
  if (!issued || issued.clientId !== app.clientId)
    return fail(c, 400, 'invalid_grant', 'invalid authorization code');
  if (issued.redeemed) return fail(c, 400, 'invalid_grant', 'invalid authorization code');
  issued.redeemed = true;
  if (issued.expiresAt < Date.now()) return fail(c, 400, 'invalid_grant', 'expired authorization code');
  if (form.get('redirect_uri') !== issued.redirectUri)
    return fail(c, 400, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
  if (issued.codeChallenge) {
    const verifier = form.get('code_verifier');
    if (!verifier) return fail(c, 400, 'invalid_grant', 'invalid code verifier');
    if (s256(verifier) !== issued.codeChallenge)
      return fail(c, 400, 'invalid_grant', 'invalid code verifier');
  }
  const org = issued.org === inst.id ? inst : findOrg(orgs, issued.org);
  const user = org?.state.records.User?.[issued.userId];
  if (!org || !user || user.IsActive === false) return fail(c, 400, 'invalid_grant', 'inactive user');

  const base = instanceBaseUrl(c);
  const orgBase = `${new URL(c.req.url).origin}/i/${org.id}`;
  const now = Date.now();
  const accessToken = `${org.state.orgId.slice(0, 15)}!${b64url(randomBytes(48))}`;
  org.state.tokens[accessToken] = { userId: String(user.Id), issuedAt: now };
  const id = identityUrl(base, org, String(user.Id));
  const issuedAt = String(now);
  const bad = IdTokenFaultsSchema.catch({}).parse(org.state.idTokenFaults?.[String(user.Id)] ?? {});
  const { privateKey, jwk } = bad.signedBy === 'unknown-key' ? await keys.unpublished() : await keys.of(inst);
  const iat = Math.floor(now / 1000);
  const atHash = b64url(createHash('sha256').update(accessToken).digest().subarray(0, 16));
  const nonce = bad.nonce ?? issued.nonce;
  const idToken = await new SignJWT({
    at_hash: atHash,
    ...(nonce ? { nonce } : {}),
    name: user.Name,
    email: user.Email,
    email_verified: true,
    preferred_username: user.Username,
    given_name: user.FirstName,
    family_name: user.LastName,
    zoneinfo: 'America/Los_Angeles',
    updated_at: user.LastModifiedDate,
  })
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid! })
    .setIssuer(bad.iss ?? base)
    .setSubject(bad.sub ?? id)
    .setAudience(bad.aud ?? app.clientId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (bad.expiresInSeconds ?? ID_TOKEN_TTL_S))
    .sign(privateKey);
  inst.effect('oauth.token');
  return c.json({
    access_token: accessToken,
    refresh_token: `5Aep${b64url(randomBytes(40))}`,
    // Salesforce signs id + issued_at with the consumer secret so the client can check the response.
    signature: createHmac('sha256', app.clientSecret)
      .update(id + issuedAt)
      .digest('base64'),
    scope: issued.scope,
    id_token: idToken,
    instance_url: orgBase,
    id,
    token_type: 'Bearer',
    issued_at: issuedAt,
  });
}

/** The user an access token issued by the web server flow belongs to, in whichever org holds it. */
export function tokenHolder(orgs: () => Iterable<SalesforceInstance>, token: string) {
  for (const org of orgs()) {
    const issued = org.state.tokens[token];
    if (issued && (issued.expiresAt === undefined || Date.now() <= issued.expiresAt))
      return { org, userId: issued.userId };
  }
  return undefined;
}

export function registerOpenIdRoutes(
  app: EmulatorApp<SalesforceState>,
  orgs: () => Iterable<SalesforceInstance>,
): void {
  // Sign-in apps (oauthApps, on the login host) here; connecting an org with its packaged app: web-server-flow.ts.
  app.get('/services/oauth2/authorize', (c, next) =>
    appsOf(c.get('instance')).some((a) => a.clientId === c.req.query('client_id'))
      ? authorize(orgs)(c)
      : next(),
  );
  app.get('/id/keys', async (c) => c.json({ keys: [(await keys.of(c.get('instance'))).jwk] }));
  app.get('/.well-known/openid-configuration', (c) => {
    const b = instanceBaseUrl(c);
    return c.json({
      issuer: b,
      authorization_endpoint: `${b}/services/oauth2/authorize`,
      token_endpoint: `${b}/services/oauth2/token`,
      revocation_endpoint: `${b}/services/oauth2/revoke`,
      userinfo_endpoint: `${b}/services/oauth2/userinfo`,
      jwks_uri: `${b}/id/keys`,
      scopes_supported: ['id', 'api', 'web', 'full', 'openid', 'profile', 'email', 'refresh_token'],
      response_types_supported: ['code', 'token', 'token id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      display_values_supported: ['page', 'popup', 'touch'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'private_key_jwt'],
      claims_supported: [
        'active',
        'address',
        'email',
        'email_verified',
        'family_name',
        'given_name',
        'is_app_installed',
        'language',
        'locale',
        'name',
        'nickname',
        'organization_id',
        'phone_number',
        'phone_number_verified',
        'photos',
        'picture',
        'preferred_username',
        'profile',
        'sub',
        'updated_at',
        'urls',
        'user_id',
        'user_type',
        'zoneinfo',
      ],
      code_challenge_methods_supported: ['S256'],
    });
  });
}

const UserSchema = z.object({
  firstName: z.string().min(1),
  lastName: z.string().min(1),
  email: z.string().min(3),
  username: z.string().optional(),
  idToken: IdTokenFaultsSchema.optional(),
});

/** Adds a user to an org (test and sandbox use only); answers its ids as the identity URL names them. */
export function addUser(inst: SalesforceInstance, input: z.input<typeof UserSchema>) {
  const u = UserSchema.parse(input);
  const state = inst.state;
  state.counters['005'] = (state.counters['005'] ?? 1) + 1;
  const id = makeId('005', state.counters['005']);
  const at = new Date().toISOString().replace('Z', '+0000');
  const rec: SfRecord = {
    Id: id,
    IsDeleted: false,
    Username: u.username ?? u.email,
    FirstName: u.firstName,
    LastName: u.lastName,
    Name: `${u.firstName} ${u.lastName}`,
    Email: u.email,
    IsActive: true,
    CreatedDate: at,
    CreatedById: state.integrationUserId,
    LastModifiedDate: at,
    LastModifiedById: state.integrationUserId,
    SystemModstamp: at,
  };
  state.records.User![id] = rec;
  if (u.idToken) state.idTokenFaults = { ...state.idTokenFaults, [id]: u.idToken };
  return { id, orgId: state.orgId, username: String(rec.Username), email: u.email, name: String(rec.Name) };
}

export function registerUserControl(
  app: Hono<EmulatorEnv<SalesforceState>>,
  instance: (id: string) => SalesforceInstance | undefined,
) {
  app.post('/__emulator/instances/:id/users', async (c) => {
    const inst = instance(c.req.param('id') ?? '');
    if (!inst) return c.json({ error: 'no such instance' }, 404);
    const parsed = UserSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: parsed.error.message }, 400);
    return c.json(addUser(inst, parsed.data), 201);
  });
}
