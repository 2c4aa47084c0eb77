import { createRoute, z } from '@hono/zod-openapi';
import { AssigneeSchema, TagSchema } from '../../shared/api/exceptions';
import { nonBlank } from '../../shared/model/text';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import { assignException, tagException } from '../domain/exceptions/annotate';
import {
  ExceptionEditSchema,
  editAndRetryException,
  retryException,
  skipException,
} from '../domain/exceptions/resolve-exception';
import { requirePermission } from '../http/console-auth';
import {
  conflictResponse,
  errorResponses,
  jsonBody,
  jsonRequest,
  security,
  unprocessableResponse,
} from './openapi-common';
import { exceptionExample } from './openapi-examples';

const Params = z.object({ id: z.string().min(1).max(64).openapi({ example: exceptionExample.id }) });
const Done = z.object({ id: z.string(), status: z.string() }).openapi('ExceptionActionResult');
const Actor = nonBlank(200).optional().openapi({
  description:
    'Optional: the person you act for (email or user id). Kept as an unverified note; the audited actor is the API key.',
  example: 'emma.lindqvist@handoff-consulting.example',
});
const actor = 'emma.lindqvist@handoff-consulting.example';
const retried = jsonBody(Done, 'Done', { id: exceptionExample.id, status: 'retried' });
const alreadyClosed = conflictResponse(
  'The exception is already resolved or skipped',
  `Exception ${exceptionExample.id} is already resolved.`,
);
const stillRefused = unprocessableResponse(
  'Checked again and still refused',
  'Still refused: the rate card says USD 180.00 for Senior Consultant on 2026-11-18',
  'rate',
  'Correct the rate in the PSA, or post at the contract rate.',
);

const retry = createRoute({
  method: 'post',
  path: '/v1/exceptions/{id}/retry',
  operationId: 'retryException',
  tags: ['Exceptions'],
  summary: 'Retry after fixing the cause: the entry is checked again and posted once',
  security: security.console,
  middleware: [requirePermission('exceptions:act')] as const,
  request: {
    params: Params,
    body: jsonRequest(z.object({ actor: Actor }).openapi('ExceptionRetry'), 'Who retries', { actor }),
  },
  responses: { 200: retried, 409: alreadyClosed, 422: stillRefused, ...errorResponses },
});

const edit = createRoute({
  method: 'post',
  path: '/v1/exceptions/{id}/edit-and-retry',
  operationId: 'editAndRetryException',
  tags: ['Exceptions'],
  summary: 'Correct a held entry (role, hours, date, billable, or post at the contract rate) and retry',
  security: security.console,
  middleware: [requirePermission('exceptions:act')] as const,
  request: {
    params: Params,
    body: jsonRequest(
      z.object({ actor: Actor, changes: ExceptionEditSchema }).openapi('ExceptionEditAndRetry'),
      'The changes',
      { actor, changes: { role: 'Consultant', minutes: 450, date: '2026-11-18' } },
    ),
  },
  responses: { 200: retried, 409: alreadyClosed, 422: stillRefused, ...errorResponses },
});

const skip = createRoute({
  method: 'post',
  path: '/v1/exceptions/{id}/skip',
  operationId: 'skipException',
  tags: ['Exceptions'],
  summary: 'Skip with a reason (the entry is never posted)',
  security: security.console,
  middleware: [requirePermission('exceptions:act')] as const,
  request: {
    params: Params,
    body: jsonRequest(z.object({ actor: Actor, reason: nonBlank(1000, 5) }).openapi('ExceptionSkip'), 'Why', {
      actor,
      reason: 'Billed by hand on invoice INV-10231',
    }),
  },
  responses: {
    200: jsonBody(Done, 'Done', { id: exceptionExample.id, status: 'skipped' }),
    409: alreadyClosed,
    ...errorResponses,
  },
});

const assign = createRoute({
  method: 'post',
  path: '/v1/exceptions/{id}/assign',
  operationId: 'assignException',
  tags: ['Exceptions'],
  summary: 'Give an exception to a person (null: to nobody); audited',
  security: security.console,
  middleware: [requirePermission('exceptions:act')] as const,
  request: {
    params: Params,
    body: jsonRequest(
      z
        .object({
          assignee: AssigneeSchema.nullable().openapi({
            description: 'The person (a console member id, an Entra object id, an email), or null',
          }),
          actor: Actor,
        })
        .strict()
        .openapi('ExceptionAssign'),
      'To whom',
      { assignee: 'emma.lindqvist@handoff-consulting.example' },
    ),
  },
  responses: {
    200: jsonBody(
      z
        .object({ id: z.string(), assignee: z.string().nullable(), changed: z.boolean() })
        .openapi('ExceptionAssigned'),
      'Assigned (changed is false when it already was)',
      { id: exceptionExample.id, assignee: 'emma.lindqvist@handoff-consulting.example', changed: true },
    ),
    ...errorResponses,
  },
});

const tagList = z.array(TagSchema).max(20).default([]);
const tags = createRoute({
  method: 'post',
  path: '/v1/exceptions/{id}/tags',
  operationId: 'tagException',
  tags: ['Exceptions'],
  summary: 'Add and remove tags on an exception; audited',
  security: security.console,
  middleware: [requirePermission('exceptions:act')] as const,
  request: {
    params: Params,
    body: jsonRequest(
      z.object({ add: tagList, remove: tagList, actor: Actor }).strict().openapi('ExceptionTagChange'),
      'The tags to add and to remove',
      { add: ['month-end', 'netsuite-outage'], remove: ['triage'] },
    ),
  },
  responses: {
    200: jsonBody(
      z
        .object({ id: z.string(), tags: z.array(z.string()), changed: z.boolean() })
        .openapi('ExceptionTagged'),
      'The tags it carries now',
      { id: exceptionExample.id, tags: ['month-end', 'netsuite-outage'], changed: true },
    ),
    422: unprocessableResponse(
      'Too many tags',
      'An exception carries at most 20 tags.',
      'add',
      'Remove some tags first.',
    ),
    ...errorResponses,
  },
});

export function registerV1ExceptionsActions(app: App) {
  const ctx = (c: Parameters<Parameters<typeof app.openapi>[1]>[0], note: string | undefined) => {
    const who = auditedPrincipal(c.get('principal'));
    return {
      db: c.get('db'),
      env: c.env,
      tenantId: c.get('principal').tenantId,
      actor: who.actor,
      principal: who.principal,
      note,
      correlationId: c.get('correlationId'),
    };
  };
  app.openapi(retry, async (c) => {
    const { id } = c.req.valid('param');
    await retryException(ctx(c, c.req.valid('json').actor), id);
    return c.json({ id, status: 'retried' }, 200);
  });
  app.openapi(edit, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    await editAndRetryException(ctx(c, body.actor), id, body.changes);
    return c.json({ id, status: 'retried' }, 200);
  });
  app.openapi(assign, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    return c.json(await assignException(ctx(c, body.actor), id, body.assignee), 200);
  });
  app.openapi(tags, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    return c.json(await tagException(ctx(c, body.actor), id, { add: body.add, remove: body.remove }), 200);
  });
  app.openapi(skip, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    await skipException(ctx(c, body.actor), id, body.reason);
    return c.json({ id, status: 'skipped' }, 200);
  });
}
