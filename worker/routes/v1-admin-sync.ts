import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import { requestSync } from '../domain/billing/request-sync';
import { requireKey } from '../http/auth';
import { spendBudget } from '../http/rate-limit';
import { errorResponses, jsonBody, keyScopes } from './openapi-common';

const route = createRoute({
  method: 'post',
  path: '/v1/admin/sync',
  operationId: 'syncNow',
  tags: ['Admin'],
  summary: "Poll the PSA and ERP for this tenant's active projects now (the cron does it every 5 minutes)",
  security: keyScopes('admin'),
  middleware: [requireKey('admin')] as const,
  responses: {
    202: jsonBody(z.object({ projects: z.number().int() }), 'Polls queued', { projects: 3 }),
    ...errorResponses,
  },
});

export function registerV1AdminSync(app: App) {
  app.openapi(route, async (c) => {
    await spendBudget(c.env, 'SYNC_RATE_LIMIT', `${c.get('principal').tenantId}:sync`);
    const projects = await requestSync(c.get('db'), c.env, {
      tenantId: c.get('principal').tenantId,
      who: auditedPrincipal(c.get('principal')),
      correlationId: c.get('correlationId'),
    });
    return c.json({ projects }, 202);
  });
}
