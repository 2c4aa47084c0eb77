import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, eq } from 'drizzle-orm';
import type { App } from '../app';
import { auditLogTable } from '../db/schema';
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
    const rows = await c
      .get('db')
      .select()
      .from(auditLogTable)
      .where(
        and(
          eq(auditLogTable.tenantId, c.get('principal').tenantId),
          eq(auditLogTable.correlationId, correlationId),
        ),
      )
      .orderBy(asc(auditLogTable.id));
    return c.json(
      { entries: rows.map(({ id: _id, tenantId: _t, ...r }) => ({ ...r, detail: r.detail ?? null })) },
      200,
    );
  });
}
