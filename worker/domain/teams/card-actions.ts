import { and, eq } from 'drizzle-orm';
import type { AdaptiveCard } from '../../../plugins/teams/cards';
import { VERBS } from '../../../plugins/teams/cards';
import type { ExecuteAction } from '../../connectors/teams';
import type { Db } from '../../db/client';
import { approvalsTable, exceptionsTable, tenantsTable } from '../../db/schema';
import type { Env } from '../../env';
import { ApiError } from '../../http/api-error';
import { loadPolicy } from '../amendments/policy';
import { audit } from '../audit';
import { decideApproval } from '../billing/decide-approval';
import { assignException } from '../exceptions/annotate';
import { retryException, skipException } from '../exceptions/resolve-exception';
import { decideChangeOrder } from './decide-change-order';
import { notifyException } from './notify';
import { approvalCard, exceptionCardFor } from './views';

export type CardActionResult = { card: AdaptiveCard } | { message: string };

/** The Teams tenant (tid) of the person acting, mapped to ours. Never taken from card data. */
export async function tenantForTeams(db: Db, tid: string | undefined): Promise<string | undefined> {
  if (!tid) return undefined;
  const [t] = await db
    .select({ id: tenantsTable.id })
    .from(tenantsTable)
    // Stored lower case (assignTeamsTenant): a GUID is the same whatever the case it is written in.
    .where(eq(tenantsTable.teamsTenantId, tid.toLowerCase()))
    .limit(1);
  return t?.id;
}

/**
 * An Action.Execute from a card. `data` is untrusted: it only names the subject; who may act is decided
 * here from our records (the assigned approver or the exception's owner), and every decision is audited
 * with the person. Answers with the card as the actor should now see it (Teams shows it at once).
 */
export async function handleCardAction(
  env: Env,
  db: Db,
  action: ExecuteAction,
  correlationId: string,
): Promise<CardActionResult> {
  const tenantId = await tenantForTeams(db, action.tenantId);
  if (!tenantId) return { message: 'This Teams organisation is not connected to Handoff.' };
  const data = action.data as Record<string, unknown>;
  const approvalId =
    typeof data.approvalId === 'string'
      ? data.approvalId
      : typeof data.changeOrderId === 'string'
        ? data.changeOrderId
        : undefined;
  const exceptionId = typeof data.exceptionId === 'string' ? data.exceptionId : undefined;

  if (approvalId) {
    const [a] = await db
      .select()
      .from(approvalsTable)
      .where(and(eq(approvalsTable.tenantId, tenantId), eq(approvalsTable.id, approvalId)))
      .limit(1);
    if (!a) return { message: 'This approval no longer exists.' };
    const deciding = action.verb !== VERBS.refresh;
    if (deciding && a.approver !== action.actor) {
      await audit(db, {
        tenantId,
        correlationId,
        actor: action.actor,
        action: 'approval.denied',
        subjectType: a.kind,
        subjectId: a.subjectKey,
        detail: { approvalId, verb: action.verb, reason: 'not the assigned approver' },
      });
      const card = await approvalCard(db, tenantId, approvalId, action.actor);
      return card ? { card } : { message: 'Only the assigned approver can decide.' };
    }
    if (deciding && a.state === 'requested') {
      const comment = typeof data.comment === 'string' ? data.comment : undefined;
      if (action.verb === VERBS.milestoneAccept || action.verb === VERBS.milestoneReject) {
        await decideApproval(db, env, {
          tenantId,
          approvalId,
          decision: action.verb === VERBS.milestoneAccept ? 'accept' : 'reject',
          actor: action.actorName ? `${action.actorName} (${action.actor})` : action.actor,
          comment,
          correlationId,
        });
      } else if (action.verb === VERBS.changeOrderApprove || action.verb === VERBS.changeOrderReject) {
        await decideChangeOrder(db, env, {
          tenantId,
          approvalId,
          decision: action.verb === VERBS.changeOrderApprove ? 'approve' : 'reject',
          actor: action.actorName ? `${action.actorName} (${action.actor})` : action.actor,
          comment,
          correlationId,
        });
      }
    }
    const card = await approvalCard(db, tenantId, approvalId, action.actor);
    return card ? { card } : { message: 'Done.' };
  }

  if (exceptionId) {
    const [e] = await db
      .select()
      .from(exceptionsTable)
      .where(and(eq(exceptionsTable.tenantId, tenantId), eq(exceptionsTable.id, exceptionId)))
      .limit(1);
    if (!e) return { message: 'This exception no longer exists.' };
    const policy = await loadPolicy(db, tenantId);
    const ownerAad = policy.exceptionOwners[e.owner]?.aadObjectId ?? e.owner;
    if (action.verb !== VERBS.refresh) {
      if (ownerAad !== action.actor && e.assignee !== action.actor) {
        await audit(db, {
          tenantId,
          correlationId,
          actor: action.actor,
          action: 'exception.denied',
          subjectType: 'exception',
          subjectId: exceptionId,
          detail: { verb: action.verb },
        });
      } else {
        const ctx = { db, env, tenantId, actor: action.actorName ?? action.actor, correlationId };
        try {
          if (action.verb === VERBS.exceptionRetry) await retryException(ctx, exceptionId);
          else if (action.verb === VERBS.exceptionSkip)
            await skipException(ctx, exceptionId, String(data.reason ?? '').trim() || 'Skipped from Teams');
          else if (action.verb === VERBS.exceptionReassign && typeof data.assignee === 'string') {
            const to = policy.people.find((p) => p.aadObjectId === data.assignee);
            if (!to) return { message: 'Choose someone from the list.' };
            await assignException(
              {
                db,
                tenantId,
                actor: action.actor,
                correlationId,
                principal: { type: 'teams-user', aadObjectId: action.actor, name: action.actorName ?? '' },
              },
              exceptionId,
              to.aadObjectId,
            );
            await notifyException(env, db, tenantId, exceptionId, to.aadObjectId);
          }
        } catch (err) {
          if (err instanceof ApiError) return { message: err.message };
          throw err;
        }
      }
    }
    const card = await exceptionCardFor(db, tenantId, exceptionId, action.actor);
    return card ? { card } : { message: 'Done.' };
  }
  return { message: 'Nothing to do for this card.' };
}
