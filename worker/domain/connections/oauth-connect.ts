import { and, eq, gt, isNull } from 'drizzle-orm';
import { ConnectorError } from '../../connectors/errors';
import { createKantataConnector } from '../../connectors/kantata';
import { KANTATA_AUTH_URL, kantataAuthorizationUrl, redeemKantataCode } from '../../connectors/kantata/oauth';
import { outboundPolicyFromEnv, outboundUrlProblems } from '../../connectors/outbound-guard';
import { createSalesforceConnector } from '../../connectors/salesforce';
import {
  authorizationUrl,
  readIdentity,
  redeemCode,
  type WebServerApp,
} from '../../connectors/salesforce/web-server-flow';
import type { Db } from '../../db/client';
import { connectionAuthorizationsTable } from '../../db/schema';
import type { Env } from '../../env';
import { ApiError } from '../../http/api-error';
import { log } from '../../http/logger';
import { type AuditedPrincipal, audit, byPrincipal } from '../audit';
import { randomToken, sha256Hex } from '../crypto';
import { claimCrmOrg } from '../tenancy/claim-crm-org';
import { connectionRow, connectionSecrets } from '../tenancy/connectors';
import { saveConnection } from '../tenancy/save-connection';

/**
 * Connecting a firm's Salesforce org and Kantata account the way their people authorize apps: OAuth 2.0
 * authorization code (Salesforce's web server flow with PKCE; Kantata's documented flow), done on the server.
 * Starting one stores a one-time state (hashed), the PKCE verifier and who started it, for 10 minutes; the
 * callback consumes it once, redeems the code with Handoff's app secret, proves what the token reaches and
 * saves the connection (secrets encrypted) in the name of the admin who started it.
 */

export const AUTHORIZATION_TTL_MS = 10 * 60 * 1000;
export type OAuthRole = 'crm' | 'psa';
export const OAUTH_SYSTEMS: Record<OAuthRole, 'salesforce' | 'kantata'> = {
  crm: 'salesforce',
  psa: 'kantata',
};
export const connectCallbackPath = (role: OAuthRole) => `/v1/console/connections/${role}/callback`;

/** Why a callback did not connect: the console shows a sentence for each (`?error=`). */
export type ConnectFailure =
  | 'state_invalid'
  | 'not_yours'
  | 'access_denied'
  | 'code_refused'
  | 'org_claimed'
  | 'org_mismatch'
  | 'unavailable'
  | 'not_configured';

/** A callback that did not connect: the API error, why, and the firm and role when the state was genuine. */
export class ConnectCallbackError extends Error {
  constructor(
    readonly reason: ConnectFailure,
    readonly error: ApiError,
    readonly role?: OAuthRole,
  ) {
    super(error.message);
    this.name = 'ConnectCallbackError';
  }
}

const startAgain = 'Start again from the console (Connections) and finish within 10 minutes.';

function appFor(env: Env, role: OAuthRole): WebServerApp {
  const [id, secret, names] =
    role === 'crm'
      ? [
          env.SALESFORCE_CLIENT_ID,
          env.SALESFORCE_CLIENT_SECRET,
          'SALESFORCE_CLIENT_ID / SALESFORCE_CLIENT_SECRET',
        ]
      : [env.KANTATA_CLIENT_ID, env.KANTATA_CLIENT_SECRET, 'KANTATA_CLIENT_ID / KANTATA_CLIENT_SECRET'];
  if (!id || !secret)
    throw new ApiError(
      'UPSTREAM_UNAVAILABLE',
      `Connecting ${OAUTH_SYSTEMS[role] === 'salesforce' ? 'Salesforce' : 'Kantata'} is not configured on this deployment.`,
      [
        {
          field: names,
          message: 'not set',
          fix: `The operator registers Handoff's ${role === 'crm' ? 'External Client App in Salesforce' : 'Kantata OX application'} and sets ${names}.`,
        },
      ],
    );
  return { clientId: id, clientSecret: secret, outbound: outboundPolicyFromEnv(env) };
}

async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export interface StartInput {
  tenantId: string;
  origin: string;
  role: OAuthRole;
  /** Salesforce: where to sign in (login.salesforce.com, test.salesforce.com or the org's My Domain). */
  loginUrl?: string;
  /** Kantata: where its OAuth pages live, its API root and its UI (defaults: Kantata's own hosts). */
  authUrl?: string;
  baseUrl?: string;
  uiBaseUrl?: string;
}

/** Every URL a firm gives for the flow passes the outbound guard now (and again before each request). */
function endpointsOf(env: Env, input: StartInput): Record<string, string> {
  const policy = outboundPolicyFromEnv(env);
  const trim = (u: string) => u.replace(/\/+$/, '');
  const endpoints: Record<string, string> =
    input.role === 'crm'
      ? { loginUrl: trim(input.loginUrl ?? 'https://login.salesforce.com') }
      : {
          authUrl: trim(input.authUrl ?? KANTATA_AUTH_URL),
          baseUrl: trim(input.baseUrl ?? 'https://api.mavenlink.com/api/v1'),
          uiBaseUrl: trim(input.uiBaseUrl ?? KANTATA_AUTH_URL),
        };
  const problems = Object.entries(endpoints).flatMap(([field, url]) =>
    outboundUrlProblems(url, OAUTH_SYSTEMS[input.role], policy, field),
  );
  if (problems.length)
    throw new ApiError('VALIDATION_FAILED', 'Handoff may not connect to this address.', problems);
  return endpoints;
}

/**
 * Starts connecting the firm's CRM (Salesforce) or PSA (Kantata): answers the provider's authorization URL to
 * send the admin's browser to. Nothing is connected until the callback proves it.
 */
export async function startOAuthConnection(
  db: Db,
  env: Env,
  input: StartInput,
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<{ id: string; authorizeUrl: string; expiresAt: string }> {
  const app = appFor(env, input.role);
  const endpoints = endpointsOf(env, input);
  const redirectUri = `${input.origin}${connectCallbackPath(input.role)}`;
  const state = randomToken(32);
  const codeVerifier = input.role === 'crm' ? randomToken(48) : null;
  const authorizeUrl =
    input.role === 'crm'
      ? authorizationUrl(app, {
          loginUrl: endpoints.loginUrl!,
          redirectUri,
          state,
          codeChallenge: await s256(codeVerifier!),
        })
      : kantataAuthorizationUrl(app, { authUrl: endpoints.authUrl!, redirectUri, state });
  const id = `cna_${randomToken(12)}`;
  const expiresAt = new Date(Date.now() + AUTHORIZATION_TTL_MS).toISOString();
  await db.insert(connectionAuthorizationsTable).values({
    id,
    tenantId: input.tenantId,
    role: input.role,
    system: OAUTH_SYSTEMS[input.role],
    stateHash: await sha256Hex(state),
    codeVerifier,
    redirectUri,
    endpoints,
    startedBy: by.who,
    expiresAt,
  });
  await audit(
    db,
    byPrincipal(by.who, {
      tenantId: input.tenantId,
      correlationId: by.correlationId,
      action: 'connection.authorization_started',
      subjectType: 'connection',
      subjectId: input.role,
      detail: { system: OAUTH_SYSTEMS[input.role], authorization: id, endpoints, expiresAt },
    }),
  );
  return { id, authorizeUrl, expiresAt };
}

export interface CallbackInput {
  role: OAuthRole;
  state: string;
  code?: string;
  error?: string;
  errorDescription?: string;
}

export interface Connected {
  tenantId: string;
  role: OAuthRole;
  system: 'salesforce' | 'kantata';
  /** What the token proved it reaches (org or account) and as whom. */
  reaches: Record<string, string>;
}

type Authorization = typeof connectionAuthorizationsTable.$inferSelect;

/**
 * The callback: consumes the state (once, unexpired, for this role, whichever way it ends), redeems the code,
 * proves what the token reaches and saves the connection. A failure after the state was consumed is audited.
 */
export async function completeOAuthConnection(
  db: Db,
  env: Env,
  input: CallbackInput,
  correlationId: string,
  /** The console person whose browser came back (their session cookie), if any. */
  returning?: { tenantId: string; personId: string },
): Promise<Connected> {
  // One conditional update: of two callbacks with one state, one finds the row; an expired state finds none.
  const [authz] = await db
    .update(connectionAuthorizationsTable)
    .set({ consumedAt: new Date().toISOString() })
    .where(
      and(
        eq(connectionAuthorizationsTable.stateHash, await sha256Hex(input.state)),
        eq(connectionAuthorizationsTable.role, input.role),
        isNull(connectionAuthorizationsTable.consumedAt),
        gt(connectionAuthorizationsTable.expiresAt, new Date().toISOString()),
      ),
    )
    .returning();
  if (!authz)
    throw new ConnectCallbackError(
      'state_invalid',
      new ApiError('BAD_REQUEST', 'This connection link is unknown, expired or already used.', [
        { field: 'state', message: 'unknown, expired or already used', fix: startAgain },
      ]),
    );
  try {
    assertSamePerson(authz, returning);
    return await finish(db, env, authz, input, correlationId);
  } catch (e) {
    const failure =
      e instanceof ConnectCallbackError ? e : e instanceof ApiError ? classify(e, input.role) : undefined;
    if (!failure) throw e;
    log('warn', 'connection.authorization_refused', {
      correlationId,
      tenantId: authz.tenantId,
      authorization: authz.id,
      reason: failure.reason,
    });
    await audit(
      db,
      byPrincipal(authz.startedBy, {
        tenantId: authz.tenantId,
        correlationId,
        action: 'connection.authorization_failed',
        subjectType: 'connection',
        subjectId: authz.role,
        detail: {
          system: authz.system,
          authorization: authz.id,
          reason: failure.reason,
          message: failure.error.message,
        },
      }),
    );
    throw failure;
  }
}

/**
 * A connection started in the console finishes only in the same person's signed-in browser. Otherwise a link
 * started in one firm and sent to someone else would connect *their* org or account to that firm the moment
 * they allowed it (the connection flavour of login CSRF). Started with an admin key (automation), the one-time
 * state alone binds it. Checked after the state is consumed: a link that reached the wrong browser is spent.
 */
function assertSamePerson(
  authz: { tenantId: string; role: string; startedBy: Record<string, unknown> },
  returning: { tenantId: string; personId: string } | undefined,
): void {
  const starter = (authz.startedBy as { principal?: { type?: string; personId?: string } }).principal;
  if (starter?.type !== 'console-session') return;
  if (returning?.tenantId === authz.tenantId && returning.personId === starter.personId) return;
  throw new ConnectCallbackError(
    'not_yours',
    new ApiError(
      'FORBIDDEN',
      'This connection was started by someone else, or in a browser signed out since.',
      [
        {
          field: 'state',
          message: returning ? 'started by another person' : 'no console session came back with it',
          fix: 'Sign in to the console and start connecting again in the same browser.',
        },
      ],
    ),
    authz.role as OAuthRole,
  );
}

function classify(e: ApiError, role: OAuthRole): ConnectCallbackError {
  const reason: ConnectFailure =
    e.code === 'CONFLICT'
      ? 'org_claimed'
      : e.code === 'UPSTREAM_UNAVAILABLE'
        ? 'unavailable'
        : 'code_refused';
  return new ConnectCallbackError(reason, e, role);
}

/** A vendor's refusal as the callback reports it: permanent ones are the admin's to fix, others to retry. */
function vendorFailure(e: unknown, role: OAuthRole, what: string): never {
  if (!(e instanceof ConnectorError)) throw e;
  const detail = [{ field: 'code', message: e.message, fix: e.fix ?? startAgain }];
  throw new ConnectCallbackError(
    e.retryable ? 'unavailable' : 'code_refused',
    new ApiError(e.retryable ? 'UPSTREAM_UNAVAILABLE' : 'BAD_REQUEST', `${what}: ${e.message}`, detail),
    role,
  );
}

async function finish(
  db: Db,
  env: Env,
  authz: Authorization,
  input: CallbackInput,
  correlationId: string,
): Promise<Connected> {
  const role = authz.role;
  if (input.error)
    throw new ConnectCallbackError(
      'access_denied',
      new ApiError(
        'BAD_REQUEST',
        `The ${authz.system} user did not allow access (${input.error.slice(0, 60)}).`,
        [
          {
            field: 'error',
            message: (input.errorDescription ?? input.error).split(/\r?\n/)[0]!.slice(0, 300),
            fix: `Sign in as the user Handoff should act as and choose Allow. ${startAgain}`,
          },
        ],
      ),
      role,
    );
  if (!input.code)
    throw new ConnectCallbackError(
      'code_refused',
      new ApiError('BAD_REQUEST', 'The callback carries no authorization code.', [
        { field: 'code', message: 'missing', fix: startAgain },
      ]),
      role,
    );
  let app: WebServerApp;
  try {
    app = appFor(env, role);
  } catch (e) {
    // The operator removed the app's settings between the start and the callback.
    if (e instanceof ApiError) throw new ConnectCallbackError('not_configured', e, role);
    throw e;
  }
  const by = { who: authz.startedBy, correlationId };
  if (role === 'crm') return finishSalesforce(db, env, app, authz, input.code, by);
  return finishKantata(db, env, app, authz, input.code, by);
}

async function finishSalesforce(
  db: Db,
  env: Env,
  app: WebServerApp,
  authz: Authorization,
  code: string,
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<Connected> {
  const loginUrl = authz.endpoints.loginUrl!;
  let tokens: Awaited<ReturnType<typeof redeemCode>>;
  let identity: Awaited<ReturnType<typeof readIdentity>>;
  let org: { orgId: string; orgName: string };
  try {
    tokens = await redeemCode(app, {
      loginUrl,
      code,
      redirectUri: authz.redirectUri,
      codeVerifier: authz.codeVerifier ?? '',
    });
    identity = await readIdentity(app, { identityUrl: tokens.identityUrl, accessToken: tokens.accessToken });
    // The org asked of the org itself with the new token (as a saved connection is proven), beside the identity.
    const crm = createSalesforceConnector(
      { instanceUrl: tokens.instanceUrl, loginUrl, auth: { accessToken: tokens.accessToken } },
      { outbound: app.outbound },
    );
    org = await crm.whoAmI();
  } catch (e) {
    vendorFailure(e, 'crm', 'Salesforce did not complete the connection');
  }
  if (org.orgId.slice(0, 15) !== identity.orgId.slice(0, 15))
    throw new ConnectCallbackError(
      'org_mismatch',
      new ApiError('BAD_REQUEST', 'Salesforce named two different orgs for this connection.', [
        {
          field: 'id',
          message: `the identity URL names ${identity.orgId}, the org answers ${org.orgId}`,
          fix: `Check the login URL (${loginUrl}) is the org's own, then start again.`,
        },
      ]),
      'crm',
    );
  await claimCrmOrg(db, { tenantId: authz.tenantId, ...org }, by);
  const connectedAs = {
    userId: identity.userId,
    ...(identity.username ? { username: identity.username } : {}),
    ...(identity.displayName ? { name: identity.displayName } : {}),
  };
  await saveConnection(
    db,
    env,
    {
      tenantId: authz.tenantId,
      role: 'crm',
      system: 'salesforce',
      config: {
        instanceUrl: tokens.instanceUrl,
        loginUrl,
        auth: { clientId: app.clientId },
        org: { id: org.orgId, name: org.orgName },
        connectedAs,
      },
      secrets: { auth: { refreshToken: tokens.refreshToken } },
      concurrencyLimit: 5,
    },
    by,
  );
  await audit(
    db,
    byPrincipal(by.who, {
      tenantId: authz.tenantId,
      correlationId: by.correlationId,
      action: 'connection.authorized',
      subjectType: 'connection',
      subjectId: 'crm',
      detail: {
        system: 'salesforce',
        authorization: authz.id,
        proof: 'web server flow (PKCE): token signature, identity URL and SELECT Id FROM Organization agree',
        org: { id: org.orgId, name: org.orgName },
        grantedBy: connectedAs,
        scope: tokens.scope,
      },
    }),
  );
  return {
    tenantId: authz.tenantId,
    role: 'crm',
    system: 'salesforce',
    reaches: { orgId: org.orgId, orgName: org.orgName, user: identity.username ?? identity.userId },
  };
}

async function finishKantata(
  db: Db,
  env: Env,
  app: WebServerApp,
  authz: Authorization,
  code: string,
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<Connected> {
  const { authUrl, baseUrl, uiBaseUrl } = authz.endpoints as Record<string, string>;
  let accessToken: string;
  let me: { userId: string; name: string; email?: string };
  try {
    accessToken = await redeemKantataCode(app, { authUrl: authUrl!, code, redirectUri: authz.redirectUri });
    me = await createKantataConnector(
      { baseUrl: baseUrl!, uiBaseUrl: uiBaseUrl!, accessToken },
      { outbound: app.outbound },
    ).whoAmI();
  } catch (e) {
    vendorFailure(e, 'psa', 'Kantata did not complete the connection');
  }
  // Reconnecting keeps what else the PSA connection holds (the webhook signing secret).
  const existing = await connectionRow(db, authz.tenantId, 'psa');
  const previous =
    existing?.system === 'kantata' ? await connectionSecrets(env, db, authz.tenantId, 'psa') : undefined;
  const connectedAs = { userId: me.userId, name: me.name, ...(me.email ? { email: me.email } : {}) };
  await saveConnection(
    db,
    env,
    {
      tenantId: authz.tenantId,
      role: 'psa',
      system: 'kantata',
      config: { baseUrl, uiBaseUrl, connectedAs },
      secrets: { ...(previous ?? {}), accessToken },
      concurrencyLimit: existing?.concurrencyLimit ?? 5,
    },
    by,
  );
  await audit(
    db,
    byPrincipal(by.who, {
      tenantId: authz.tenantId,
      correlationId: by.correlationId,
      action: 'connection.authorized',
      subjectType: 'connection',
      subjectId: 'psa',
      detail: {
        system: 'kantata',
        authorization: authz.id,
        proof: 'authorization code redeemed; GET /users/me with the new token',
        grantedBy: connectedAs,
      },
    }),
  );
  return { tenantId: authz.tenantId, role: 'psa', system: 'kantata', reaches: { user: me.name } };
}
