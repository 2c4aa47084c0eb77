import { createRoute } from '@hono/zod-openapi';
import { ExceptionFacetsSchema } from '../../shared/api/exceptions';
import type { App } from '../app';
import { parseExceptionFilter } from '../domain/exceptions/filter';
import { exceptionFacets } from '../domain/exceptions/list-exceptions';
import { requirePermission } from '../http/console-auth';
import { ExceptionFilterQuery } from './exceptions-openapi';
import { errorResponses, jsonBody, security } from './openapi-common';

const route = createRoute({
  method: 'get',
  path: '/v1/exceptions/facets',
  operationId: 'getExceptionFacets',
  tags: ['Exceptions'],
  summary: 'How many exceptions match the filters, by owner, code, system and status',
  security: security.console,
  middleware: [requirePermission('view')] as const,
  request: { query: ExceptionFilterQuery },
  responses: {
    200: jsonBody(ExceptionFacetsSchema, 'Counts under the filters', {
      byOwner: { 'finance-ops': 312, 'delivery-ops': 41 },
      byCode: { POSTING_RETRIES_EXHAUSTED: 300, 'rate-mismatch': 41, INVOICE_FAILED: 12 },
      bySystem: { netsuite: 312, kantata: 41 },
      byStatus: { open: 353 },
    }),
    ...errorResponses,
  },
});

export function registerV1ExceptionsFacets(app: App) {
  app.openapi(route, async (c) => {
    const filter = parseExceptionFilter(c.req.valid('query'));
    return c.json(await exceptionFacets(c.get('db'), c.get('principal').tenantId, filter), 200);
  });
}
