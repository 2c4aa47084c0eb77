import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { approvalsTable } from '../../db/schema';
import type { Env } from '../../env';
import { ApiError } from '../../http/api-error';
import { audit } from '../audit';

export interface DecisionInput {
  tenantId: string;
  approvalId: string;
  decision: 'accept' | 'reject';
  /** The authenticated actor (`key:{id}`, a Teams user), never a name typed in a request body. */
  actor: string;
  comment?: string;
  correlationId: string;
  /** The authenticated principal's details, for the audit row. */
  principal?: Record<string, string>;
  /** A name the caller typed ("decided by"), unverified: kept as a labelled note only. */
  note?: string;
}

/**
 * Accept or reject a milestone. Only a requested approval can be decided, exactly once (conditional
 * update); acceptance starts the invoice workflow, whose id is derived from the approval so it runs once.
 */
export async function decideApproval(
  db: Db,
  env: Pick<Env, 'MILESTONE_INVOICE_WORKFLOW'>,
  input: DecisionInput,
) {
  const now = new Date().toISOString();
  const [decided] = await db
    .update(approvalsTable)
    .set({
      state: input.decision === 'accept' ? 'accepted' : 'rejected',
      decidedBy: input.actor,
      decidedAt: now,
      comment: input.comment ?? null,
    })
    .where(
      and(
        eq(approvalsTable.tenantId, input.tenantId),
        eq(approvalsTable.id, input.approvalId),
        eq(approvalsTable.state, 'requested'),
      ),
    )
    .returning();
  if (!decided) {
    const [existing] = await db
      .select()
      .from(approvalsTable)
      .where(and(eq(approvalsTable.tenantId, input.tenantId), eq(approvalsTable.id, input.approvalId)))
      .limit(1);
    if (!existing) throw new ApiError('NOT_FOUND', `No approval ${input.approvalId}.`);
    throw new ApiError(
      'CONFLICT',
      `This approval was already ${existing.state} by ${existing.decidedBy ?? 'someone'} at ${existing.decidedAt ?? '?'}.`,
    );
  }
  await audit(db, {
    tenantId: input.tenantId,
    correlationId: input.correlationId,
    actor: input.actor,
    action: input.decision === 'accept' ? 'milestone.accepted' : 'milestone.rejected',
    subjectType: 'milestone',
    subjectId: decided.subjectKey,
    detail: {
      approvalId: decided.id,
      comment: input.comment ?? null,
      before: { state: 'requested' },
      after: { state: decided.state, decidedBy: decided.decidedBy, decidedAt: decided.decidedAt },
      ...(input.principal ? { principal: input.principal } : {}),
      ...(input.note ? { note: { statedBy: input.note, verified: false } } : {}),
    },
  });
  if (input.decision === 'accept') {
    try {
      await env.MILESTONE_INVOICE_WORKFLOW.create({
        id: `inv-${decided.id}`,
        params: {
          tenantId: input.tenantId,
          approvalId: decided.id,
          contractKey: decided.contractKey,
          milestoneKey: decided.subjectKey,
          correlationId: input.correlationId,
          actor: input.actor,
        },
      });
    } catch (e) {
      if (!/already exists|duplicate/i.test(String(e))) throw e;
    }
  }
  return decided;
}
