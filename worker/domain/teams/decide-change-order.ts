import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { approvalsTable } from '../../db/schema';
import type { Env } from '../../env';
import { ApiError } from '../../http/api-error';
import { audit } from '../audit';

/** Approve or reject a change order once; the amendment workflow waiting on it carries on. */
export async function decideChangeOrder(
  db: Db,
  env: Pick<Env, 'AMENDMENT_WORKFLOW'>,
  input: {
    tenantId: string;
    approvalId: string;
    decision: 'approve' | 'reject';
    actor: string;
    comment?: string;
    correlationId: string;
  },
) {
  const now = new Date().toISOString();
  const [decided] = await db
    .update(approvalsTable)
    .set({
      state: input.decision === 'approve' ? 'accepted' : 'rejected',
      decidedBy: input.actor,
      decidedAt: now,
      comment: input.comment ?? null,
    })
    .where(
      and(
        eq(approvalsTable.tenantId, input.tenantId),
        eq(approvalsTable.id, input.approvalId),
        eq(approvalsTable.kind, 'change_order'),
        eq(approvalsTable.state, 'requested'),
      ),
    )
    .returning();
  if (!decided) throw new ApiError('CONFLICT', 'This change order was already decided.');
  await audit(db, {
    tenantId: input.tenantId,
    correlationId: input.correlationId,
    actor: input.actor,
    action: `change_order.${input.decision === 'approve' ? 'approved' : 'rejected'}`,
    subjectType: 'amendment',
    subjectId: decided.subjectKey,
    detail: { approvalId: decided.id, comment: input.comment ?? null },
  });
  const instance = await env.AMENDMENT_WORKFLOW.get(`amend-${decided.subjectKey}`);
  await instance.sendEvent({
    type: 'change-order-decision',
    payload: { decision: input.decision, actor: input.actor, comment: input.comment },
  });
  return decided;
}
