import { createRoute } from '@hono/zod-openapi';
import type { App } from '../app';
import { outboundPolicyFromEnv, outboundUrlProblems } from '../connectors/outbound-guard';
import {
  ActivitySchema,
  BotAuthError,
  invokeMessageResponse,
  invokeResponse,
  parseExecuteAction,
  verifyBotRequest,
} from '../connectors/teams';
import { teamsConversationsTable } from '../db/schema';
import { handleCardAction, tenantForTeams } from '../domain/teams/card-actions';
import { refreshSentCards } from '../domain/teams/notify';
import { ApiError } from '../http/api-error';
import { log } from '../http/logger';
import { errorResponses } from './openapi-common';

const route = createRoute({
  method: 'post',
  path: '/v1/teams/messages',
  tags: ['Teams'],
  summary: "The bot's messaging endpoint (Bot Framework): card actions and conversation updates",
  description:
    'Authenticated by the Bot Framework channel token (issuer, audience = our app id, signing keys from the OpenID metadata, serviceUrl claim); anything else gets 403.',
  responses: { 200: { description: 'Invoke response (the updated card) or empty' }, ...errorResponses },
});

export function registerV1TeamsMessages(app: App) {
  app.openapi(route, async (c) => {
    const appId = c.env.TEAMS_BOT_APP_ID;
    if (!appId) throw new ApiError('FORBIDDEN', 'The Teams bot is not configured on this deployment.');
    const raw = await c.req.json().catch(() => undefined);
    const parsed = ActivitySchema.safeParse(raw);
    if (!parsed.success) throw new ApiError('FORBIDDEN', 'Not a Bot Framework activity.');
    const activity = parsed.data;
    const outbound = outboundPolicyFromEnv(c.env);
    try {
      await verifyBotRequest(c.req.header('authorization'), activity, {
        appId,
        outbound,
        ...(c.env.BOT_OPENID_METADATA_URL ? { openIdMetadataUrl: c.env.BOT_OPENID_METADATA_URL } : {}),
        ...(c.env.BOT_ISSUER ? { issuer: c.env.BOT_ISSUER } : {}),
      });
    } catch (e) {
      log('warn', 'bot request refused', {
        correlationId: c.get('correlationId'),
        error: e instanceof BotAuthError ? `${e.code}: ${e.message}` : String(e),
      });
      throw new ApiError('FORBIDDEN', 'The request is not from the Bot Framework for this bot.');
    }
    const db = c.get('db');
    // Remember where each person can be reached, for proactive cards.
    const tid =
      (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ??
      (activity.conversation as { tenantId?: string } | undefined)?.tenantId;
    const aad = activity.from?.aadObjectId;
    const tenantId = await tenantForTeams(db, tid);
    // The channel token vouches for the serviceUrl; it is still kept only if it is a Bot Connector host, as the
    // bot's token will be sent there.
    const serviceUrlProblem = activity.serviceUrl
      ? outboundUrlProblems(activity.serviceUrl, 'bot-connector', outbound, 'serviceUrl')[0]
      : undefined;
    if (serviceUrlProblem)
      log('warn', 'activity serviceUrl is not a Bot Connector host; not recorded', {
        correlationId: c.get('correlationId'),
        error: serviceUrlProblem.message,
      });
    if (
      tenantId &&
      aad &&
      activity.serviceUrl &&
      !serviceUrlProblem &&
      activity.conversation?.id &&
      (activity.conversation as { conversationType?: string }).conversationType !== 'channel'
    ) {
      await db
        .insert(teamsConversationsTable)
        .values({
          tenantId,
          aadObjectId: aad,
          serviceUrl: activity.serviceUrl,
          conversationId: activity.conversation.id,
        })
        .onConflictDoUpdate({
          target: [teamsConversationsTable.tenantId, teamsConversationsTable.aadObjectId],
          set: {
            serviceUrl: activity.serviceUrl,
            conversationId: activity.conversation.id,
            updatedAt: new Date().toISOString(),
          },
        });
    }
    if (activity.type === 'invoke' && activity.name === 'adaptiveCard/action') {
      const action = parseExecuteAction(activity);
      const result = await handleCardAction(c.env, db, action, c.get('correlationId'));
      // Every other copy of the card (the approver's 1:1, a channel post) catches up after we answer.
      const subject = (action.data.approvalId ?? action.data.changeOrderId ?? action.data.exceptionId) as
        | string
        | undefined;
      if (tenantId && subject && action.verb !== 'refresh') {
        c.executionCtx.waitUntil(
          refreshSentCards(
            c.env,
            db,
            tenantId,
            action.data.exceptionId ? 'exception' : 'approval',
            subject,
            c.get('correlationId'),
          ),
        );
      }
      const response = 'card' in result ? invokeResponse(result.card) : invokeMessageResponse(result.message);
      return c.json(response.body, 200);
    }
    return c.body(null, 200);
  });
}
