import { createRoute, z } from '@hono/zod-openapi';
import { DeadLetterQueueSchema, ReplayResultSchema } from '../../shared/api/dead-letters';
import { nonBlank } from '../../shared/model/text';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import { discardDeadLetter, replayDeadLetters } from '../domain/dead-letters/replay-dead-letters';
import { requirePermission } from '../http/console-auth';
import { conflictResponse, errorResponses, jsonBody, jsonRequest, security } from './openapi-common';
import { deadLetterExample } from './v1-dead-letters-list';

const Id = z.string().min(1).max(64);
const ReplayRequestSchema = z
  .union([
    z.object({ ids: z.array(Id).min(1).max(200) }).strict(),
    z.object({ all: z.literal(true), queue: DeadLetterQueueSchema }).strict(),
  ])
  .openapi('DeadLetterReplay', {
    description:
      'Either the letters to replay (`ids`, at most 200), or `all: true` with the `queue` (its waiting letters, 200 per call).',
  });

const replay = createRoute({
  method: 'post',
  path: '/v1/dead-letters/replay',
  operationId: 'replayDeadLetters',
  tags: ['Dead letters'],
  summary: 'Replay dead letters after the fix: each goes back to its queue once, and its entry posts once',
  description:
    'A waiting letter is taken by one replay only; its entry is queued again only if it still needs posting (an entry posted meanwhile, for example by an exception retry, is `already-posted` and nothing is sent). An unknown id answers 404 and nothing is replayed. Console permission `dead-letters:replay`, or an admin key.',
  security: security.console,
  middleware: [requirePermission('dead-letters:replay')] as const,
  request: {
    body: jsonRequest(ReplayRequestSchema, 'Which letters', { ids: [deadLetterExample.id] }),
  },
  responses: {
    200: jsonBody(ReplayResultSchema, 'What each letter did', {
      sent: 1,
      results: [{ id: deadLetterExample.id, outcome: 'sent' }],
      remaining: 0,
    }),
    ...errorResponses,
  },
});

const discard = createRoute({
  method: 'post',
  path: '/v1/dead-letters/{id}/discard',
  operationId: 'discardDeadLetter',
  tags: ['Dead letters'],
  summary: 'Leave a dead letter unreplayed, with the reason (kept and audited, never deleted)',
  description:
    'The entry and its exception are left as they are (retry or skip the exception to settle the entry). Console permission `dead-letters:replay`, or an admin key.',
  security: security.console,
  middleware: [requirePermission('dead-letters:replay')] as const,
  request: {
    params: z.object({ id: Id.openapi({ example: deadLetterExample.id }) }),
    body: jsonRequest(
      z
        .object({ reason: nonBlank(1000, 5) })
        .strict()
        .openapi('DeadLetterDiscard'),
      'Why',
      {
        reason: 'Posted by hand in NetSuite as TB-10231',
      },
    ),
  },
  responses: {
    200: jsonBody(z.object({ id: z.string(), state: z.literal('discarded') }), 'Discarded', {
      id: deadLetterExample.id,
      state: 'discarded',
    }),
    409: conflictResponse(
      'Only a waiting letter can be discarded',
      `Dead letter ${deadLetterExample.id} is already replayed.`,
    ),
    ...errorResponses,
  },
});

export function registerV1DeadLettersActions(app: App) {
  const ctx = (c: Parameters<Parameters<typeof app.openapi>[1]>[0]) => ({
    db: c.get('db'),
    env: c.env,
    tenantId: c.get('principal').tenantId,
    who: auditedPrincipal(c.get('principal')),
    correlationId: c.get('correlationId'),
  });
  app.openapi(replay, async (c) => c.json(await replayDeadLetters(ctx(c), c.req.valid('json')), 200));
  app.openapi(discard, async (c) => {
    const { id } = c.req.valid('param');
    await discardDeadLetter(ctx(c), id, c.req.valid('json').reason);
    return c.json({ id, state: 'discarded' as const }, 200);
  });
}
