import { type OutboundPolicy, outboundUrlProblems } from '../../connectors/outbound-guard';
import type { Activity } from '../../connectors/teams';
import type { Db } from '../../db/client';
import { teamsConversationsTable } from '../../db/schema';
import { log } from '../../http/logger';
import { tenantForTeams } from './card-actions';

/**
 * Remember where each person can be reached (their 1:1 with the bot), for proactive cards. Answers with
 * our tenant for the activity's Teams tenant, if it is connected.
 */
export async function recordConversation(
  db: Db,
  activity: Activity,
  outbound: OutboundPolicy,
  correlationId: string,
): Promise<string | undefined> {
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
      correlationId,
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
  return tenantId;
}
