import { env } from 'cloudflare:workers';
import { and, eq, sql } from 'drizzle-orm';
import { getDb } from '../../worker/db/client';
import { auditLogTable, deliveryItemsTable, exceptionsTable } from '../../worker/db/schema';
import type { Env } from '../../worker/env';

export const db = () => getDb(env as unknown as Env);

export interface SeedException {
  id: string;
  code?: string;
  owner?: string;
  system?: string;
  source?: string;
  status?: 'open' | 'retrying' | 'resolved' | 'skipped';
  projectKey?: string | null;
  title?: string;
  reason?: string;
  itemId?: string;
  createdAt: string;
}

/**
 * Exceptions written straight into the database, many per statement (json_each: D1 binds at most 100
 * values per statement), as a backlog the workbench is then asked about. Only exceptions: a test that
 * retries them seeds the entries behind them too.
 */
export async function seedExceptions(tenantId: string, rows: SeedException[]) {
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500).map((r) => ({
      id: r.id,
      source: r.source ?? 'posting',
      subjectType: 'time_entry',
      subjectId: r.itemId?.split(':')[1] ?? r.id.slice(4),
      projectKey: r.projectKey ?? null,
      code: r.code ?? 'POSTING_RETRIES_EXHAUSTED',
      reason: r.reason ?? `Could not post ${r.itemId ?? r.id} to the ERP after 9 attempts`,
      owner: r.owner ?? 'finance-ops',
      system: r.system ?? 'netsuite',
      title: r.title ?? `Chloe Martin, 0.5 h on 2026-11-18 as Consultant (${r.id})`,
      status: r.status ?? 'open',
      detail: JSON.stringify(r.itemId ? { itemId: r.itemId } : {}),
      createdAt: r.createdAt,
    }));
    await db().run(sql`insert into exceptions (id, tenant_id, correlation_id, source, subject_type, subject_id,
        project_key, code, reason, owner, suggested_fix, status, detail, created_at, updated_at, system, title)
      select json_extract(value, '$.id'), ${tenantId}, 'seed', json_extract(value, '$.source'), json_extract(value, '$.subjectType'),
        json_extract(value, '$.subjectId'), json_extract(value, '$.projectKey'), json_extract(value, '$.code'),
        json_extract(value, '$.reason'), json_extract(value, '$.owner'), 'Check the ERP, then retry.',
        json_extract(value, '$.status'), json_extract(value, '$.detail'), json_extract(value, '$.createdAt'),
        json_extract(value, '$.createdAt'), json_extract(value, '$.system'), json_extract(value, '$.title')
      from json_each(${JSON.stringify(chunk)})`);
  }
}

/** An ISO time `minutes` before now, shifted by `ms` (distinct, ordered creation times for a backlog). */
export const ago = (minutes: number, ms = 0) => new Date(Date.now() - minutes * 60_000 + ms).toISOString();

export async function exceptionRows(tenantId: string) {
  return db().select().from(exceptionsTable).where(eq(exceptionsTable.tenantId, tenantId));
}

/** Audit rows of one action per exception id of a tenant: how many times each was acted on. */
export async function actionsPerException(tenantId: string, action: string): Promise<Map<string, number>> {
  const rows = await db()
    .select({ id: auditLogTable.subjectId })
    .from(auditLogTable)
    .where(
      and(
        eq(auditLogTable.tenantId, tenantId),
        eq(auditLogTable.subjectType, 'exception'),
        eq(auditLogTable.action, action),
      ),
    );
  const out = new Map<string, number>();
  for (const r of rows) out.set(r.id, (out.get(r.id) ?? 0) + 1);
  return out;
}

export async function deliveryRows(tenantId: string) {
  return db().select().from(deliveryItemsTable).where(eq(deliveryItemsTable.tenantId, tenantId));
}
