import { and, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type {
  ExceptionFacets,
  ExceptionFilter,
  ExceptionView,
  SlaPolicy,
} from '../../../shared/api/exceptions';
import type { Db } from '../../db/client';
import { exceptionsTable, exceptionTagsTable } from '../../db/schema';
import { afterCursor, decodeCursor, encodeCursor, filterConditions, slaHours } from './filter';
import { loadSla } from './sla';

type Row = typeof exceptionsTable.$inferSelect;

const HOUR_MS = 3_600_000;

/** A title for rows recorded without one: the rule and what it is about, in words. */
function fallbackTitle(r: Row): string {
  const rule = r.code.replace(/[_-]+/g, ' ').toLowerCase();
  return `${rule.charAt(0).toUpperCase()}${rule.slice(1)}: ${r.subjectType.replace(/_/g, ' ')} ${r.subjectId}`;
}

/** One exception as the workbench shows it, with its due time under the firm's SLA. */
export function exceptionView(r: Row, tags: string[], sla: SlaPolicy, nowMs: number): ExceptionView {
  const created = Date.parse(r.createdAt);
  const due = created + slaHours(sla, r.owner) * HOUR_MS;
  const open = r.status === 'open' || r.status === 'retrying';
  return {
    id: r.id,
    correlationId: r.correlationId,
    source: r.source,
    subjectType: r.subjectType,
    subjectId: r.subjectId,
    projectKey: r.projectKey,
    code: r.code,
    reason: r.reason,
    owner: r.owner,
    suggestedFix: r.suggestedFix,
    status: r.status,
    ageSeconds: Math.max(0, Math.round((nowMs - created) / 1000)),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    title: r.title ?? fallbackTitle(r),
    system: r.system,
    assignee: r.assignee,
    tags,
    slaDueAt: new Date(due).toISOString(),
    overdue: open && nowMs > due,
    resolvedBy: r.resolvedBy,
    resolutionNote: r.resolutionNote,
  };
}

/** The tags of some exceptions of a tenant, by exception id (sorted). */
export async function tagsOf(db: Db, tenantId: string, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await db
      .select({ id: exceptionTagsTable.exceptionId, tag: exceptionTagsTable.tag })
      .from(exceptionTagsTable)
      .where(
        and(
          eq(exceptionTagsTable.tenantId, tenantId),
          inArray(exceptionTagsTable.exceptionId, ids.slice(i, i + 90)),
        ),
      );
    for (const r of rows) out.set(r.id, [...(out.get(r.id) ?? []), r.tag]);
  }
  for (const list of out.values()) list.sort();
  return out;
}

export interface ListInput extends ExceptionFilter {
  cursor?: string;
  limit: number;
}

/**
 * The tenant's exception queue, newest first (created_at, then id), a page at a time. The cursor is the
 * last row's position, so pages neither repeat nor skip a row while new exceptions arrive (they sort before
 * the first page); `total` counts every row the filters match now.
 */
export async function listExceptions(db: Db, tenantId: string, input: ListInput) {
  const { cursor, limit, ...filter } = input;
  const nowMs = Date.now();
  const sla = await loadSla(db, tenantId);
  const conds = filterConditions(tenantId, filter, sla, nowMs);
  const after = cursor ? afterCursor(decodeCursor(cursor)) : undefined;
  const [rows, [counted]] = await db.batch([
    db
      .select()
      .from(exceptionsTable)
      .where(and(...conds, after))
      .orderBy(desc(exceptionsTable.createdAt), desc(exceptionsTable.id))
      .limit(limit + 1),
    db
      .select({ n: count() })
      .from(exceptionsTable)
      .where(and(...conds)),
  ]);
  const page = rows.slice(0, limit);
  const tags = await tagsOf(
    db,
    tenantId,
    page.map((r) => r.id),
  );
  const last = page.at(-1);
  return {
    exceptions: page.map((r) => exceptionView(r, tags.get(r.id) ?? [], sla, nowMs)),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
    total: Number(counted?.n ?? 0),
  };
}

/** How many exceptions match the filters, by owner, code, system and status. */
export async function exceptionFacets(
  db: Db,
  tenantId: string,
  filter: ExceptionFilter,
): Promise<ExceptionFacets> {
  const sla = await loadSla(db, tenantId);
  const where = and(...filterConditions(tenantId, filter, sla, Date.now()));
  const by = (col: SQLiteColumn) =>
    db
      .select({ key: sql<string>`${col}`, n: count() })
      .from(exceptionsTable)
      .where(where)
      .groupBy(col);
  const [owner, code, system, status] = await db.batch([
    by(exceptionsTable.owner),
    by(exceptionsTable.code),
    by(exceptionsTable.system),
    by(exceptionsTable.status),
  ]);
  const map = (rows: { key: string; n: number }[]) =>
    Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));
  return { byOwner: map(owner), byCode: map(code), bySystem: map(system), byStatus: map(status) };
}
