import { OpenAPIHono } from '@hono/zod-openapi';
import type { ErrorEnvelope } from '../shared/api/errors';
import { getDb } from './db/client';
import { ApiError } from './http/api-error';
import type { AppEnv } from './http/context';
import { log } from './http/logger';

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
        fix: fixFor(i.code, i.path.join('.')),
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

  app.onError((e, c) => {
    const requestId = c.get('requestId') ?? crypto.randomUUID();
    if (e instanceof ApiError) return c.json(envelope(requestId, e), e.status as 400);
    log('error', 'unhandled error', {
      correlationId: c.get('correlationId') ?? requestId,
      requestId,
      error: String(e),
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

  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'A tenant API key (hk_...) for the surface calling: crm (the Salesforce package) or admin.',
  });
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
