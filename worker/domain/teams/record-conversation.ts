import type { Activity } from '../../connectors/teams';
import type { Db } from '../../db/client';
import { teamsConversationsTable } from '../../db/schema';
import { tenantForTeams } from './card-actions';

/**
 * Remember where each person can be reached (their 1:1 with the bot), for proactive cards. Answers with
 * our tenant for the activity's Teams tenant, if it is connected.
 */
export async function recordConversation(db: Db, activity: Activity): Promise<string | undefined> {
  const tid =
    (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ??
    (activity.conversation as { tenantId?: string } | undefined)?.tenantId;
  const aad = activity.from?.aadObjectId;
  const tenantId = await tenantForTeams(db, tid);
  if (
    tenantId &&
    aad &&
    activity.serviceUrl &&
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
