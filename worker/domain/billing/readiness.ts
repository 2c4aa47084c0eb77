import { and, desc, eq, sql } from 'drizzle-orm';
import type { Readiness } from '../../../shared/api/readiness';
import { money } from '../../../shared/model/money';
import type { Db } from '../../db/client';
import {
  approvalsTable,
  deliveryItemsTable,
  exceptionsTable,
  invoicesTable,
  milestoneStatusTable,
} from '../../db/schema';
import { sha256Hex } from '../crypto';
import type { ProjectContext } from './project-context';

/** Billing readiness of one project, from Handoff's own records (no vendor call on the read path). */
export async function readiness(db: Db, p: ProjectContext): Promise<Readiness> {
  const c = p.contract;
  const cur = c.currency;
  // One round trip to the database for the five reads (D1 and libsql both run a batch in one request).
  const [items, invoices, approvals, statuses, exceptions] = await db.batch([
    db
      .select({
        kind: deliveryItemsTable.kind,
        state: deliveryItemsTable.state,
        billable: deliveryItemsTable.billable,
        isTravel: deliveryItemsTable.isTravel,
        n: sql<number>`count(*)`,
        total: sql<number>`coalesce(sum(${deliveryItemsTable.amountMinor}), 0)`,
      })
      .from(deliveryItemsTable)
      .where(
        and(eq(deliveryItemsTable.tenantId, p.tenantId), eq(deliveryItemsTable.contractKey, p.contractKey)),
      )
      .groupBy(
        deliveryItemsTable.kind,
        deliveryItemsTable.state,
        deliveryItemsTable.billable,
        deliveryItemsTable.isTravel,
      ),
    db
      .select()
      .from(invoicesTable)
      .where(and(eq(invoicesTable.tenantId, p.tenantId), eq(invoicesTable.contractKey, p.contractKey)))
      .orderBy(desc(invoicesTable.date)),
    db
      .select()
      .from(approvalsTable)
      .where(and(eq(approvalsTable.tenantId, p.tenantId), eq(approvalsTable.contractKey, p.contractKey))),
    db
      .select()
      .from(milestoneStatusTable)
      .where(
        and(
          eq(milestoneStatusTable.tenantId, p.tenantId),
          eq(milestoneStatusTable.contractKey, p.contractKey),
        ),
      ),
    db
      .select()
      .from(exceptionsTable)
      .where(and(eq(exceptionsTable.tenantId, p.tenantId), eq(exceptionsTable.projectKey, p.contractKey)))
      .orderBy(desc(exceptionsTable.createdAt))
      .limit(50),
  ]);
  const sum = (f: (r: (typeof items)[number]) => boolean) =>
    items.filter(f).reduce((a, r) => a + Number(r.total), 0);
  const count = (f: (r: (typeof items)[number]) => boolean) =>
    items.filter(f).reduce((a, r) => a + Number(r.n), 0);
  const live = invoices.filter((i) => i.status !== 'voided');
  const billed = live.reduce((a, i) => a + i.totalMinor, 0);
  const billedByTime = live.filter((i) => !i.milestoneKey).reduce((a, i) => a + i.totalMinor, 0);
  const billableTime = sum(
    (r) => r.kind === 'time' && r.billable && r.state !== 'held' && r.state !== 'skipped',
  );
  const billableExpenses = sum(
    (r) => r.kind === 'expense' && r.billable && r.state !== 'held' && r.state !== 'skipped',
  );
  const unbilledTime = Math.max(0, billableTime - billedByTime);
  const unbilledExpenses = Math.max(0, billableExpenses - Math.max(0, billedByTime - billableTime));
  const heldItems = items.filter((r) => r.state === 'held');
  const bm = c.billingModel;
  const contractValue = bm.type === 'time_and_materials' && bm.notToExceed ? bm.notToExceed : c.totalValue;

  const milestones =
    bm.type === 'fixed_fee'
      ? bm.milestones.map((m) => {
          const inv = live.find((i) => i.milestoneKey === m.key);
          const approval = approvals.find((a) => a.subjectKey === m.key);
          const status = statuses.find((s) => s.milestoneKey === m.key);
          const blockers = [...(status?.blockers ?? [])];
          if (approval?.state === 'rejected') {
            blockers.push({
              rule: 'acceptance-rejected',
              reason: `Rejected by ${approval.decidedBy ?? 'the approver'}${approval.comment ? `: ${approval.comment}` : ''}`,
              fix: 'Address the comment, then mark the milestone complete again.',
            });
          }
          const state: Readiness['milestones'][number]['state'] = inv
            ? 'invoiced'
            : approval?.state === 'accepted'
              ? 'ready'
              : approval?.state === 'requested'
                ? 'awaiting_acceptance'
                : status?.psaState === 'completed'
                  ? blockers.length
                    ? 'blocked'
                    : 'ready'
                  : 'not_ready';
          return {
            key: m.key,
            name: m.name,
            amount: m.amount,
            dueDate: m.dueDate,
            clause: m.clause ?? null,
            state,
            blockers: state === 'blocked' ? blockers : [],
            approvalId: approval?.id ?? null,
            invoiceNumber: inv?.number ?? null,
          };
        })
      : [];

  const now = Date.now();
  const body: Omit<Readiness, 'version' | 'generatedAt'> = {
    project: {
      psaProjectId: p.psaProjectId,
      name: c.name,
      contractNumber: c.number,
      billingModel: bm.type,
      currency: cur,
    },
    totals: {
      contractValue,
      billed: money(billed, cur),
      unbilledTime: money(unbilledTime, cur),
      unbilledExpenses: money(unbilledExpenses, cur),
      held: money(heldItems.length ? await heldAmount(db, p) : 0, cur),
      remaining: money(Math.max(0, contractValue.amountMinor - billed), cur),
      notToExceed: bm.type === 'time_and_materials' ? (bm.notToExceed ?? null) : null,
      travelAllowance: c.expensePolicy.travelNotToExceed ?? null,
      travelUsed: money(
        sum(
          (r) =>
            r.kind === 'expense' &&
            r.isTravel &&
            r.billable &&
            (r.state === 'queued' || r.state === 'posted'),
        ),
        cur,
      ),
    },
    counts: {
      timeEntries: count((r) => r.kind === 'time'),
      expenses: count((r) => r.kind === 'expense'),
      posted: count((r) => r.state === 'posted'),
      pending: count((r) => r.state === 'queued'),
      held: count((r) => r.state === 'held'),
    },
    milestones,
    invoices: invoices.slice(0, 20).map((i) => ({
      id: i.erpId,
      number: i.number,
      status: i.status,
      total: money(i.totalMinor, cur),
      amountPaid: money(i.paidMinor, cur),
      date: i.date,
      url: i.url,
      description: i.description,
    })),
    exceptions: exceptions
      .filter((e) => e.status === 'open' || e.status === 'retrying')
      .map((e) => ({
        id: e.id,
        rule: e.code,
        reason: e.reason,
        suggestedFix: e.suggestedFix,
        owner: e.owner,
        status: e.status,
        ageSeconds: Math.max(0, Math.round((now - Date.parse(e.createdAt)) / 1000)),
        subject: `${e.subjectType} ${e.subjectId}`,
      })),
  };
  const version = (
    await sha256Hex(JSON.stringify({ ...body, exceptions: body.exceptions.map((e) => [e.id, e.status]) }))
  ).slice(0, 16);
  return { ...body, version, generatedAt: new Date().toISOString() };
}

/** What the held entries would bill at the contract's rates (their amount as the PSA priced them). */
async function heldAmount(db: Db, p: ProjectContext): Promise<number> {
  const rows = await db
    .select({ entry: deliveryItemsTable.entry, kind: deliveryItemsTable.kind })
    .from(deliveryItemsTable)
    .where(
      and(
        eq(deliveryItemsTable.tenantId, p.tenantId),
        eq(deliveryItemsTable.contractKey, p.contractKey),
        eq(deliveryItemsTable.state, 'held'),
      ),
    )
    .limit(1000);
  let total = 0;
  for (const r of rows) {
    const e = r.entry as {
      minutes?: number;
      psaRate?: { amountMinor: number };
      amount?: { amountMinor: number };
    };
    if (r.kind === 'expense') total += e.amount?.amountMinor ?? 0;
    else if (e.psaRate && e.minutes) total += Math.round((e.psaRate.amountMinor * e.minutes) / 60);
  }
  return total;
}
