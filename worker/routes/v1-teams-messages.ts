import { createRoute } from '@hono/zod-openapi';
import type { App } from '../app';
import { refreshSentCards } from '../domain/teams/notify';
import { receiveBotActivity } from '../domain/teams/receive-activity';
import { ApiError } from '../http/api-error';
import { log } from '../http/logger';
import { errorResponses, security } from './openapi-common';

const route = createRoute({
  method: 'post',
  path: '/v1/teams/messages',
  tags: ['Teams'],
  summary: "The bot's messaging endpoint (Bot Framework): card actions and conversation updates",
  description:
    'Authenticated by the Bot Framework channel token (issuer, audience = our app id, signing keys from the OpenID metadata, serviceUrl claim); anything else gets 403.',
  security: security.botFramework,
  responses: { 200: { description: 'Invoke response (the updated card) or empty' }, ...errorResponses },
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
    return c.body(null, 200);
  });
}
