import { createRoute, z } from '@hono/zod-openapi';
import { ExceptionJobSchema } from '../../shared/api/exceptions';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import { cancelExceptionJob, kickExceptionJob, resumeExceptionJob } from '../domain/exceptions/jobs/jobs';
import { requirePermission } from '../http/console-auth';
import { conflictResponse, errorResponses, jsonBody, security } from './openapi-common';
import { exceptionJobExample } from './openapi-examples';

const Params = z.object({ id: z.string().min(1).max(64).openapi({ example: exceptionJobExample.id }) });

const cancel = createRoute({
  method: 'post',
  path: '/v1/exception-jobs/{id}/cancel',
  operationId: 'cancelExceptionJob',
  tags: ['Exceptions'],
  summary: 'Stop a job at its next page boundary (what it did stays done; resume goes on from there)',
  security: security.console,
  middleware: [requirePermission('exceptions:act')] as const,
  request: { params: Params },
  responses: {
    200: jsonBody(z.object({ job: ExceptionJobSchema }), 'Cancelled', {
      job: { ...exceptionJobExample, state: 'cancelled', finishedAt: exceptionJobExample.updatedAt },
    }),
    409: conflictResponse(
      'Already finished',
      `Exception job ${exceptionJobExample.id} is done; only a queued or running job can be cancelled.`,
    ),
    ...errorResponses,
  },
});

const resume = createRoute({
  method: 'post',
  path: '/v1/exception-jobs/{id}/resume',
  operationId: 'resumeExceptionJob',
  tags: ['Exceptions'],
  summary: 'Resume a cancelled or failed job from where it stopped',
  security: security.console,
  middleware: [requirePermission('exceptions:act')] as const,
  request: { params: Params },
  responses: {
    200: jsonBody(z.object({ job: ExceptionJobSchema }), 'Queued again', {
      job: { ...exceptionJobExample, state: 'queued' },
    }),
    409: conflictResponse(
      'Not stopped',
      `Exception job ${exceptionJobExample.id} is running; only a cancelled or failed job can be resumed.`,
    ),
    ...errorResponses,
  },
});

export function registerV1ExceptionJobsControl(app: App) {
  const by = (c: {
    get(k: 'principal'): Parameters<typeof auditedPrincipal>[0];
    get(k: 'correlationId'): string;
  }) => ({
    who: auditedPrincipal(c.get('principal')),
    correlationId: c.get('correlationId'),
  });
  app.openapi(cancel, async (c) => {
    const { id } = c.req.valid('param');
    const job = await cancelExceptionJob(c.get('db'), c.get('principal').tenantId, id, by(c));
    return c.json({ job }, 200);
  });
  app.openapi(resume, async (c) => {
    const { id } = c.req.valid('param');
    const job = await resumeExceptionJob(c.get('db'), c.get('principal').tenantId, id, by(c));
    c.executionCtx.waitUntil(kickExceptionJob(c.env, id));
    return c.json({ job }, 200);
  });
}
