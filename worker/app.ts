import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { ErrorEnvelope } from '../shared/api/errors';
import { getDb } from './db/client';
import { transientDbFailure } from './db/unique-violation';
import { ApiError } from './http/api-error';
import { guardBody } from './http/body-guard';
import type { AppEnv } from './http/context';
import { log } from './http/logger';
import { securityHeaders } from './http/security-headers';

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function envelope(requestId: string, err: ApiError): ErrorEnvelope {
  return {
    error: {
      code: err.code,
      message: err.message,
      requestId,
      ...(err.details ? { details: err.details } : {}),
    },
  };
}

/** Builds the API app once: request/correlation ids, zod error hook, one error envelope, OpenAPI doc. */
export function newApp() {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const details = result.error.issues.map((i) => ({
        field: i.path.join('.') || '(body)',
        message: i.message,
        // A refinement may carry its own fix (`params.fix`); otherwise one from the kind of issue.
        fix:
          i.code === 'custom' && typeof i.params?.fix === 'string'
            ? i.params.fix
            : fixFor(i.code, i.path.join('.')),
      }));
      const err = new ApiError(
        'BAD_REQUEST',
        'The request is not valid; see details for each field to fix.',
        details,
      );
      return c.json(envelope(c.get('requestId'), err), 400);
    },
  });

  app.use('*', async (c, next) => {
    const requestId = crypto.randomUUID();
    const incoming = c.req.header('x-correlation-id');
    c.set('requestId', requestId);
    c.set('correlationId', incoming && ID_PATTERN.test(incoming) ? incoming : requestId);
    c.set('db', getDb(c.env));
    await next();
    c.header('x-request-id', requestId);
    c.header('x-correlation-id', c.get('correlationId'));
  });
  app.use('*', securityHeaders());
  app.use('*', guardBody());

  app.onError((e, c) => {
    const requestId = c.get('requestId') ?? crypto.randomUUID();
    if (e instanceof ApiError) {
      if (e.retryAfterSeconds !== undefined) c.header('retry-after', String(e.retryAfterSeconds));
      return c.json(envelope(requestId, e), e.status as 400);
    }
    if (e instanceof HTTPException && e.status < 500) {
      // Hono's own refusals (a body its validator could not read) in our envelope, never a 500.
      const err = new ApiError('BAD_REQUEST', 'The request could not be read.', [
        {
          field: '(body)',
          message: e.message,
          fix: 'Send a JSON body with "Content-Type: application/json".',
        },
      ]);
      return c.json(envelope(requestId, err), 400);
    }
    if (transientDbFailure(e)) {
      log('warn', 'database busy or unreachable: answered 503', {
        correlationId: c.get('correlationId') ?? requestId,
        requestId,
        error: String(e),
        ...((e as Error).cause ? { cause: String((e as Error).cause) } : {}),
      });
      c.header('retry-after', '2');
      return c.json(
        envelope(
          requestId,
          new ApiError(
            'UPSTREAM_UNAVAILABLE',
            'The database is busy. Nothing was changed; send the request again.',
          ),
        ),
        503,
      );
    }
    log('error', 'unhandled error', {
      correlationId: c.get('correlationId') ?? requestId,
      requestId,
      error: String(e),
      // A driver's wrapper (drizzle's "Failed query") keeps the database's own reason as its cause.
      ...((e as Error).cause ? { cause: String((e as Error).cause) } : {}),
      stack: (e as Error).stack,
    });
    return c.json(
      envelope(
        requestId,
        new ApiError('INTERNAL_ERROR', 'Something went wrong on our side. Quote the request id to support.'),
      ),
      500,
    );
  });

  app.notFound((c) =>
    c.json(
      envelope(
        c.get('requestId') ?? crypto.randomUUID(),
        new ApiError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`),
      ),
      404,
    ),
  );

  const schemes: Record<
    string,
    Parameters<typeof app.openAPIRegistry.registerComponent<'securitySchemes'>>[2]
  > = {
    apiKey: {
      type: 'http',
      scheme: 'bearer',
      description:
        "A tenant API key (hk_...) for one surface: `crm` (the Salesforce package), `psa` (the PSA host that mints sidebar tokens) or `admin`. The requirement's roles name the surfaces an operation accepts.",
    },
    operatorToken: {
      type: 'http',
      scheme: 'bearer',
      description: 'The deployment operator token (PLATFORM_ADMIN_TOKEN); only creates tenants.',
    },
    embedToken: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'A 10-minute sidebar token for one PSA project, minted by the PSA host with POST /v1/embed-tokens.',
    },
    botFramework: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        "The Bot Framework channel token: RS256 from the OpenID metadata's keys, issuer https://api.botframework.com, audience our app id, serviceUrl claim equal to the activity's.",
    },
    teamsSso: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'Teams tab single sign-on: an Entra ID v2 access token for our API (audience api://{host}/{appId}, scope access_as_user); its tenant (tid) maps to the firm.',
    },
    standardWebhookSignature: {
      type: 'apiKey',
      in: 'header',
      name: 'webhook-signature',
      description:
        "Standard Webhooks: `v1,<base64 HMAC-SHA256>` of `webhook-id.webhook-timestamp.body` with the tenant's whsec_ secret; timestamps within 5 minutes; deduped on webhook-id.",
    },
    identityClaimState: {
      type: 'apiKey',
      in: 'query',
      name: 'state',
      description:
        "The one-time state of a sign-in or authorization a firm's admin started (POST /v1/admin/identity/microsoft/claims, POST /v1/console/connections/{role}/authorize), valid 10 minutes, redeemed once, together with the authorization code the provider issued for it.",
    },
    consoleSession: {
      type: 'apiKey',
      in: 'cookie',
      name: '__Host-handoff_session',
      description:
        "A console sign-in (GET /console/auth/{provider}/start): the session cookie (HttpOnly, Secure, SameSite=Lax), valid 30 minutes idle and 12 hours at most. Every request that is not GET or HEAD also sends the session's csrfToken (GET /v1/console/session) as X-CSRF-Token, and an Origin, when sent, must be the console's own. Not an API key: it is refused in an Authorization header, and keys are refused as the cookie.",
    },
    consoleInvitation: {
      type: 'apiKey',
      in: 'query',
      name: 'invitation',
      description:
        "A one-time console invitation (POST /v1/console/invitations, or the operator's first-admin invitation), valid 7 days: the person who signs in with it joins the firm with its roles.",
    },
    consoleSignInState: {
      type: 'apiKey',
      in: 'query',
      name: 'state',
      description:
        'The one-time state of a console sign-in (GET /console/auth/{provider}/start), valid 10 minutes, redeemed once, with the authorization code the identity provider issued for it.',
    },
    docusignHmac: {
      type: 'apiKey',
      in: 'header',
      name: 'X-DocuSign-Signature-1',
      description:
        "DocuSign Connect HMAC: base64 HMAC-SHA256 of the body with one of the tenant's Connect keys (X-DocuSign-Signature-1..n during rotation).",
    },
  };
  for (const [name, scheme] of Object.entries(schemes))
    app.openAPIRegistry.registerComponent('securitySchemes', name, scheme);
  return app;
}

function fixFor(code: string, field: string): string {
  switch (code) {
    case 'invalid_type':
      return `Send ${field || 'the body'} with the type the API reference shows.`;
    case 'too_small':
    case 'too_big':
      return `Change the length or size of ${field}.`;
    case 'invalid_format':
      return `Send ${field} in the documented format.`;
    default:
      return `Correct ${field || 'the request'} and send it again.`;
  }
}

export type App = ReturnType<typeof newApp>;
