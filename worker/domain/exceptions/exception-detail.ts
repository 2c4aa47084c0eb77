import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { auditLogTable, deliveryItemsTable, exceptionsTable } from '../../db/schema';
import { ApiError } from '../../http/api-error';
import { exceptionView, tagsOf } from './list-exceptions';
import { loadSla } from './sla';

/** History rows shown on one exception (its audit trail is short; a cap keeps an odd one bounded). */
const HISTORY_LIMIT = 500;

/**
 * One exception for its detail page: the record, the rule that stopped it with the reason and the fix, the
 * held entry behind it (when there is one), and its history from the audit trail, oldest first.
 */
export async function exceptionDetail(db: Db, tenantId: string, id: string) {
  const [row] = await db
    .select()
    .from(exceptionsTable)
    .where(and(eq(exceptionsTable.tenantId, tenantId), eq(exceptionsTable.id, id)))
    .limit(1);
  if (!row) throw new ApiError('NOT_FOUND', `No exception ${id}.`);
  const itemId = (row.detail as Record<string, unknown> | null)?.itemId;
  const [sla, tags, history, [item]] = await Promise.all([
    loadSla(db, tenantId),
    tagsOf(db, tenantId, [id]),
    db
      .select()
      .from(auditLogTable)
      .where(
        and(
          eq(auditLogTable.tenantId, tenantId),
          eq(auditLogTable.subjectType, 'exception'),
          eq(auditLogTable.subjectId, id),
        ),
      )
      .orderBy(asc(auditLogTable.id))
      .limit(HISTORY_LIMIT),
    typeof itemId === 'string'
      ? db
          .select()
          .from(deliveryItemsTable)
          .where(and(eq(deliveryItemsTable.tenantId, tenantId), eq(deliveryItemsTable.id, itemId)))
          .limit(1)
      : Promise.resolve([]),
  ]);
  return {
    exception: exceptionView(row, tags.get(id) ?? [], sla, Date.now()),
    rule: { code: row.code, source: row.source, reason: row.reason, fix: row.suggestedFix },
    detail: row.detail ?? {},
    entry: item
      ? {
          id: item.id,
          kind: item.kind,
          state: item.state,
          contractKey: item.contractKey,
          psaProjectId: item.psaProjectId,
          entry: item.entry,
          amountMinor: item.amountMinor,
          currency: item.currency,
          erpId: item.erpId,
          note: item.note,
        }
      : null,
    history: history.map((h) => ({
      action: h.action,
      actor: h.actor,
      at: h.at,
      correlationId: h.correlationId,
      detail: h.detail ?? {},
    })),
  };
}
