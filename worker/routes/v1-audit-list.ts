import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { listAuditEntries } from '../domain/audit';
import { requirePermission } from '../http/console-auth';
import { errorResponses, jsonBody, security } from './openapi-common';

const AuditEntrySchema = z
  .object({
    correlationId: z.string(),
    actor: z.string(),
    action: z.string(),
    subjectType: z.string(),
    subjectId: z.string(),
    detail: z.record(z.string(), z.unknown()).nullable(),
    at: z.string(),
  })
  .openapi('AuditEntry');

const route = createRoute({
  method: 'get',
  path: '/v1/audit',
  operationId: 'listAuditEntries',
  tags: ['Audit'],
  summary: 'The audit trail of one click, by its correlation id',
  security: security.console,
  middleware: [requirePermission('view')] as const,
  request: {
    query: z.object({
      correlationId: z.string().min(1).max(128).openapi({ example: 'c0a8012e-5b1d-4c1f-9f4e-2d6a7b8c9d01' }),
    }),
  },
  responses: {
    200: jsonBody(z.object({ entries: z.array(AuditEntrySchema) }), 'Oldest first', {
      entries: [
        {
          correlationId: 'c0a8012e-5b1d-4c1f-9f4e-2d6a7b8c9d01',
          actor: '005000000000001AAA',
          action: 'activation.requested',
          subjectType: 'opportunity',
          subjectId: '006000000000002AAA',
          detail: { activationId: 'act_Q2xH7vN1pR4s' },
          at: '2026-11-16T15:04:05.000Z',
        },
      ],
    }),
    ...errorResponses,
  },
});

export function registerV1AuditList(app: App) {
  app.openapi(route, async (c) => {
    const { correlationId } = c.req.valid('query');
    const entries = await listAuditEntries(c.get('db'), c.get('principal').tenantId, correlationId);
    return c.json({ entries }, 200);
  });
}
