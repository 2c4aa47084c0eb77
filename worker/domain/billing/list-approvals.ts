import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { approvalsTable } from '../../db/schema';

type ApprovalRow = typeof approvalsTable.$inferSelect;
type ApprovalState = ApprovalRow['state'];

/** An approval as the API shows it. */
export const approvalView = (a: ApprovalRow) => ({
  id: a.id,
  kind: a.kind,
  contractKey: a.contractKey,
  subjectKey: a.subjectKey,
  state: a.state,
  decidedBy: a.decidedBy,
  decidedAt: a.decidedAt,
  comment: a.comment,
  evidence: a.evidence ?? null,
  createdAt: a.createdAt,
});

/** The tenant's approvals (optionally in one state), newest first, at most 200. */
export async function listApprovals(db: Db, tenantId: string, state?: ApprovalState) {
  const conds = [eq(approvalsTable.tenantId, tenantId)];
  if (state) conds.push(eq(approvalsTable.state, state));
  return db
    .select()
    .from(approvalsTable)
    .where(and(...conds))
    .orderBy(desc(approvalsTable.createdAt))
    .limit(200);
}

/** One approval of the tenant, if it exists. */
export async function findApproval(db: Db, tenantId: string, id: string): Promise<ApprovalRow | undefined> {
  const [row] = await db
    .select()
    .from(approvalsTable)
    .where(and(eq(approvalsTable.tenantId, tenantId), eq(approvalsTable.id, id)))
    .limit(1);
  return row;
}
