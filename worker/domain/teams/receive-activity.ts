import { outboundPolicyFromEnv } from '../../connectors/outbound-guard';
import {
  ActivitySchema,
  BotAuthError,
  invokeMessageResponse,
  invokeResponse,
  parseExecuteAction,
  verifyBotRequest,
} from '../../connectors/teams';
import type { Db } from '../../db/client';
import type { Env } from '../../env';
import { spendBudget } from '../../http/rate-limit';
import { handleCardAction } from './card-actions';
import { recordConversation } from './record-conversation';

export type BotActivityOutcome =
  /** The Teams bot is not configured on this deployment. */
  | { outcome: 'not-configured' }
  | { outcome: 'not-an-activity' }
  /** Not from the Bot Framework for this bot (`error` says why, for the log). */
  | { outcome: 'unverified'; error: string }
  /** A card action, answered with the invoke response body; `refresh` names the subject whose other cards catch up. */
  | {
      outcome: 'answered';
      body: ReturnType<typeof invokeResponse | typeof invokeMessageResponse>['body'];
      refresh?: { tenantId: string; subjectType: 'exception' | 'approval'; subjectId: string };
    }
  | { outcome: 'acknowledged' };

/**
 * An activity on the bot's messaging endpoint: authenticated by the Bot Framework channel token, the
 * sender's conversation remembered, and a card action (Action.Execute) carried out.
 */
export async function receiveBotActivity(
  db: Db,
  env: Env,
  input: { body: unknown; authorization: string | undefined; correlationId: string },
): Promise<BotActivityOutcome> {
  const appId = env.TEAMS_BOT_APP_ID;
  if (!appId) return { outcome: 'not-configured' };
  const parsed = ActivitySchema.safeParse(input.body);
  if (!parsed.success) return { outcome: 'not-an-activity' };
  const activity = parsed.data;
  const outbound = outboundPolicyFromEnv(env);
  try {
    await verifyBotRequest(input.authorization, activity, {
      appId,
      outbound,
      ...(env.BOT_OPENID_METADATA_URL ? { openIdMetadataUrl: env.BOT_OPENID_METADATA_URL } : {}),
      ...(env.BOT_ISSUER ? { issuer: env.BOT_ISSUER } : {}),
    });
  } catch (e) {
    return {
      outcome: 'unverified',
      error: e instanceof BotAuthError ? `${e.code}: ${e.message}` : String(e),
    };
  }
  const tenantId = await recordConversation(db, activity, outbound, input.correlationId);
  if (tenantId) await spendBudget(env, 'API_RATE_LIMIT', `${tenantId}:teams-bot`);
  if (activity.type === 'invoke' && activity.name === 'adaptiveCard/action') {
    const action = parseExecuteAction(activity);
    const result = await handleCardAction(env, db, action, input.correlationId);
    const subject = (action.data.approvalId ?? action.data.changeOrderId ?? action.data.exceptionId) as
      | string
      | undefined;
    const response = 'card' in result ? invokeResponse(result.card) : invokeMessageResponse(result.message);
    return {
      outcome: 'answered',
      body: response.body,
      ...(tenantId && subject && action.verb !== 'refresh'
        ? {
            refresh: {
              tenantId,
              subjectType: action.data.exceptionId ? ('exception' as const) : ('approval' as const),
              subjectId: subject,
            },
          }
        : {}),
    };
  }
  return { outcome: 'acknowledged' };
}
