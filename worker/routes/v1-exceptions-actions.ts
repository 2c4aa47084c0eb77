import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import {
  ExceptionEditSchema,
  editAndRetryException,
  retryException,
  skipException,
} from '../domain/exceptions/resolve-exception';
import { requireKey } from '../http/auth';
import { errorResponses, jsonBody, keyScopes } from './openapi-common';

const Params = z.object({ id: z.string().min(1).max(64) });
const Done = jsonBody(z.object({ id: z.string(), status: z.string() }), 'Done');
const Actor = z.string().min(1).max(200).optional().openapi({
  description:
    'Optional: the person you act for (email or user id). Kept as an unverified note; the audited actor is the API key.',
});

const retry = createRoute({
  method: 'post',
  path: '/v1/exceptions/{id}/retry',
  tags: ['Exceptions'],
  summary: 'Retry after fixing the cause: the entry is checked again and posted once',
  security: keyScopes('admin'),
  middleware: [requireKey('admin')] as const,
  request: {
    params: Params,
    body: { ...jsonBody(z.object({ actor: Actor }), 'Who retries'), required: true },
  },
  responses: { 200: Done, 409: errorResponses[400], 422: errorResponses[400], ...errorResponses },
});

const edit = createRoute({
  method: 'post',
  path: '/v1/exceptions/{id}/edit-and-retry',
  tags: ['Exceptions'],
  summary: 'Correct a held entry (role, hours, date, billable, or post at the contract rate) and retry',
  security: keyScopes('admin'),
  middleware: [requireKey('admin')] as const,
  request: {
    params: Params,
    body: {
      ...jsonBody(z.object({ actor: Actor, changes: ExceptionEditSchema }), 'The changes'),
      required: true,
    },
  },
  responses: { 200: Done, 409: errorResponses[400], 422: errorResponses[400], ...errorResponses },
});

const skip = createRoute({
  method: 'post',
  path: '/v1/exceptions/{id}/skip',
  tags: ['Exceptions'],
  summary: 'Skip with a reason (the entry is never posted)',
  security: keyScopes('admin'),
  middleware: [requireKey('admin')] as const,
  request: {
    params: Params,
    body: {
      ...jsonBody(z.object({ actor: Actor, reason: z.string().min(5).max(1000) }), 'Why'),
      required: true,
    },
  },
  responses: { 200: Done, 409: errorResponses[400], ...errorResponses },
});

export function registerV1ExceptionsActions(app: App) {
  const ctx = (c: Parameters<Parameters<typeof app.openapi>[1]>[0], note: string | undefined) => {
    const who = auditedPrincipal(c.get('principal'));
    return {
      db: c.get('db'),
      env: c.env,
      tenantId: c.get('principal').tenantId,
      actor: who.actor,
      principal: who.principal,
      note,
      correlationId: c.get('correlationId'),
    };
  };
  app.openapi(retry, async (c) => {
    const { id } = c.req.valid('param');
    await retryException(ctx(c, c.req.valid('json').actor), id);
    return c.json({ id, status: 'retried' }, 200);
  });
  app.openapi(edit, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    await editAndRetryException(ctx(c, body.actor), id, body.changes);
    return c.json({ id, status: 'retried' }, 200);
  });
  app.openapi(skip, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    await skipException(ctx(c, body.actor), id, body.reason);
    return c.json({ id, status: 'skipped' }, 200);
  });
}
