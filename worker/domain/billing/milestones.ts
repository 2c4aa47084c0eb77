import { and, eq } from 'drizzle-orm';
import type { PsaMilestoneState } from '../../../shared/model/delivery';
import type { Db } from '../../db/client';
import { approvalsTable, invoicesTable, milestoneStatusTable } from '../../db/schema';
import type { Env } from '../../env';
import { loadPolicy } from '../amendments/policy';
import { audit } from '../audit';
import { randomToken } from '../crypto';
import { notifyApproval } from '../teams/notify';
import type { Connectors } from '../tenancy/connectors';
import type { ProjectContext } from './project-context';

export interface Blocker {
  rule: string;
  reason: string;
  fix: string;
}

/** What stops a completed milestone from being billed: unfinished deliverables, earlier milestones, the contract's start. */
export function milestoneBlockers(
  project: ProjectContext,
  milestoneKey: string,
  psa: PsaMilestoneState,
  accepted: Set<string>,
  today = new Date().toISOString().slice(0, 10),
): Blocker[] {
  const bm = project.contract.billingModel;
  if (bm.type !== 'fixed_fee') return [];
  const blockers: Blocker[] = [];
  const open = psa.deliverables.filter((d) => !d.done);
  if (open.length) {
    blockers.push({
      rule: 'deliverables-open',
      reason: `${open.length} deliverable(s) not done: ${open.map((d) => d.name).join(', ')}`,
      fix: 'Complete the deliverables in the PSA (or remove them from the milestone with a change order).',
    });
  }
  const order = bm.milestones.map((m) => m.key);
  const earlier = order.slice(0, order.indexOf(milestoneKey)).filter((k) => !accepted.has(k));
  if (earlier.length) {
    const names = earlier.map((k) => bm.milestones.find((m) => m.key === k)?.name ?? k);
    blockers.push({
      rule: 'earlier-milestone-open',
      reason: `Earlier milestone(s) not accepted yet: ${names.join(', ')}`,
      fix: 'Get the earlier milestones accepted first.',
    });
  }
  if (project.contract.effectiveDate > today) {
    blockers.push({
      rule: 'contract-not-effective',
      reason: `The contract takes effect on ${project.contract.effectiveDate}`,
      fix: 'Wait for the effective date, or correct it with an amendment.',
    });
  }
  return blockers;
}

/**
 * Reads the milestones' delivery state from the PSA, records it with its blockers, and asks for
 * acceptance of every completed milestone that nothing blocks (one approval per milestone, ever).
 */
export async function checkMilestones(
  env: Env,
  db: Db,
  connectors: Connectors,
  project: ProjectContext,
  correlationId: string,
): Promise<void> {
  const bm = project.contract.billingModel;
  if (bm.type !== 'fixed_fee') return;
  const states = await connectors.psa.getMilestones(project.psaProjectId);
  const approvals = await db
    .select()
    .from(approvalsTable)
    .where(
      and(
        eq(approvalsTable.tenantId, project.tenantId),
        eq(approvalsTable.contractKey, project.contractKey),
        eq(approvalsTable.kind, 'milestone'),
      ),
    );
  const invoiced = await db
    .select({ key: invoicesTable.milestoneKey })
    .from(invoicesTable)
    .where(
      and(eq(invoicesTable.tenantId, project.tenantId), eq(invoicesTable.contractKey, project.contractKey)),
    );
  const policy = await loadPolicy(db, project.tenantId);
  const accepted = new Set([
    ...approvals.filter((a) => a.state === 'accepted').map((a) => a.subjectKey),
    ...invoiced.map((i) => i.key ?? ''),
  ]);
  const checked = bm.milestones.flatMap((m) => {
    const psa = states.find((s) => s.key === m.key) ?? states.find((s) => s.name === m.name);
    if (!psa) return [];
    const blockers = psa.state === 'completed' ? milestoneBlockers(project, m.key, psa, accepted) : [];
    return [{ m, psa, blockers }];
  });
  // Every milestone's state from this one PSA read is recorded at once, before any acceptance is asked:
  // a reader never sees Discovery awaiting acceptance beside a Go-live still as the previous read left it.
  const now = new Date().toISOString();
  const upserts = checked.map(({ m, psa, blockers }) => {
    const row = {
      tenantId: project.tenantId,
      contractKey: project.contractKey,
      milestoneKey: m.key,
      psaId: psa.psaId,
      psaState: psa.state,
      blockers,
      updatedAt: now,
    };
    return db
      .insert(milestoneStatusTable)
      .values(row)
      .onConflictDoUpdate({
        target: [
          milestoneStatusTable.tenantId,
          milestoneStatusTable.contractKey,
          milestoneStatusTable.milestoneKey,
        ],
        set: row,
      });
  });
  const [first, ...rest] = upserts;
  if (first) await db.batch([first, ...rest]);
  for (const { m, psa, blockers } of checked) {
    // Rejected, then completed again in the PSA after the rejection: ask for acceptance again.
    const rejected = approvals.find((a) => a.subjectKey === m.key && a.state === 'rejected');
    if (
      psa.state === 'completed' &&
      blockers.length === 0 &&
      rejected &&
      (psa.completedAt ?? '') > (rejected.decidedAt ?? '')
    ) {
      await db
        .update(approvalsTable)
        .set({
          state: 'requested',
          decidedBy: null,
          decidedAt: null,
          comment: `Re-requested after: ${rejected.comment ?? 'rejection'}`,
          correlationId,
        })
        .where(
          and(
            eq(approvalsTable.tenantId, project.tenantId),
            eq(approvalsTable.id, rejected.id),
            eq(approvalsTable.state, 'rejected'),
          ),
        );
      rejected.state = 'requested';
    }
    if (psa.state === 'completed' && blockers.length === 0) {
      const created = await db
        .insert(approvalsTable)
        .values({
          id: `apr_${randomToken(12)}`,
          tenantId: project.tenantId,
          kind: 'milestone',
          contractKey: project.contractKey,
          subjectKey: m.key,
          psaSubjectId: psa.psaId,
          state: 'requested',
          approver: policy.milestoneApprover?.aadObjectId ?? null,
          correlationId,
          evidence: {
            psaMilestoneId: psa.psaId,
            completedAt: psa.completedAt ?? null,
            deliverables: psa.deliverables.map((d) => d.name),
            clause: m.clause ?? null,
          },
        })
        .onConflictDoNothing()
        .returning({ id: approvalsTable.id });
      // The card goes to the assigned approver; a failed send is tried again on the next poll.
      const pending =
        approvals.find((a) => a.subjectKey === m.key && a.state === 'requested')?.id ?? created[0]?.id;
      if (pending) {
        try {
          await notifyApproval(env, db, project.tenantId, pending);
        } catch (e) {
          await audit(db, {
            tenantId: project.tenantId,
            correlationId,
            actor: 'handoff',
            action: 'teams.notify_failed',
            subjectType: 'approval',
            subjectId: pending,
            detail: { error: String(e) },
          });
        }
      }
      if (created[0]) {
        await audit(db, {
          tenantId: project.tenantId,
          correlationId,
          actor: 'handoff',
          action: 'milestone.acceptance_requested',
          subjectType: 'milestone',
          subjectId: m.key,
          detail: { approvalId: created[0].id, milestone: m.name },
        });
      }
    }
  }
}
