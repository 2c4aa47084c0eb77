import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { listAuditEntries } from '../domain/audit';
import { requireKey } from '../http/auth';
import { errorResponses, jsonBody, keyScopes } from './openapi-common';

const AuditEntrySchema = z.object({
  correlationId: z.string(),
  actor: z.string(),
  action: z.string(),
  subjectType: z.string(),
  subjectId: z.string(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  at: z.string(),
});

const route = createRoute({
  method: 'get',
  path: '/v1/audit',
  tags: ['Audit'],
  summary: 'The audit trail of one click, by its correlation id',
  security: keyScopes('admin'),
  middleware: [requireKey('admin')] as const,
  request: { query: z.object({ correlationId: z.string().min(1).max(128) }) },
  responses: {
    200: jsonBody(z.object({ entries: z.array(AuditEntrySchema) }), 'Oldest first'),
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
