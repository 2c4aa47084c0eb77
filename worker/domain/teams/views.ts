import { and, eq } from 'drizzle-orm';
import type { AdaptiveCard, CardPerson } from '../../../plugins/teams/cards';
import { changeOrderCard, exceptionCard, milestoneAcceptanceCard } from '../../../plugins/teams/cards';
import type { Db } from '../../db/client';
import { amendmentsTable, approvalsTable, exceptionsTable, invoicesTable } from '../../db/schema';
import type { ContractDiff, SupersededTime } from '../amendments';
import { loadPolicy, type Person } from '../amendments/policy';
import { projectByContract } from '../billing/project-context';

const person = (p: Person | undefined, fallback = 'Unassigned'): CardPerson => ({
  name: p?.name ?? fallback,
  mri: p?.aadObjectId ?? '',
  email: p?.email,
});

/** The card for an approval as `viewerAad` should see it now: actions only for the assigned approver while open. */
export async function approvalCard(
  db: Db,
  tenantId: string,
  approvalId: string,
  viewerAad: string,
): Promise<AdaptiveCard | undefined> {
  const [a] = await db
    .select()
    .from(approvalsTable)
    .where(and(eq(approvalsTable.tenantId, tenantId), eq(approvalsTable.id, approvalId)))
    .limit(1);
  if (!a) return undefined;
  const policy = await loadPolicy(db, tenantId);
  const project = await projectByContract(db, tenantId, a.contractKey);
  if (!project) return undefined;
  const viewer = a.approver && a.approver === viewerAad && a.state === 'requested' ? 'approver' : 'viewer';
  const decided =
    a.state !== 'requested'
      ? { by: a.decidedBy ?? '', at: a.decidedAt ?? '', comment: a.comment ?? undefined }
      : undefined;
  if (a.kind === 'milestone') {
    const bm = project.contract.billingModel;
    const m = bm.type === 'fixed_fee' ? bm.milestones.find((x) => x.key === a.subjectKey) : undefined;
    if (!m) return undefined;
    const [inv] = await db
      .select()
      .from(invoicesTable)
      .where(
        and(
          eq(invoicesTable.tenantId, tenantId),
          eq(invoicesTable.contractKey, a.contractKey),
          eq(invoicesTable.milestoneKey, m.key),
        ),
      )
      .limit(1);
    const evidence = (a.evidence ?? {}) as { completedAt?: string; deliverables?: string[] };
    return milestoneAcceptanceCard({
      approvalId: a.id,
      project: { name: project.contract.name, code: project.contract.number },
      milestone: { name: m.name, amount: m.amount, dueDate: m.dueDate },
      contractClause: m.clause ?? '',
      evidence: {
        completedAt: evidence.completedAt ?? a.createdAt,
        deliverables: evidence.deliverables ?? m.deliverables,
      },
      approver: person(policy.milestoneApprover),
      viewer,
      ...(decided
        ? {
            decision: {
              outcome: a.state === 'accepted' ? 'accepted' : 'rejected',
              ...decided,
              invoiceNumber: inv?.number,
            },
          }
        : {}),
    } as Parameters<typeof milestoneAcceptanceCard>[0]);
  }
  const [amd] = await db
    .select()
    .from(amendmentsTable)
    .where(and(eq(amendmentsTable.tenantId, tenantId), eq(amendmentsTable.id, a.subjectKey)))
    .limit(1);
  if (!amd?.diff) return undefined;
  const diff = amd.diff as unknown as ContractDiff & { superseded: SupersededTime };
  const c = project.contract;
  const signer = ((amd.signedBy ?? []) as { name: string; signedAt?: string }[])[0];
  return changeOrderCard({
    changeOrderId: a.id,
    project: { name: c.name, code: c.number },
    amendmentNumber: String(amd.number),
    effectiveDate: amd.effectiveDate,
    signedBy: { name: signer?.name ?? amd.source, at: signer?.signedAt },
    scope: { before: diff.scope?.before ?? c.name, after: diff.scope?.after ?? c.name },
    rates: diff.rates.map((r) => ({
      role: r.role,
      before: r.before ?? null,
      after: r.after ?? null,
      unit: r.unit,
    })),
    // For T&M the budget that matters is the not-to-exceed cap.
    budget:
      diff.notToExceed?.before && diff.notToExceed.after
        ? { before: diff.notToExceed.before, after: diff.notToExceed.after }
        : diff.budget
          ? { before: diff.budget.before, after: diff.budget.after }
          : { before: c.totalValue, after: c.totalValue },
    milestones: [
      ...diff.milestones.added.map((m) => ({
        name: m.name,
        kind: 'added' as const,
        after: { amount: m.amount, date: m.dueDate },
      })),
      ...diff.milestones.removed.map((m) => ({
        name: m.name,
        kind: 'removed' as const,
        before: { amount: m.amount, date: m.dueDate },
      })),
      ...diff.milestones.changed.map((m) => ({
        name: m.name,
        kind: 'changed' as const,
        before: { amount: m.before.amount, date: m.before.dueDate },
        after: { amount: m.after.amount, date: m.after.dueDate },
      })),
    ],
    billingSchedule: {
      before: diff.billingSchedule
        .filter((l) => l.amount.before)
        .map((l) => ({ label: l.description, amount: l.amount.before!, date: l.date.before })),
      after: diff.billingSchedule
        .filter((l) => l.amount.after)
        .map((l) => ({ label: l.description, amount: l.amount.after!, date: l.date.after })),
    },
    supersededTime: {
      entries: diff.superseded?.count ?? 0,
      hours: (diff.superseded?.minutes ?? 0) / 60,
      amount: diff.superseded?.amount ?? { amountMinor: 0, currency: c.currency },
    },
    approver: person(policy.changeOrderApprover),
    viewer,
    ...(decided
      ? { decision: { outcome: a.state === 'accepted' ? 'approved' : 'rejected', ...decided } }
      : {}),
  } as Parameters<typeof changeOrderCard>[0]);
}

export async function exceptionCardFor(
  db: Db,
  tenantId: string,
  exceptionId: string,
  viewerAad: string,
): Promise<AdaptiveCard | undefined> {
  const [e] = await db
    .select()
    .from(exceptionsTable)
    .where(and(eq(exceptionsTable.tenantId, tenantId), eq(exceptionsTable.id, exceptionId)))
    .limit(1);
  if (!e) return undefined;
  const policy = await loadPolicy(db, tenantId);
  const owner = policy.exceptionOwners[e.owner] ?? policy.people.find((p) => p.aadObjectId === e.owner);
  const open = e.status === 'open' || e.status === 'retrying';
  return exceptionCard({
    exceptionId: e.id,
    rule: e.code,
    reason: e.reason,
    // Who holds it now: the person it is assigned to, else the owner queue's person.
    owner: e.assignee
      ? person(
          policy.people.find((p) => p.aadObjectId === e.assignee),
          e.assignee,
        )
      : person(owner, e.owner),
    suggestedFix: e.suggestedFix,
    raisedAt: e.createdAt,
    now: new Date().toISOString(),
    subject: { kind: e.subjectType, name: e.subjectId },
    assignees: policy.people.map((p) => ({ name: p.name, id: p.aadObjectId })),
    viewer: open && (owner?.aadObjectId === viewerAad || e.assignee === viewerAad) ? 'approver' : 'viewer',
    ...(open
      ? {}
      : {
          resolution: {
            outcome: e.status === 'skipped' ? 'skipped' : 'resolved',
            by: e.resolvedBy ?? '',
            at: e.updatedAt,
            note: e.resolutionNote ?? undefined,
          },
        }),
  } as Parameters<typeof exceptionCard>[0]);
}
