import { createRoute, z } from '@hono/zod-openapi';
import {
  DeadLetterDetailSchema,
  DeadLetterPageSchema,
  DeadLetterQueueSchema,
  DeadLetterStateSchema,
  type DeadLetterView,
} from '../../shared/api/dead-letters';
import type { App } from '../app';
import { getDeadLetter, listDeadLetters } from '../domain/dead-letters/list-dead-letters';
import { requirePermission } from '../http/console-auth';
import { errorResponses, jsonBody, security } from './openapi-common';

export const deadLetterExample: DeadLetterView = {
  id: 'dl_Yx3kP9w2Lm7q',
  queue: 'handoff-posting',
  state: 'waiting',
  itemId: 'time:5523114',
  correlationId: 'c0a8012e-5b1d-4c1f-9f4e-2d6a7b8c9d01',
  attempts: 9,
  times: 1,
  reason: 'NetSuite timebill write failed (500 UNEXPECTED_ERROR): An unexpected error occurred.',
  exceptionId: 'exc_T4mW8qZ2bN6c',
  outcome: null,
  firstSeenAt: '2026-11-18T09:12:44.000Z',
  lastSeenAt: '2026-11-18T09:12:44.000Z',
  handledBy: null,
  handledAt: null,
  note: null,
};

const list = createRoute({
  method: 'get',
  path: '/v1/dead-letters',
  operationId: 'listDeadLetters',
  tags: ['Dead letters'],
  summary: "The firm's dead letters: messages that exhausted their retries, why, and what became of them",
  description:
    'Newest first, a page at a time: pass `nextCursor` as `cursor` for the next page. `total` counts every letter matching the filter. Console permission `view`, or an admin key.',
  security: security.console,
  middleware: [requirePermission('view')] as const,
  request: {
    query: z.object({
      queue: DeadLetterQueueSchema.optional(),
      state: DeadLetterStateSchema.optional(),
      cursor: z.string().max(400).optional().openapi({ description: 'nextCursor of the previous page' }),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: {
    200: jsonBody(DeadLetterPageSchema, 'One page, newest first', {
      deadLetters: [deadLetterExample],
      nextCursor: null,
      total: 1,
    }),
    ...errorResponses,
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/dead-letters/{id}',
  operationId: 'getDeadLetter',
  tags: ['Dead letters'],
  summary: 'One dead letter: the original message, why it failed, and where its entry stands now',
  security: security.console,
  middleware: [requirePermission('view')] as const,
  request: { params: z.object({ id: z.string().min(1).max(64).openapi({ example: deadLetterExample.id }) }) },
  responses: {
    200: jsonBody(DeadLetterDetailSchema, 'The letter', {
      ...deadLetterExample,
      messageId: '4c3f1a2b9e8d7c6b5a4f3e2d1c0b9a88',
      message: {
        tenantId: 'ten_8fK2mQ4xV7pL',
        itemId: 'time:5523114',
        correlationId: 'c0a8012e-5b1d-4c1f-9f4e-2d6a7b8c9d01',
      },
      item: { id: 'time:5523114', state: 'held', note: null, erpId: null },
    }),
    ...errorResponses,
  },
});

export function registerV1DeadLettersList(app: App) {
  app.openapi(list, async (c) => {
    const page = await listDeadLetters(c.get('db'), c.get('principal').tenantId, c.req.valid('query'));
    return c.json(page, 200);
  });
  app.openapi(get, async (c) => {
    const letter = await getDeadLetter(c.get('db'), c.get('principal').tenantId, c.req.valid('param').id);
    return c.json(letter, 200);
  });
}
