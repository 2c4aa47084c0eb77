import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { App } from '../app';
import { envelope } from '../app';
import { auditedPrincipal } from '../domain/audit';
import {
  ConnectCallbackError,
  completeOAuthConnection,
  startOAuthConnection,
} from '../domain/connections/oauth-connect';
import { startMicrosoftClaim } from '../domain/identity/microsoft-claims';
import { ApiError } from '../http/api-error';
import { consoleSession, requirePermission } from '../http/console-auth';
import type { AppEnv } from '../http/context';
import {
  conflictResponse,
  errorResponse,
  errorResponses,
  jsonBody,
  jsonRequest,
  security,
  unprocessableResponse,
} from './openapi-common';

const OAuthRoleSchema = z
  .enum(['crm', 'psa'])
  .openapi({ param: { name: 'role', in: 'path' }, description: 'crm: Salesforce · psa: Kantata' });
const StartRoleSchema = z.enum(['crm', 'psa', 'teams']).openapi({
  param: { name: 'role', in: 'path' },
  description: 'crm: Salesforce · psa: Kantata · teams: the Microsoft 365 organisation (admin sign-in)',
});

const https = z.string().url().max(300);

const StartSchema = z
  .object({
    system: z
      .enum(['salesforce', 'kantata', 'teams'])
      .openapi({ description: 'crm: salesforce · psa: kantata · teams: teams' }),
    loginUrl: https.optional().openapi({
      description:
        'Salesforce: where the user signs in. https://login.salesforce.com (default), https://test.salesforce.com for a sandbox, or the org’s My Domain URL.',
      example: 'https://login.salesforce.com',
    }),
    authUrl: https.optional().openapi({
      description: 'Kantata: where its OAuth pages live (default https://app.mavenlink.com).',
    }),
    baseUrl: https.optional().openapi({
      description: 'Kantata: the API root (default https://api.mavenlink.com/api/v1).',
    }),
    uiBaseUrl: https.optional().openapi({
      description: 'Kantata: where people open projects (default https://app.mavenlink.com).',
    }),
  })
  .strict()
  .openapi('ConnectionAuthorizationStart');

const StartedSchema = z
  .object({
    id: z.string(),
    authorizeUrl: z
      .string()
      .url()
      .openapi({ description: 'Send the browser here (top-level, not a frame).' }),
    expiresAt: z.string(),
  })
  .openapi('ConnectionAuthorizationStarted');

const start = createRoute({
  method: 'post',
  path: '/v1/console/connections/{role}/authorize',
  operationId: 'startConnectionAuthorization',
  tags: ['Console'],
  summary: 'Connect Salesforce (web server flow with PKCE), Kantata (authorization code) or Teams: start',
  description:
    "Answers the provider's authorization URL, valid once for 10 minutes and bound to this firm; the state and the PKCE verifier stay on the server. A person of the firm signs in there and allows Handoff; the provider sends the browser back to GET /v1/console/connections/{role}/callback, which proves what the token reaches and saves the connection. For `teams`, an administrator of the firm's Microsoft 365 organisation signs in (the proof of POST /v1/admin/identity/microsoft/claims; callback GET /v1/identity/microsoft/callback). Needs `connections:manage`.",
  security: security.console,
  middleware: [requirePermission('connections:manage')] as const,
  request: {
    params: z.object({ role: StartRoleSchema }),
    body: jsonRequest(StartSchema, 'Which system, and where it lives', {
      system: 'salesforce',
      loginUrl: 'https://login.salesforce.com',
    }),
  },
  responses: {
    201: jsonBody(StartedSchema, 'Send the browser to authorizeUrl before expiresAt', {
      id: 'cna_Zb3kQ9x1VtYw2mNc',
      authorizeUrl:
        'https://login.salesforce.com/services/oauth2/authorize?response_type=code&client_id=3MVG9...&redirect_uri=https%3A%2F%2Fhandoff.example.com%2Fv1%2Fconsole%2Fconnections%2Fcrm%2Fcallback&state=Yd2...&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&scope=api+refresh_token&prompt=login+consent',
      expiresAt: '2026-11-17T10:10:00.000Z',
    }),
    422: unprocessableResponse(
      'The system does not fit the role, or a URL is not the vendor’s',
      'Handoff may not connect to this address.',
      'loginUrl',
      'Use https:// on a Salesforce host (login.salesforce.com, test.salesforce.com or *.my.salesforce.com).',
    ),
    503: errorResponse(
      'UPSTREAM_UNAVAILABLE',
      "Handoff's app for this system is not configured on this deployment",
      'Connecting Salesforce is not configured on this deployment.',
    ),
    ...errorResponses,
  },
});

const CallbackQuery = z.object({
  state: z.string().min(1).max(512).openapi({ description: 'The one-time state of the authorization' }),
  code: z.string().min(1).max(4096).optional().openapi({ description: 'The authorization code' }),
  error: z.string().max(200).optional().openapi({ description: 'Why the provider did not authorize' }),
  error_description: z.string().max(2000).optional(),
});

const ConnectedSchema = z
  .object({
    connected: z.object({
      role: z.enum(['crm', 'psa']),
      system: z.enum(['salesforce', 'kantata']),
      reaches: z.record(z.string(), z.string()).openapi({ description: 'The org or account, and the user' }),
    }),
  })
  .openapi('ConnectionAuthorized');

const callback = createRoute({
  method: 'get',
  path: '/v1/console/connections/{role}/callback',
  operationId: 'completeConnectionAuthorization',
  tags: ['Console'],
  summary: 'Where Salesforce or Kantata sends the browser back after the person allowed Handoff',
  description:
    "Authenticated by the one-time state of an authorization the firm's admin started and the code the provider issued for it. Started in the console, it must come back in the same person's signed-in browser (the session cookie), or it is refused as `not_yours` and the state is spent; started with an admin key, the state alone binds it. The code is redeemed with Handoff's app secret (and, for Salesforce, the PKCE verifier); Salesforce's answer must carry a valid signature and its identity URL and `SELECT Id FROM Organization` must name the same org, which no other firm may hold. A browser (Accept: text/html) is sent back to the console: `/console/#/connections?connected={role}` or `?error={reason}&role={role}`; other clients get JSON.",
  security: security.identityClaimState,
  request: { params: z.object({ role: OAuthRoleSchema }), query: CallbackQuery },
  responses: {
    200: jsonBody(ConnectedSchema, 'Connected (a browser is redirected to the console instead)', {
      connected: {
        role: 'crm',
        system: 'salesforce',
        reaches: {
          orgId: '00D5g000004XyZaEAK',
          orgName: 'Lumen Partners',
          user: 'integration@lumen.example',
        },
      },
    }),
    302: {
      description: 'A browser is sent back to the console, connected or with the reason it was not',
      headers: z.object({
        location: z.string().openapi({ example: '/console/#/connections?connected=crm' }),
      }),
    },
    400: errorResponse(
      'BAD_REQUEST',
      'The state is unknown, expired or already used; the person did not allow access; or the provider refused the code',
      'This connection link is unknown, expired or already used.',
      [
        {
          field: 'state',
          message: 'unknown, expired or already used',
          fix: 'Start again from the console (Connections) and finish within 10 minutes.',
        },
      ],
    ),
    409: conflictResponse(
      'The Salesforce org is connected to another Handoff firm',
      'Salesforce org 00D5g000004XyZaEAK is already connected to another tenant.',
      'config.instanceUrl',
      'Connect the org your firm uses, or disconnect it from the other Handoff tenant first.',
    ),
    503: errorResponse(
      'UPSTREAM_UNAVAILABLE',
      'The provider could not be reached, or Handoff’s app is not configured',
      'Salesforce did not complete the connection: salesforce unreachable.',
    ),
    500: errorResponses[500],
  },
});

const wantsHtml = (c: Context<AppEnv>) => /\btext\/html\b/i.test(c.req.header('accept') ?? '');

/** The console's connections page, with what happened, in its hash route (never a secret in it). */
function consoleUrl(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  return `/console/#/connections?${q}`;
}

export function registerV1ConsoleConnectionsOAuth(app: App) {
  app.openapi(start, async (c) => {
    const { role } = c.req.valid('param');
    const body = c.req.valid('json');
    const expected = role === 'crm' ? 'salesforce' : role === 'psa' ? 'kantata' : 'teams';
    if (body.system !== expected)
      throw new ApiError('VALIDATION_FAILED', `The ${role} connection is made with ${expected}.`, [
        { field: 'system', message: `not a ${role} system`, fix: `Send "system": "${expected}".` },
      ]);
    const principal = c.get('principal');
    const by = { who: auditedPrincipal(principal), correlationId: c.get('correlationId') };
    if (role === 'teams') {
      // Teams is connected by proving the Microsoft 365 organisation: the existing claim, started here.
      const claim = await startMicrosoftClaim(
        c.get('db'),
        c.env,
        { tenantId: principal.tenantId, origin: new URL(c.req.url).origin },
        by,
      );
      return c.json(claim, 201);
    }
    const started = await startOAuthConnection(
      c.get('db'),
      c.env,
      {
        tenantId: principal.tenantId,
        origin: new URL(c.req.url).origin,
        role,
        loginUrl: body.loginUrl,
        authUrl: body.authUrl,
        baseUrl: body.baseUrl,
        uiBaseUrl: body.uiBaseUrl,
      },
      by,
    );
    return c.json(started, 201);
  });

  app.openapi(
    callback,
    async (c) => {
      const { role } = c.req.valid('param');
      const q = c.req.valid('query');
      try {
        const me = await consoleSession(c);
        const done = await completeOAuthConnection(
          c.get('db'),
          c.env,
          { role, state: q.state, code: q.code, error: q.error, errorDescription: q.error_description },
          c.get('correlationId'),
          me?.person ? { tenantId: me.tenantId, personId: me.person.id } : undefined,
        );
        if (wantsHtml(c)) return c.redirect(consoleUrl({ connected: done.role }), 302);
        return c.json({ connected: { role: done.role, system: done.system, reaches: done.reaches } }, 200);
      } catch (e) {
        if (!(e instanceof ConnectCallbackError)) throw e;
        if (!wantsHtml(c)) throw e.error;
        const [detail] = e.error.details ?? [];
        return c.redirect(
          consoleUrl({
            error: e.reason,
            role: e.role ?? role,
            message: e.error.message.slice(0, 300),
            fix: detail?.fix?.slice(0, 300),
            requestId: c.get('requestId'),
          }),
          302,
        );
      }
    },
    (result, c) => {
      if (result.success) return;
      const err = new ApiError(
        'BAD_REQUEST',
        'This is not a connection callback Handoff started.',
        result.error.issues.map((i) => ({
          field: i.path.join('.') || '(query)',
          message: i.message,
          fix: 'Start connecting from the console; the provider returns here by itself.',
        })),
      );
      return c.json(envelope(c.get('requestId'), err), 400);
    },
  );
}
