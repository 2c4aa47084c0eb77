import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { approvalsTable } from '../../db/schema';
import { projectByContract } from '../billing/project-context';

/** The approvals waiting for one person (their Entra object id), newest first, as the Teams tab lists them. */
export async function myApprovals(db: Db, tenantId: string, oid: string) {
  const rows = await db
    .select()
    .from(approvalsTable)
    .where(
      and(
        eq(approvalsTable.tenantId, tenantId),
        eq(approvalsTable.approver, oid),
        eq(approvalsTable.state, 'requested'),
      ),
    )
    .orderBy(desc(approvalsTable.createdAt));
  const items = [];
  for (const a of rows) {
    const project = await projectByContract(db, tenantId, a.contractKey);
    const bm = project?.contract.billingModel;
    const milestone =
      bm?.type === 'fixed_fee' ? bm.milestones.find((m) => m.key === a.subjectKey) : undefined;
    items.push({
      id: a.id,
      kind: a.kind === 'milestone' ? ('milestone' as const) : ('changeOrder' as const),
      title:
        a.kind === 'milestone'
          ? `Accept milestone “${milestone?.name ?? a.subjectKey}”`
          : `Approve amendment ${String((a.evidence as { amendmentNumber?: number } | null)?.amendmentNumber ?? '')}`.trim(),
      project: project ? `${project.contract.number} ${project.contract.name}` : a.contractKey,
      ...(milestone ? { amount: milestone.amount } : {}),
      requestedAt: a.createdAt,
    });
  }
  return items;
}
