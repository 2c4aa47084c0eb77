import { and, eq, inArray } from 'drizzle-orm';
import type { Expense, TimeEntry } from '../../../shared/model/delivery';
import { addMoney } from '../../../shared/model/money';
import type { Db } from '../../db/client';
import { auditLogTable, deliveryItemsTable, exceptionsTable } from '../../db/schema';
import { log } from '../../http/logger';
import type { PostingMessage } from '../../queues/messages';
import { auditRow } from '../audit';
import { randomToken } from '../crypto';
import { systemOfRule } from '../exceptions/system';
import { describeItem } from './describe-item';
import type { ProjectContext } from './project-context';
import { billingContext } from './project-context';
import { type Decision, decideExpense, decideTimeEntry } from './rules';

export type Incoming = { kind: 'time'; entry: TimeEntry } | { kind: 'expense'; entry: Expense };

export const itemId = (i: Incoming) => `${i.kind}:${i.entry.psaId}`;

/** Who fixes what: rates, roles and dates are delivery's; caps and currency are finance's. */
const OWNER: Record<string, string> = {
  'project-not-active': 'integration-admin',
  'outside-contract-term': 'delivery-ops',
  'no-rate-for-role': 'delivery-ops',
  'superseded-rate': 'delivery-ops',
  'rate-mismatch': 'delivery-ops',
  'over-not-to-exceed': 'finance-ops',
  'over-travel-cap': 'finance-ops',
  'currency-mismatch': 'delivery-ops',
};

const D1_BATCH = 50;

/**
 * Take approved entries of one project: decide each against the contract (in date order, so caps are
 * counted the way the work happened), store the decision, and hand compliant ones to the posting queue.
 * An entry seen before (same PSA id and update time), or already posted/skipped, changes nothing. Must
 * run one at a time per project (the intake queue has max_concurrency 1) so caps are exact.
 */
export async function ingest(
  db: Db,
  postingQueue: Queue<PostingMessage>,
  project: ProjectContext,
  incoming: Incoming[],
  correlationId: string,
): Promise<{ queued: number; held: number; unchanged: number }> {
  if (incoming.length === 0) return { queued: 0, held: 0, unchanged: 0 };
  const { tenantId, contract } = project;
  const ids = incoming.map(itemId);
  const existing = new Map<string, typeof deliveryItemsTable.$inferSelect>();
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await db
      .select()
      .from(deliveryItemsTable)
      .where(
        and(eq(deliveryItemsTable.tenantId, tenantId), inArray(deliveryItemsTable.id, ids.slice(i, i + 90))),
      );
    for (const r of rows) existing.set(r.id, r);
  }
  const ctx = await billingContext(db, project);
  const sorted = [...incoming].sort((a, b) =>
    a.entry.date === b.entry.date ? itemId(a).localeCompare(itemId(b)) : a.entry.date < b.entry.date ? -1 : 1,
  );

  const statements: Parameters<Db['batch']>[0][number][] = [];
  const toPost: PostingMessage[] = [];
  let held = 0;
  let unchanged = 0;
  const now = new Date().toISOString();
  for (const inc of sorted) {
    const id = itemId(inc);
    const prev = existing.get(id);
    // Posted, skipped, or already decided on this version of the entry: nothing to do.
    if (
      prev &&
      (prev.state === 'posted' || prev.state === 'skipped' || prev.psaUpdatedAt >= inc.entry.updatedAt)
    ) {
      unchanged += 1;
      continue;
    }
    if (prev?.state === 'queued') {
      unchanged += 1;
      continue;
    }
    const decision: Decision =
      inc.kind === 'time'
        ? decideTimeEntry(inc.entry, contract, ctx)
        : decideExpense(inc.entry, contract, ctx);
    const base = {
      tenantId,
      id,
      kind: inc.kind,
      contractKey: project.contractKey,
      psaProjectId: project.psaProjectId,
      entry: inc.entry as unknown as Record<string, unknown>,
      isTravel: inc.kind === 'expense' && inc.entry.isTravel,
      currency: contract.currency,
      correlationId,
      psaUpdatedAt: inc.entry.updatedAt,
      updatedAt: now,
    };
    if (decision.action === 'post') {
      if (decision.billable) {
        if (inc.kind === 'time') ctx.billedTime = addMoney(ctx.billedTime, decision.amount);
        else if (inc.entry.isTravel) ctx.travelUsed = addMoney(ctx.travelUsed, decision.amount);
      }
      const row = {
        ...base,
        state: 'queued' as const,
        billable: decision.billable,
        amountMinor: decision.billable ? decision.amount.amountMinor : 0,
        rateMinor: decision.rate?.amountMinor ?? null,
        rule: null,
        note: decision.note,
        exceptionId: null,
      };
      statements.push(
        db
          .insert(deliveryItemsTable)
          .values(row)
          .onConflictDoUpdate({ target: [deliveryItemsTable.tenantId, deliveryItemsTable.id], set: row }),
      );
      toPost.push({ tenantId, itemId: id, correlationId });
    } else {
      held += 1;
      const exceptionId = prev?.exceptionId ?? `exc_${randomToken(12)}`;
      const row = {
        ...base,
        state: 'held' as const,
        billable: false,
        amountMinor: 0,
        rateMinor: null,
        rule: decision.rule,
        note: decision.reason,
        exceptionId,
      };
      statements.push(
        db
          .insert(deliveryItemsTable)
          .values(row)
          .onConflictDoUpdate({ target: [deliveryItemsTable.tenantId, deliveryItemsTable.id], set: row }),
      );
      const exception = {
        id: exceptionId,
        tenantId,
        correlationId,
        source: 'delivery',
        subjectType: inc.kind === 'time' ? 'time_entry' : 'expense',
        subjectId: inc.entry.psaId,
        projectKey: project.contractKey,
        code: decision.rule,
        reason: `${describe(inc)}: ${decision.reason}`,
        title: describe(inc),
        system: systemOfRule(tenantId, decision.rule),
        owner: OWNER[decision.rule] ?? 'finance-ops',
        suggestedFix: decision.fix,
        status: 'open' as const,
        detail: { itemId: id, psaProjectId: project.psaProjectId },
        updatedAt: now,
      };
      statements.push(
        db
          .insert(exceptionsTable)
          .values(exception)
          .onConflictDoUpdate({ target: exceptionsTable.id, set: { ...exception, status: 'open' } }),
      );
      statements.push(
        db.insert(auditLogTable).values(
          auditRow({
            tenantId,
            correlationId,
            actor: 'handoff',
            action: 'delivery.held',
            subjectType: base.kind,
            subjectId: inc.entry.psaId,
            detail: { rule: decision.rule },
          }),
        ),
      );
    }
  }
  for (let i = 0; i < statements.length; i += D1_BATCH) {
    const chunk = statements.slice(i, i + D1_BATCH) as [
      Parameters<Db['batch']>[0][number],
      ...Parameters<Db['batch']>[0][number][],
    ];
    await db.batch(chunk);
  }
  // The item rows in state "queued" are the outbox: if this send fails, the cron sweep sends them again.
  for (let i = 0; i < toPost.length; i += 100) {
    await postingQueue.sendBatch(toPost.slice(i, i + 100).map((body) => ({ body })));
  }
  log('info', 'delivery.ingested', {
    correlationId,
    tenantId,
    project: project.psaProjectId,
    queued: toPost.length,
    held,
    unchanged,
  });
  return { queued: toPost.length, held, unchanged };
}

function describe(inc: Incoming): string {
  return describeItem(inc.kind, inc.entry);
}
