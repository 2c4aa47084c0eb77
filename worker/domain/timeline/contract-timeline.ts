import { and, asc, desc, eq, inArray, like, lt, or, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { ACTIVATION_STEPS } from '../../../shared/api/activation-steps';
import type { ContractSummary, ContractTimeline, TimelineEvent } from '../../../shared/api/timeline';
import type { Db } from '../../db/client';
import {
  activationStepsTable,
  activationsTable,
  amendmentsTable,
  approvalsTable,
  auditLogTable,
  contractVersionsTable,
  deliveryItemsTable,
  exceptionsTable,
  invoicesTable,
  linksTable,
} from '../../db/schema';

/** Ids per audit query (D1 allows 100 bound parameters; one more is the tenant). */
const AUDIT_CHUNK = 90;

/** Audited actions the timeline already shows as their own events. */
const SHOWN_ABOVE = new Set(['invoice.created']);

/** At most this many events in one answer: a contract's whole life fits; a runaway one is cut, and says so. */
const MAX_EVENTS = 2000;
const LABELS = new Map<string, string>(ACTIVATION_STEPS.map((s) => [s.name, s.label]));

type Draft = Omit<TimelineEvent, 'sincePreviousMs'>;

const stepSystem = (name: string): TimelineEvent['system'] =>
  name.includes('erp')
    ? 'erp'
    : name.includes('psa')
      ? 'psa'
      : name.includes('crm') || name === 'load-contract'
        ? 'crm'
        : 'handoff';

/**
 * One contract's life in order, from Handoff's own records (never by asking the vendors): the CRM click, each
 * activation step, the links made in each system, versions and amendments, approvals, time and expenses
 * posted (a line per day), invoices and payments, exceptions opened and closed, and the audited actions on
 * it. Each event carries its correlation id, the authenticated actor and the time since the one before.
 */
export async function contractTimeline(
  db: Db,
  tenantId: string,
  contractKey: string,
): Promise<ContractTimeline | undefined> {
  const [activation] = await db
    .select()
    .from(activationsTable)
    .where(and(eq(activationsTable.tenantId, tenantId), eq(activationsTable.opportunityId, contractKey)))
    .limit(1);
  if (!activation) return undefined;
  const byContract = (t: { tenantId: SQLiteColumn; contractKey: SQLiteColumn }) =>
    and(eq(t.tenantId, tenantId), eq(t.contractKey, contractKey));

  const [steps, links, versions, amendments, approvals, delivery, invoices, exceptions] = await Promise.all([
    db
      .select()
      .from(activationStepsTable)
      .where(
        and(
          eq(activationStepsTable.tenantId, tenantId),
          eq(activationStepsTable.activationId, activation.id),
        ),
      ),
    db.select().from(linksTable).where(byContract(linksTable)),
    db.select().from(contractVersionsTable).where(byContract(contractVersionsTable)),
    db.select().from(amendmentsTable).where(byContract(amendmentsTable)),
    db.select().from(approvalsTable).where(byContract(approvalsTable)),
    // Entries are many: one line per day, kind and outcome.
    db
      .select({
        day: sql<string>`substr(coalesce(${deliveryItemsTable.postedAt}, ${deliveryItemsTable.updatedAt}), 1, 10)`,
        at: sql<string>`max(coalesce(${deliveryItemsTable.postedAt}, ${deliveryItemsTable.updatedAt}))`,
        kind: deliveryItemsTable.kind,
        state: deliveryItemsTable.state,
        count: sql<number>`count(*)`,
        amountMinor: sql<number>`sum(${deliveryItemsTable.amountMinor})`,
        currency: sql<string>`max(${deliveryItemsTable.currency})`,
      })
      .from(deliveryItemsTable)
      .where(byContract(deliveryItemsTable))
      .groupBy(
        sql`substr(coalesce(${deliveryItemsTable.postedAt}, ${deliveryItemsTable.updatedAt}), 1, 10)`,
        deliveryItemsTable.kind,
        deliveryItemsTable.state,
      ),
    db.select().from(invoicesTable).where(byContract(invoicesTable)),
    db
      .select()
      .from(exceptionsTable)
      .where(and(eq(exceptionsTable.tenantId, tenantId), eq(exceptionsTable.projectKey, contractKey)))
      .orderBy(desc(exceptionsTable.createdAt))
      .limit(500),
  ]);
  // What was done on the contract, as audited: on the contract, its approvals, milestones and amendments,
  // or under one of its correlation ids.
  const subjects = [
    contractKey,
    ...approvals.flatMap((a) => [a.id, a.subjectKey]),
    ...amendments.map((a) => a.id),
  ];
  const correlations = [
    activation.correlationId,
    ...approvals.map((a) => a.correlationId),
    ...amendments.map((a) => a.correlationId),
  ];
  // D1 binds at most 100 parameters per query: ask in chunks, each row once (by its id).
  const ids = [...new Set(subjects)].map((v) => ['subject', v] as const);
  const keys = [...ids, ...[...new Set(correlations)].map((v) => ['correlation', v] as const)];
  const byId = new Map<number, typeof auditLogTable.$inferSelect>();
  for (let i = 0; i < keys.length; i += AUDIT_CHUNK) {
    const chunk = keys.slice(i, i + AUDIT_CHUNK);
    const subj = chunk.filter(([k]) => k === 'subject').map(([, v]) => v);
    const corr = chunk.filter(([k]) => k === 'correlation').map(([, v]) => v);
    const rows = await db
      .select()
      .from(auditLogTable)
      .where(
        and(
          eq(auditLogTable.tenantId, tenantId),
          or(
            ...(subj.length ? [inArray(auditLogTable.subjectId, subj)] : []),
            ...(corr.length ? [inArray(auditLogTable.correlationId, corr)] : []),
          ),
        ),
      )
      .orderBy(asc(auditLogTable.at))
      .limit(1000);
    for (const r of rows) byId.set(r.id, r);
  }
  const audited = [...byId.values()].sort((a, b) => a.at.localeCompare(b.at) || a.id - b.id).slice(0, 1000);
  // The ERP's invoice carries only its date; the moment Handoff created it is in the audit trail.
  const invoiceCreatedAt = new Map(
    audited
      .filter((r) => r.action === 'invoice.created' && typeof r.detail?.invoiceId === 'string')
      .map((r) => [r.detail!.invoiceId as string, r]),
  );
  const urlOf = (role: string, kind?: string) =>
    links.find((l) => l.role === role && (!kind || l.kind === kind))?.url ?? null;
  const version1 = versions.find((v) => v.version === 1)?.contract as
    | { name?: string; number?: string; signedAt?: string; customer?: { name?: string } }
    | undefined;

  // Milestones by their names (from every version: a renamed one keeps its latest name).
  const milestoneNames = new Map<string, string>();
  for (const v of [...versions].sort((a, b) => a.version - b.version))
    for (const m of (v.contract as { billingModel?: { milestones?: { key: string; name: string }[] } })
      .billingModel?.milestones ?? [])
      milestoneNames.set(m.key, m.name);

  const events: Draft[] = [];
  const push = (e: Partial<Draft> & Pick<Draft, 'at' | 'kind' | 'title' | 'system'>) =>
    events.push({ correlationId: null, actor: 'handoff', url: null, status: 'done', ...e });

  if (version1?.signedAt)
    push({
      at: version1.signedAt,
      kind: 'contract.signed',
      title: 'Contract signed',
      system: 'clm',
      status: 'info',
    });
  push({
    at: activation.createdAt,
    kind: 'activation.requested',
    title: 'Activate project clicked',
    system: 'crm',
    correlationId: activation.correlationId,
    actor: activation.requestedBy ?? 'handoff',
    url: urlOf('crm'),
  });
  for (const s of steps) {
    if (!s.finishedAt && !s.startedAt) continue;
    const label = LABELS.get(s.name) ?? s.name;
    push({
      at: s.finishedAt ?? s.startedAt!,
      kind: `activation.step.${s.name}`,
      title: `${label}${s.status === 'done' ? '' : ` (${s.status})`}${s.attempts > 1 ? `, after ${s.attempts} attempts` : ''}`,
      system: stepSystem(s.name),
      correlationId: activation.correlationId,
      status:
        s.status === 'done' || s.status === 'skipped' ? 'done' : s.status === 'failed' ? 'failed' : 'waiting',
    });
  }
  for (const l of links)
    push({
      at: l.createdAt,
      kind: `link.${l.kind}`,
      title: `Linked ${l.system} ${l.kind.replaceAll('_', ' ')} ${l.externalId}`,
      system: l.role,
      correlationId: activation.correlationId,
      url: l.url,
      status: 'info',
    });
  if (activation.completedAt)
    push({
      at: activation.completedAt,
      kind: 'activation.completed',
      title:
        activation.status === 'active'
          ? 'Project ready in the PSA and the ERP'
          : `Activation ended: ${activation.message ?? activation.status}`,
      system: 'handoff',
      correlationId: activation.correlationId,
      status: activation.status === 'active' ? 'done' : 'failed',
    });
  for (const v of versions.filter((v) => v.version > 1))
    push({
      at: v.createdAt,
      kind: 'contract.version',
      title: `Contract version ${v.version} in force (from ${v.source})`,
      system: 'handoff',
    });
  for (const a of amendments) {
    push({
      at: a.createdAt,
      kind: 'amendment.received',
      title: `Amendment ${a.number} received from ${a.source === 'docusign' ? 'DocuSign' : 'the CRM'}`,
      system: a.source === 'docusign' ? 'clm' : 'crm',
      correlationId: a.correlationId,
      status: 'info',
    });
    if (a.state !== 'received')
      push({
        at: a.updatedAt,
        kind: `amendment.${a.state}`,
        title: `Amendment ${a.number} ${a.state.replaceAll('_', ' ')}${a.message ? `: ${a.message}` : ''}`,
        system: 'handoff',
        correlationId: a.correlationId,
        status:
          a.state === 'applied'
            ? 'done'
            : a.state === 'failed' || a.state === 'rejected'
              ? 'failed'
              : 'waiting',
      });
  }
  for (const ap of approvals) {
    const what =
      ap.kind === 'milestone'
        ? `Milestone ${milestoneNames.get(ap.subjectKey) ?? ap.subjectKey}`
        : `Change order ${ap.subjectKey}`;
    push({
      at: ap.createdAt,
      kind: `approval.requested`,
      title: `${what}: acceptance requested${ap.approver ? ` from ${ap.approver}` : ''}`,
      system: 'teams',
      correlationId: ap.correlationId,
      status: ap.state === 'requested' ? 'waiting' : 'info',
    });
    if (ap.decidedAt)
      push({
        at: ap.decidedAt,
        kind: `approval.${ap.state}`,
        title: `${what} ${ap.state}${ap.comment ? `: ${ap.comment}` : ''}`,
        system: 'teams',
        correlationId: ap.correlationId,
        actor: ap.decidedBy ?? 'handoff',
        status: ap.state === 'accepted' ? 'done' : 'failed',
      });
  }
  for (const d of delivery) {
    const what =
      d.kind === 'time'
        ? Number(d.count) === 1
          ? 'time entry'
          : 'time entries'
        : Number(d.count) === 1
          ? 'expense'
          : 'expenses';
    const outcome = {
      posted: 'posted to the ERP',
      held: 'held',
      skipped: 'skipped',
      queued: 'waiting to post',
    }[d.state];
    push({
      at: d.at,
      kind: `delivery.${d.state}`,
      title: `${d.count} ${what} ${outcome} (${(Number(d.amountMinor) / 100).toFixed(2)} ${d.currency}) on ${d.day}`,
      system: d.state === 'posted' ? 'erp' : 'psa',
      status:
        d.state === 'posted'
          ? 'done'
          : d.state === 'queued'
            ? 'waiting'
            : d.state === 'held'
              ? 'failed'
              : 'info',
    });
  }
  for (const inv of invoices) {
    const total = `${(inv.totalMinor / 100).toFixed(2)} ${inv.currency}`;
    const created = invoiceCreatedAt.get(inv.erpId);
    push({
      at: created?.at ?? `${inv.date}T00:00:00.000Z`,
      kind: 'invoice.created',
      title: `Invoice ${inv.number} for ${total}: ${inv.description}`,
      system: 'erp',
      url: inv.url,
      ...(created ? { correlationId: created.correlationId, actor: created.actor } : {}),
    });
    if (inv.status === 'paid')
      push({
        at: inv.updatedAt,
        kind: 'invoice.paid',
        title: `Invoice ${inv.number} paid`,
        system: 'erp',
        url: inv.url,
      });
  }
  for (const x of exceptions) {
    push({
      at: x.createdAt,
      kind: 'exception.opened',
      title: `Exception: ${x.reason}`,
      system: 'handoff',
      correlationId: x.correlationId,
      status: x.status === 'resolved' || x.status === 'skipped' ? 'info' : 'failed',
    });
    if (x.status === 'resolved' || x.status === 'skipped')
      push({
        at: x.updatedAt,
        kind: `exception.${x.status}`,
        title: `Exception ${x.status}${x.resolutionNote ? `: ${x.resolutionNote}` : ''}`,
        system: 'handoff',
        correlationId: x.correlationId,
        actor: x.resolvedBy ?? 'handoff',
      });
  }
  // People's actions on the contract, as audited (who synced, retried or decided), not shown above.
  for (const r of audited.filter((r) => r.actor !== 'system' && !SHOWN_ABOVE.has(r.action)))
    push({
      at: r.at,
      kind: `audit.${r.action}`,
      title: r.action.replaceAll('.', ' ').replaceAll('_', ' '),
      system: 'handoff',
      correlationId: r.correlationId,
      actor: r.actor,
      status: 'info',
    });

  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.kind.localeCompare(b.kind));
  const kept = events.slice(0, MAX_EVENTS);
  return {
    contractKey,
    contractNumber: activation.contractNumber ?? version1?.number ?? null,
    name: version1?.name ?? null,
    customer: version1?.customer?.name ?? null,
    status: activation.status,
    truncated: events.length > kept.length,
    events: kept.map((e, i) => ({
      ...e,
      sincePreviousMs: i === 0 ? null : Math.max(0, Date.parse(e.at) - Date.parse(kept[i - 1]!.at)),
    })),
  };
}

/** The firm's contracts, newest first, found by opportunity id or contract number. */
export async function listContracts(
  db: Db,
  tenantId: string,
  q: { search?: string; cursor?: string; limit: number },
): Promise<{ contracts: ContractSummary[]; nextCursor: string | null }> {
  const conds = [eq(activationsTable.tenantId, tenantId)];
  if (q.search) {
    const s = `%${q.search.replace(/[%_]/g, '')}%`;
    conds.push(or(like(activationsTable.opportunityId, s), like(activationsTable.contractNumber, s))!);
  }
  if (q.cursor) {
    // Keyset: strictly after the last row of the previous page in (createdAt, id) order: no gaps, no repeats.
    const [at, id] = q.cursor.split('|', 2) as [string, string | undefined];
    conds.push(
      or(
        lt(activationsTable.createdAt, at),
        and(eq(activationsTable.createdAt, at), lt(activationsTable.id, id ?? '')),
      )!,
    );
  }
  const rows = await db
    .select()
    .from(activationsTable)
    .where(and(...conds))
    .orderBy(desc(activationsTable.createdAt), desc(activationsTable.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  return {
    contracts: page.map((r) => ({
      contractKey: r.opportunityId,
      contractNumber: r.contractNumber,
      status: r.status,
      activatedAt: r.completedAt,
      requestedAt: r.createdAt,
    })),
    nextCursor:
      rows.length > q.limit ? `${page[page.length - 1]!.createdAt}|${page[page.length - 1]!.id}` : null,
  };
}
