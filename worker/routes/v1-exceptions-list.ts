import { createRoute, z } from '@hono/zod-openapi';
import { ExceptionViewSchema } from '../../shared/api/exceptions';
import type { App } from '../app';
import { parseExceptionFilter } from '../domain/exceptions/filter';
import { listExceptions } from '../domain/exceptions/list-exceptions';
import { requireKeyOrPermission } from '../http/key-or-permission';
import { ExceptionFilterQuery } from './exceptions-openapi';
import { errorResponses, jsonBody, keyScopes } from './openapi-common';
import { exceptionExample } from './openapi-examples';

const route = createRoute({
  method: 'get',
  path: '/v1/exceptions',
  operationId: 'listExceptions',
  tags: ['Exceptions'],
  summary: "The tenant's exception queue: what failed, why, whose it is and how to fix it",
  description:
    "Newest first, filtered (all filters combine with AND; status, owner, code and system take several values comma-separated), a page at a time: pass the answer's `nextCursor` as `cursor` for the next page (pages never repeat or skip a row while new exceptions arrive). `total` counts every match. An admin key, a CRM key, or a console session that may view.",
  security: keyScopes('admin', 'crm'),
  middleware: [requireKeyOrPermission(['admin', 'crm'], 'view')] as const,
  request: {
    query: ExceptionFilterQuery.extend({
      cursor: z.string().max(300).optional().openapi({
        description: 'The nextCursor of the previous page',
        example: 'MjAyNi0xMS0xNlQxNTowNDowNS4wMDBafGV4Y19NOGtxMlpyMHRZMXc',
      }),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: {
    200: jsonBody(
      z.object({
        exceptions: z.array(ExceptionViewSchema),
        nextCursor: z.string().nullable(),
        total: z.number().int(),
      }),
      'Newest first',
      {
        exceptions: [exceptionExample],
        nextCursor: 'MjAyNi0xMS0xNlQxNTowNDowNS4wMDBafGV4Y19NOGtxMlpyMHRZMXc',
        total: 137,
      },
    ),
    ...errorResponses,
  },
});

export function registerV1ExceptionsList(app: App) {
  app.openapi(route, async (c) => {
    const { cursor, limit, ...query } = c.req.valid('query');
    const filter = parseExceptionFilter(query);
    const page = await listExceptions(c.get('db'), c.get('principal').tenantId, { ...filter, cursor, limit });
    return c.json(page, 200);
  });
}
