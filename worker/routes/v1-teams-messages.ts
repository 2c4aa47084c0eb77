import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { refreshSentCards } from '../domain/teams/notify';
import { receiveBotActivity } from '../domain/teams/receive-activity';
import { ApiError } from '../http/api-error';
import { log } from '../http/logger';
import { errorResponses, jsonBody, security } from './openapi-common';

const InvokeResponseSchema = z
  .object({
    statusCode: z.number().int(),
    type: z.enum(['application/vnd.microsoft.card.adaptive', 'application/vnd.microsoft.activity.message']),
    value: z.unknown().openapi({ description: 'The refreshed Adaptive Card, or a message to show.' }),
  })
  .openapi('InvokeResponse');

const route = createRoute({
  method: 'post',
  path: '/v1/teams/messages',
  operationId: 'receiveBotActivity',
  tags: ['Teams'],
  summary: "The bot's messaging endpoint (Bot Framework): card actions and conversation updates",
  description:
    'Authenticated by the Bot Framework channel token (issuer, audience = our app id, signing keys from the OpenID metadata, serviceUrl claim); anything else gets 403.',
  security: security.botFramework,
  responses: {
    200: jsonBody(
      InvokeResponseSchema,
      'The invoke response of a card action (the updated card); other activities get an empty 200',
      {
        statusCode: 200,
        type: 'application/vnd.microsoft.card.adaptive',
        value: {
          type: 'AdaptiveCard',
          version: '1.5',
          body: [{ type: 'TextBlock', text: 'Discovery accepted by Ava Reyes', wrap: true }],
        },
      },
    ),
    ...errorResponses,
  },
});

export function registerV1TeamsMessages(app: App) {
  app.openapi(route, async (c) => {
    const body = await c.req.json().catch(() => undefined);
    const out = await receiveBotActivity(c.get('db'), c.env, {
      body,
      authorization: c.req.header('authorization'),
      correlationId: c.get('correlationId'),
    });
    if (out.outcome === 'not-configured')
      throw new ApiError('FORBIDDEN', 'The Teams bot is not configured on this deployment.');
    if (out.outcome === 'not-an-activity') throw new ApiError('FORBIDDEN', 'Not a Bot Framework activity.');
    if (out.outcome === 'unverified') {
      log('warn', 'bot request refused', { correlationId: c.get('correlationId'), error: out.error });
      throw new ApiError('FORBIDDEN', 'The request is not from the Bot Framework for this bot.');
    }
    if (out.outcome === 'answered') {
      // Every other copy of the card (the approver's 1:1, a channel post) catches up after we answer.
      if (out.refresh) {
        const { tenantId, subjectType, subjectId } = out.refresh;
        c.executionCtx.waitUntil(
          refreshSentCards(c.env, c.get('db'), tenantId, subjectType, subjectId, c.get('correlationId')),
        );
      }
      return c.json(out.body, 200);
    }
    // A message or conversation update: Bot Framework only needs the 200 (the document describes it).
    return c.body(null, 200) as never;
  });
}
