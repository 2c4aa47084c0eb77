import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { auditLogTable } from '../db/schema';
import { log } from '../http/logger';

export interface AuditEntry {
  tenantId: string;
  correlationId: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  detail?: Record<string, unknown>;
}

export function auditRow(entry: AuditEntry) {
  return { ...entry, detail: entry.detail ?? {} };
}

/** Every audit row is also a log line with the same correlation id. */
export async function audit(db: Db, entry: AuditEntry): Promise<void> {
  log('info', entry.action, {
    correlationId: entry.correlationId,
    tenantId: entry.tenantId,
    subject: `${entry.subjectType}:${entry.subjectId}`,
    actor: entry.actor,
    ...entry.detail,
  });
  await db.insert(auditLogTable).values(auditRow(entry));
}

/** The audit trail of one click (its correlation id), oldest first. */
export async function listAuditEntries(db: Db, tenantId: string, correlationId: string) {
  const rows = await db
    .select()
    .from(auditLogTable)
    .where(and(eq(auditLogTable.tenantId, tenantId), eq(auditLogTable.correlationId, correlationId)))
    .orderBy(asc(auditLogTable.id));
  return rows.map(({ id: _id, tenantId: _t, ...r }) => ({ ...r, detail: r.detail ?? null }));
}
