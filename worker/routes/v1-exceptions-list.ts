import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { listExceptions } from '../domain/exceptions/list-exceptions';
import { requireKey } from '../http/auth';
import { errorResponses, jsonBody, keyScopes } from './openapi-common';
import { exceptionExample } from './openapi-examples';

const ExceptionViewSchema = z
  .object({
    id: z.string(),
    correlationId: z.string(),
    source: z.string(),
    subjectType: z.string(),
    subjectId: z.string(),
    projectKey: z.string().nullable(),
    code: z.string(),
    reason: z.string(),
    owner: z.string(),
    suggestedFix: z.string(),
    status: z.enum(['open', 'retrying', 'resolved', 'skipped']),
    ageSeconds: z.number().int(),
    createdAt: z.string(),
  })
  .openapi('ExceptionView');

const route = createRoute({
  method: 'get',
  path: '/v1/exceptions',
  operationId: 'listExceptions',
  tags: ['Exceptions'],
  summary: "The tenant's exception queue: what failed, why, whose it is and how to fix it",
  security: keyScopes('admin', 'crm'),
  middleware: [requireKey('admin', 'crm')] as const,
  request: {
    query: z.object({
      status: z.enum(['open', 'retrying', 'resolved', 'skipped']).optional(),
      projectKey: z.string().max(64).optional().openapi({ example: '006000000000002AAA' }),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: {
    200: jsonBody(z.object({ exceptions: z.array(ExceptionViewSchema) }), 'Newest first', {
      exceptions: [exceptionExample],
    }),
    ...errorResponses,
  },
});

export function registerV1ExceptionsList(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const exceptions = await listExceptions(c.get('db'), c.get('principal').tenantId, q);
    return c.json({ exceptions }, 200);
  });
}
