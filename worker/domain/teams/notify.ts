import { and, eq } from 'drizzle-orm';
import { outboundPolicyFromEnv, outboundUrlProblems } from '../../connectors/outbound-guard';
import type { Db } from '../../db/client';
import { approvalsTable, teamsCardsTable, teamsConversationsTable, tenantsTable } from '../../db/schema';
import type { Env } from '../../env';
import { log } from '../../http/logger';
import { loadPolicy } from '../amendments/policy';
import { botConnector, teamsConfigured } from './config';
import { approvalCard, exceptionCardFor } from './views';

/** The URL if the bot token may go there (a documented Bot Connector host), else undefined (logged). */
function allowedServiceUrl(env: Env, tenantId: string, url: string | undefined): string | undefined {
  if (!url) return undefined;
  const [problem] = outboundUrlProblems(url, 'bot-connector', outboundPolicyFromEnv(env), 'serviceUrl');
  if (!problem) return url;
  log('warn', 'refused a Teams service URL', {
    correlationId: 'teams-notify',
    tenantId,
    error: `${problem.field} ${problem.message}`,
  });
  return undefined;
}

/**
 * Where to reach a person: the conversation and serviceUrl recorded from their last activity (Teams' own
 * word, verified by the channel token), as Microsoft advises; only for someone who never wrote to the bot,
 * the tenant's configured service URL, and only if it is a Bot Connector host.
 */
async function conversationFor(
  env: Env,
  db: Db,
  tenantId: string,
  aadObjectId: string,
  fallbackServiceUrl: string | undefined,
  teamsTenantId: string,
) {
  const [known] = await db
    .select()
    .from(teamsConversationsTable)
    .where(
      and(
        eq(teamsConversationsTable.tenantId, tenantId),
        eq(teamsConversationsTable.aadObjectId, aadObjectId),
      ),
    )
    .limit(1);
  if (known && allowedServiceUrl(env, tenantId, known.serviceUrl)) return known;
  const serviceUrl = allowedServiceUrl(env, tenantId, fallbackServiceUrl);
  if (!serviceUrl) return undefined;
  const created = await botConnector(env, tenantId).createConversation(serviceUrl, {
    tenantId: teamsTenantId,
    memberAadObjectId: aadObjectId,
  });
  const row = { tenantId, aadObjectId, serviceUrl, conversationId: created.conversationId };
  await db
    .insert(teamsConversationsTable)
    .values(row)
    .onConflictDoUpdate({
      target: [teamsConversationsTable.tenantId, teamsConversationsTable.aadObjectId],
      set: { serviceUrl, conversationId: row.conversationId, updatedAt: new Date().toISOString() },
    });
  return row;
}

async function send(
  env: Env,
  db: Db,
  tenantId: string,
  subjectType: 'approval' | 'exception',
  subjectId: string,
  to: string,
) {
  if (!teamsConfigured(env)) return false;
  const policy = await loadPolicy(db, tenantId);
  const [tenant] = await db.select().from(tenantsTable).where(eq(tenantsTable.id, tenantId)).limit(1);
  if (!tenant?.teamsTenantId) return false;
  const conv = await conversationFor(env, db, tenantId, to, policy.teamsServiceUrl, tenant.teamsTenantId);
  if (!conv) return false;
  const [sent] = await db
    .select()
    .from(teamsCardsTable)
    .where(
      and(
        eq(teamsCardsTable.tenantId, tenantId),
        eq(teamsCardsTable.subjectType, subjectType),
        eq(teamsCardsTable.subjectId, subjectId),
        eq(teamsCardsTable.conversationId, conv.conversationId),
      ),
    )
    .limit(1);
  if (sent) return true;
  const card =
    subjectType === 'approval'
      ? await approvalCard(db, tenantId, subjectId, to)
      : await exceptionCardFor(db, tenantId, subjectId, to);
  if (!card) return false;
  const { activityId } = await botConnector(env, tenantId).sendCard(
    conv.serviceUrl,
    conv.conversationId,
    card,
  );
  await db
    .insert(teamsCardsTable)
    .values({
      tenantId,
      subjectType,
      subjectId,
      conversationId: conv.conversationId,
      activityId,
      serviceUrl: conv.serviceUrl,
    })
    .onConflictDoNothing();
  return true;
}

/** Send the approval's card to its assigned approver, once (a retry finds the card already sent). */
export async function notifyApproval(
  env: Env,
  db: Db,
  tenantId: string,
  approvalId: string,
): Promise<boolean> {
  const [a] = await db
    .select()
    .from(approvalsTable)
    .where(and(eq(approvalsTable.tenantId, tenantId), eq(approvalsTable.id, approvalId)))
    .limit(1);
  if (!a?.approver || a.state !== 'requested') return false;
  return send(env, db, tenantId, 'approval', approvalId, a.approver);
}

export async function notifyException(
  env: Env,
  db: Db,
  tenantId: string,
  exceptionId: string,
  ownerAad: string,
): Promise<boolean> {
  return send(env, db, tenantId, 'exception', exceptionId, ownerAad);
}

/** After a decision, every copy of the card (other viewers, a channel) shows the new state. */
export async function refreshSentCards(
  env: Env,
  db: Db,
  tenantId: string,
  subjectType: 'approval' | 'exception',
  subjectId: string,
  correlationId: string,
) {
  if (!teamsConfigured(env)) return;
  const copies = await db
    .select()
    .from(teamsCardsTable)
    .where(
      and(
        eq(teamsCardsTable.tenantId, tenantId),
        eq(teamsCardsTable.subjectType, subjectType),
        eq(teamsCardsTable.subjectId, subjectId),
      ),
    );
  for (const copy of copies) {
    try {
      const card =
        subjectType === 'approval'
          ? await approvalCard(db, tenantId, subjectId, '')
          : await exceptionCardFor(db, tenantId, subjectId, '');
      if (card)
        await botConnector(env, tenantId).updateCard(
          copy.serviceUrl,
          copy.conversationId,
          copy.activityId,
          card,
        );
    } catch (e) {
      log('warn', 'could not update a sent card', { correlationId, tenantId, subjectId, error: String(e) });
    }
  }
}
