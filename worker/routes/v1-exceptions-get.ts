import { createRoute, z } from '@hono/zod-openapi';
import { ExceptionViewSchema } from '../../shared/api/exceptions';
import type { App } from '../app';
import { exceptionDetail } from '../domain/exceptions/exception-detail';
import { requirePermission } from '../http/console-auth';
import { errorResponses, jsonBody, security } from './openapi-common';
import { exceptionExample } from './openapi-examples';

const ExceptionDetailSchema = z
  .object({
    exception: ExceptionViewSchema,
    rule: z.object({ code: z.string(), source: z.string(), reason: z.string(), fix: z.string() }),
    detail: z.record(z.string(), z.unknown()),
    /** The held time entry or expense behind it, when there is one. */
    entry: z
      .object({
        id: z.string(),
        kind: z.enum(['time', 'expense']),
        state: z.enum(['queued', 'posted', 'held', 'skipped']),
        contractKey: z.string(),
        psaProjectId: z.string(),
        entry: z.record(z.string(), z.unknown()),
        amountMinor: z.number().int(),
        currency: z.string(),
        erpId: z.string().nullable(),
        note: z.string().nullable(),
      })
      .nullable(),
    history: z.array(
      z.object({
        action: z.string(),
        actor: z.string(),
        at: z.string(),
        correlationId: z.string(),
        detail: z.record(z.string(), z.unknown()),
      }),
    ),
  })
  .openapi('ExceptionDetail');

const route = createRoute({
  method: 'get',
  path: '/v1/exceptions/{id}',
  operationId: 'getException',
  tags: ['Exceptions'],
  summary: 'One exception: the record, the rule, the reason, the fix, and its history',
  security: security.console,
  middleware: [requirePermission('view')] as const,
  request: {
    params: z.object({ id: z.string().min(1).max(64).openapi({ example: exceptionExample.id }) }),
  },
  responses: {
    200: jsonBody(ExceptionDetailSchema, 'The exception and its history, oldest first', {
      exception: exceptionExample,
      rule: {
        code: exceptionExample.code,
        source: exceptionExample.source,
        reason: exceptionExample.reason,
        fix: exceptionExample.suggestedFix,
      },
      detail: { itemId: 'time:88123451', psaProjectId: '2041877' },
      entry: {
        id: 'time:88123451',
        kind: 'time',
        state: 'held',
        contractKey: exceptionExample.projectKey!,
        psaProjectId: '2041877',
        entry: { personName: 'Ben Okafor', role: 'Senior Consultant', date: '2026-11-18', minutes: 450 },
        amountMinor: 0,
        currency: 'USD',
        erpId: null,
        note: exceptionExample.reason,
      },
      history: [
        {
          action: 'exception.assigned',
          actor: 'key:key_8Hq2Lm5Rt1Vw',
          at: '2026-11-16T16:10:00.000Z',
          correlationId: '7d2f0c1a-6b3e-4f58-9a1d-2c4b6e8f0a13',
          detail: {
            before: { assignee: null },
            after: { assignee: 'emma.lindqvist@handoff-consulting.example' },
          },
        },
      ],
    }),
    ...errorResponses,
  },
});

export function registerV1ExceptionsGet(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await exceptionDetail(c.get('db'), c.get('principal').tenantId, id), 200);
  });
}
