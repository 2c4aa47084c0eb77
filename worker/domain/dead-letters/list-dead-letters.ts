import { and, count, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type {
  DeadLetterDetail,
  DeadLetterPage,
  DeadLetterQueue,
  DeadLetterState,
  DeadLetterView,
} from '../../../shared/api/dead-letters';
import type { Db } from '../../db/client';
import { deadLettersTable, deliveryItemsTable } from '../../db/schema';
import { ApiError } from '../../http/api-error';

export interface DeadLetterFilter {
  queue?: DeadLetterQueue;
  state?: DeadLetterState;
  cursor?: string;
  limit: number;
}

type Row = typeof deadLettersTable.$inferSelect;

export function deadLetterView(r: Row): DeadLetterView {
  return {
    id: r.id,
    queue: r.queue,
    state: r.state,
    itemId: r.itemId,
    correlationId: r.correlationId,
    attempts: r.attempts,
    times: r.times,
    reason: r.reason,
    exceptionId: r.exceptionId,
    outcome: r.outcome,
    firstSeenAt: r.firstSeenAt,
    lastSeenAt: r.lastSeenAt,
    handledBy: r.handledBy,
    handledAt: r.handledAt,
    note: r.note,
  };
}

/** The keyset cursor: the last row's (firstSeenAt, id), opaque to callers. */
const encodeCursor = (r: Row) => btoa(JSON.stringify([r.firstSeenAt, r.id])).replace(/=+$/, '');

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(atob(cursor)) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string'))
      return value as [string, string];
  } catch {
    // falls through to the refusal
  }
  throw new ApiError('BAD_REQUEST', 'The cursor is not one this list gave out.', [
    {
      field: 'cursor',
      message: 'Unknown cursor',
      fix: 'Pass nextCursor from the previous page, or omit it.',
    },
  ]);
}

/** A firm's dead letters, newest first, a page at a time (keyset), with the total for the filter. */
export async function listDeadLetters(
  db: Db,
  tenantId: string,
  f: DeadLetterFilter,
): Promise<DeadLetterPage> {
  const conds: SQL[] = [eq(deadLettersTable.tenantId, tenantId)];
  if (f.queue) conds.push(eq(deadLettersTable.queue, f.queue));
  if (f.state) conds.push(eq(deadLettersTable.state, f.state));
  const filter = and(...conds);
  const page = [...conds];
  if (f.cursor) {
    const [at, id] = decodeCursor(f.cursor);
    page.push(
      or(
        lt(deadLettersTable.firstSeenAt, at),
        and(eq(deadLettersTable.firstSeenAt, at), lt(deadLettersTable.id, id)),
      ) as SQL,
    );
  }
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(deadLettersTable)
      .where(and(...page))
      .orderBy(desc(deadLettersTable.firstSeenAt), desc(deadLettersTable.id))
      .limit(f.limit + 1),
    db.select({ n: count() }).from(deadLettersTable).where(filter),
  ]);
  const more = rows.length > f.limit;
  const shown = rows.slice(0, f.limit);
  return {
    deadLetters: shown.map(deadLetterView),
    nextCursor: more && shown.length ? encodeCursor(shown[shown.length - 1]!) : null,
    total: total?.n ?? 0,
  };
}

export async function loadDeadLetter(db: Db, tenantId: string, id: string): Promise<Row> {
  const [row] = await db
    .select()
    .from(deadLettersTable)
    .where(and(eq(deadLettersTable.tenantId, tenantId), eq(deadLettersTable.id, id)))
    .limit(1);
  if (!row) throw new ApiError('NOT_FOUND', `No dead letter ${id}.`);
  return row;
}

/** One dead letter with its original message and where its entry stands now. */
export async function getDeadLetter(db: Db, tenantId: string, id: string): Promise<DeadLetterDetail> {
  const row = await loadDeadLetter(db, tenantId, id);
  const [item] = row.itemId
    ? await db
        .select({
          id: deliveryItemsTable.id,
          state: deliveryItemsTable.state,
          note: deliveryItemsTable.note,
          erpId: deliveryItemsTable.erpId,
        })
        .from(deliveryItemsTable)
        .where(and(eq(deliveryItemsTable.tenantId, tenantId), eq(deliveryItemsTable.id, row.itemId)))
        .limit(1)
    : [];
  return { ...deadLetterView(row), message: row.message, messageId: row.messageId, item: item ?? null };
}
