import { and, eq } from 'drizzle-orm';
import type { ErpInvoice } from '../../../shared/model/delivery';
import { formatMoney, money, sumMoney } from '../../../shared/model/money';
import type { Db } from '../../db/client';
import { activationsTable, invoicesTable, syncCursorsTable } from '../../db/schema';
import type { Env } from '../../env';
import { audit } from '../audit';
import type { Connectors } from '../tenancy/connectors';
import type { ProjectContext } from './project-context';

/** Store an invoice as the ERP reports it; returns true when something changed. */
export async function recordInvoice(
  db: Db,
  project: ProjectContext,
  inv: ErpInvoice,
  description: string,
  milestoneKey: string | null,
): Promise<boolean> {
  const [prev] = await db
    .select()
    .from(invoicesTable)
    .where(and(eq(invoicesTable.tenantId, project.tenantId), eq(invoicesTable.erpId, inv.id)))
    .limit(1);
  const row = {
    tenantId: project.tenantId,
    erpId: inv.id,
    contractKey: project.contractKey,
    number: inv.number,
    status: inv.status,
    totalMinor: inv.total.amountMinor,
    paidMinor: inv.amountPaid.amountMinor,
    currency: inv.total.currency,
    date: inv.date,
    url: inv.url ?? null,
    description: prev?.description ?? description,
    milestoneKey: prev?.milestoneKey ?? milestoneKey,
    updatedAt: new Date().toISOString(),
  };
  if (
    prev &&
    prev.status === row.status &&
    prev.paidMinor === row.paidMinor &&
    prev.totalMinor === row.totalMinor
  )
    return false;
  await db
    .insert(invoicesTable)
    .values(row)
    .onConflictDoUpdate({ target: [invoicesTable.tenantId, invoicesTable.erpId], set: row });
  return true;
}

/** Billed, paid and unbilled of a project, and its invoices, for the PSA and the CRM. */
export async function billingSummary(db: Db, project: ProjectContext) {
  const rows = await db
    .select()
    .from(invoicesTable)
    .where(
      and(eq(invoicesTable.tenantId, project.tenantId), eq(invoicesTable.contractKey, project.contractKey)),
    );
  const live = rows.filter((r) => r.status !== 'voided');
  const c = project.contract.currency;
  const billed = sumMoney(
    live.map((r) => money(r.totalMinor, c)),
    c,
  );
  const paid = sumMoney(
    live.map((r) => money(r.paidMinor, c)),
    c,
  );
  const value =
    project.contract.billingModel.type === 'time_and_materials' && project.contract.billingModel.notToExceed
      ? project.contract.billingModel.notToExceed
      : project.contract.totalValue;
  return { rows, billed, paid, unbilled: money(Math.max(0, value.amountMinor - billed.amountMinor), c) };
}

/**
 * Invoice status back: read the project's invoices from the ERP; when any changed (created, posted, sent,
 * paid), show billed and paid on the PSA project and the CRM record.
 */
export async function syncInvoices(
  _env: Env,
  db: Db,
  connectors: Connectors,
  project: ProjectContext,
  correlationId: string,
): Promise<boolean> {
  if (!project.erpProjectId) return false;
  const invoices = await connectors.erp.listInvoices(project.erpProjectId);
  let changed = false;
  for (const inv of invoices)
    changed = (await recordInvoice(db, project, inv, `Invoice ${inv.number}`, null)) || changed;
  // Also when nothing changed now: a change recorded by an earlier attempt whose write-back failed
  // (this message's retry, or the invoice workflow's) is published here, not lost.
  await publishBilling(db, connectors, project, correlationId, { unlessPublished: true });
  return changed;
}

/** The sync cursor holding the billing version last shown on the project's PSA project and CRM record. */
const publishedCursor = (contractKey: string) => `billing-published:${contractKey}`;

/**
 * Show billed, paid and unbilled on the PSA project and the CRM record, then remember that version.
 * `unlessPublished`: skip when that version is already shown (or there is nothing to show yet).
 * Returns whether anything was written.
 */
export async function publishBilling(
  db: Db,
  connectors: Connectors,
  project: ProjectContext,
  correlationId: string,
  opts: { unlessPublished?: boolean } = {},
): Promise<boolean> {
  const summary = await billingSummary(db, project);
  const last = [...summary.rows]
    .sort((a, b) => (a.date === b.date ? a.number.localeCompare(b.number) : a.date.localeCompare(b.date)))
    .at(-1);
  const version = `${summary.billed.amountMinor}-${summary.paid.amountMinor}-${summary.rows.length}-${last?.status ?? ''}`;
  const cursorName = publishedCursor(project.contractKey);
  if (opts.unlessPublished) {
    const [published] = await db
      .select({ value: syncCursorsTable.value })
      .from(syncCursorsTable)
      .where(and(eq(syncCursorsTable.tenantId, project.tenantId), eq(syncCursorsTable.name, cursorName)))
      .limit(1);
    if (published ? published.value === version : summary.rows.length === 0) return false;
  }
  await connectors.psa.publishBillingStatus(
    project.psaProjectId,
    {
      billed: summary.billed,
      paid: summary.paid,
      unbilled: summary.unbilled,
      invoices: summary.rows.map((r) => ({
        number: r.number,
        status: r.status,
        total: money(r.totalMinor, project.contract.currency),
        url: r.url ?? undefined,
      })),
    },
    `${project.contractKey}:billing:${version}`,
  );
  const [activation] = await db
    .select({ id: activationsTable.id })
    .from(activationsTable)
    .where(
      and(
        eq(activationsTable.tenantId, project.tenantId),
        eq(activationsTable.opportunityId, project.contractKey),
      ),
    )
    .limit(1);
  await connectors.crm.writeBack(
    project.contractKey,
    {
      status: 'Active',
      activationId: activation?.id ?? project.contractKey,
      message: `Billed ${formatMoney(summary.billed)}, paid ${formatMoney(summary.paid)}, unbilled ${formatMoney(summary.unbilled)}.${last ? ` Last invoice ${last.number} (${last.status}).` : ''}`,
      billedAmount: summary.billed,
      paidAmount: summary.paid,
      unbilledAmount: summary.unbilled,
      lastInvoiceNumber: last?.number,
      lastInvoiceStatus: last?.status,
    },
    `${project.contractKey}:crm-billing:${version}`,
  );
  await audit(db, {
    tenantId: project.tenantId,
    correlationId,
    actor: 'handoff',
    action: 'billing.published',
    subjectType: 'project',
    subjectId: project.psaProjectId,
    detail: { billed: summary.billed.amountMinor, paid: summary.paid.amountMinor },
  });
  await db
    .insert(syncCursorsTable)
    .values({ tenantId: project.tenantId, name: cursorName, value: version })
    .onConflictDoUpdate({
      target: [syncCursorsTable.tenantId, syncCursorsTable.name],
      set: { value: version, updatedAt: new Date().toISOString() },
    });
  return true;
}
