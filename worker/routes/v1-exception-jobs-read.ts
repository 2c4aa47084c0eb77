import { createRoute, z } from '@hono/zod-openapi';
import { ExceptionJobSchema } from '../../shared/api/exceptions';
import type { App } from '../app';
import { getExceptionJob, listExceptionJobs } from '../domain/exceptions/jobs/jobs';
import { requirePermission } from '../http/console-auth';
import { errorResponses, jsonBody, security } from './openapi-common';
import { exceptionJobExample } from './openapi-examples';

const list = createRoute({
  method: 'get',
  path: '/v1/exception-jobs',
  operationId: 'listExceptionJobs',
  tags: ['Exceptions'],
  summary: "The firm's bulk exception jobs, newest first",
  security: security.console,
  middleware: [requirePermission('view')] as const,
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }) },
  responses: {
    200: jsonBody(z.object({ jobs: z.array(ExceptionJobSchema) }), 'Newest first', {
      jobs: [exceptionJobExample],
    }),
    ...errorResponses,
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/exception-jobs/{id}',
  operationId: 'getExceptionJob',
  tags: ['Exceptions'],
  summary: 'A bulk exception job: its progress, and the first items it could not act on and why',
  security: security.console,
  middleware: [requirePermission('view')] as const,
  request: {
    params: z.object({ id: z.string().min(1).max(64).openapi({ example: exceptionJobExample.id }) }),
  },
  responses: {
    200: jsonBody(
      ExceptionJobSchema.extend({
        failures: z.array(z.object({ exceptionId: z.string(), message: z.string() })),
      }).openapi('ExceptionJobDetail'),
      'The job',
      {
        ...exceptionJobExample,
        failures: [
          {
            exceptionId: 'exc_Q7nB2vX9kL4p',
            message:
              'Still refused: USD 1,320.00 would pass the not-to-exceed cap of USD 250,000.00 (USD 410.00 left). Raise the cap with a change order, or skip it / post it as non-billable.',
          },
        ],
      },
    ),
    ...errorResponses,
  },
});

export function registerV1ExceptionJobsRead(app: App) {
  app.openapi(list, async (c) => {
    const { limit } = c.req.valid('query');
    return c.json({ jobs: await listExceptionJobs(c.get('db'), c.get('principal').tenantId, limit) }, 200);
  });
  app.openapi(get, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await getExceptionJob(c.get('db'), c.get('principal').tenantId, id), 200);
  });
}
