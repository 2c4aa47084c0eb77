import { createRoute, z } from '@hono/zod-openapi';
import {
  AssigneeSchema,
  EXCEPTION_JOB_ACTIONS,
  ExceptionJobSchema,
  TagSchema,
} from '../../shared/api/exceptions';
import { nonBlank } from '../../shared/model/text';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import { parseExceptionFilter } from '../domain/exceptions/filter';
import { type JobSelection, kickExceptionJob, startExceptionJob } from '../domain/exceptions/jobs/jobs';
import { ApiError } from '../http/api-error';
import { requirePermission } from '../http/console-auth';
import { ExceptionFilterBody } from './exceptions-openapi';
import { errorResponses, jsonBody, jsonRequest, security, unprocessableResponse } from './openapi-common';
import { exceptionJobExample } from './openapi-examples';

const Body = z
  .object({
    action: z.enum(EXCEPTION_JOB_ACTIONS),
    reason: nonBlank(1000, 5).optional().openapi({ description: 'Why (required to skip)' }),
    assignee: AssigneeSchema.nullable()
      .optional()
      .openapi({ description: 'To whom (assign); null unassigns' }),
    tags: z
      .object({ add: z.array(TagSchema).max(20).optional(), remove: z.array(TagSchema).max(20).optional() })
      .strict()
      .optional()
      .openapi({ description: 'The tags to add and remove (tag)' }),
    selection: z
      .object({
        ids: z.array(z.string().min(1).max(64)).min(1).max(500).optional(),
        filter: ExceptionFilterBody.optional(),
      })
      .strict()
      .openapi({ description: 'Either ids (up to 500) or a filter (as GET /v1/exceptions), not both' }),
  })
  .strict()
  .openapi('ExceptionJobRequest');

const route = createRoute({
  method: 'post',
  path: '/v1/exception-jobs',
  operationId: 'startExceptionJob',
  tags: ['Exceptions'],
  summary: 'Retry, skip, assign or tag many exceptions at once, as a tracked job',
  description:
    'The selection is frozen when the job starts (exceptions arriving later are not included); a retry or skip by filter takes the open ones. The job works through it in pages of 500, each item acted on exactly once (retries post through the posting queue, under the ERP governor); follow it with GET /v1/exception-jobs/{id}, cancel and resume it. At most 250,000 items.',
  security: security.console,
  middleware: [requirePermission('exceptions:act')] as const,
  request: {
    body: jsonRequest(Body, 'The action and what it acts on', {
      action: 'retry',
      selection: { filter: { code: 'POSTING_RETRIES_EXHAUSTED', system: 'netsuite' } },
    }),
  },
  responses: {
    202: jsonBody(z.object({ job: ExceptionJobSchema }), 'Started', {
      job: { ...exceptionJobExample, state: 'queued', processed: 0, succeeded: 0, failed: 0 },
    }),
    422: unprocessableResponse(
      'Some ids are not exceptions of this firm, or the filter matches too many',
      'Some exceptions do not exist.',
      'selection.ids',
      'Send ids from GET /v1/exceptions.',
    ),
    ...errorResponses,
  },
});

export function registerV1ExceptionJobsCreate(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const { ids, filter } = body.selection;
    if ((ids ? 1 : 0) + (filter ? 1 : 0) !== 1)
      throw new ApiError('BAD_REQUEST', 'Select the exceptions by ids or by a filter.', [
        {
          field: 'selection',
          message: ids ? 'both ids and filter' : 'neither ids nor filter',
          fix: 'Send selection.ids (a list) or selection.filter (the filters of GET /v1/exceptions), one of them.',
        },
      ]);
    const selection: JobSelection = ids
      ? { ids }
      : { filter: parseExceptionFilter(filter as Record<string, unknown>, 'selection.filter.') };
    const tenantId = c.get('principal').tenantId;
    const job = await startExceptionJob(
      c.get('db'),
      tenantId,
      {
        action: body.action,
        reason: body.reason,
        assignee: body.assignee,
        tags: body.tags,
        selection,
        selectionAsSent: body.selection,
      },
      { who: auditedPrincipal(c.get('principal')), correlationId: c.get('correlationId') },
    );
    // A lost kick is not lost work: the cron starts any queued job whose row has not moved for a minute.
    if (job.state === 'queued') c.executionCtx.waitUntil(kickExceptionJob(c.env, job.id));
    return c.json({ job }, 202);
  });
}
