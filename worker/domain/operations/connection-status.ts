import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { connectionStatusTable } from '../../db/schema';
import { audit } from '../audit';

export type MonitoredRole = 'crm' | 'psa' | 'erp' | 'clm' | 'teams';
export const MONITORED_ROLES: readonly MonitoredRole[] = ['crm', 'psa', 'erp', 'clm', 'teams'];
/** The roles whose work waits out an outage (the others are only shown in health). */
export type OutageRole = 'crm' | 'psa' | 'erp';
export const OUTAGE_ROLES: readonly MonitoredRole[] = ['crm', 'psa', 'erp'];

/**
 * Mark a firm's connection offline (outage mode). Conditional: an offline connection keeps the moment and the
 * reason it went offline. Answers whether this call made the change.
 */
export async function markOffline(
  db: Db,
  input: { tenantId: string; role: MonitoredRole; system: string; reason: string },
): Promise<boolean> {
  const at = new Date().toISOString();
  const row = { ...input, state: 'offline' as const, since: at, updatedAt: at };
  const changed = await db
    .insert(connectionStatusTable)
    .values({ ...row, lastCheckedAt: null, lastCheckError: null })
    .onConflictDoUpdate({
      target: [connectionStatusTable.tenantId, connectionStatusTable.role],
      set: { ...row, lastCheckedAt: null, lastCheckError: null },
      setWhere: eq(connectionStatusTable.state, 'online'),
    })
    .returning({ role: connectionStatusTable.role });
  if (changed.length === 1)
    await audit(db, {
      tenantId: input.tenantId,
      correlationId: `outage-${input.tenantId}-${input.role}-${at}`,
      actor: 'handoff',
      action: 'connection.offline',
      subjectType: 'connection',
      subjectId: input.role,
      detail: { system: input.system, reason: input.reason },
    });
  return changed.length === 1;
}

/** Mark it online again; answers whether it was offline (so exactly one caller resumes the waiting work). */
export async function markOnline(db: Db, tenantId: string, role: MonitoredRole): Promise<boolean> {
  const at = new Date().toISOString();
  const changed = await db
    .update(connectionStatusTable)
    .set({ state: 'online', since: at, reason: null, lastCheckedAt: at, lastCheckError: null, updatedAt: at })
    .where(
      and(
        eq(connectionStatusTable.tenantId, tenantId),
        eq(connectionStatusTable.role, role),
        eq(connectionStatusTable.state, 'offline'),
      ),
    )
    .returning({ role: connectionStatusTable.role });
  return changed.length === 1;
}

/** A re-test that failed: when, and what it met (the connection stays offline). */
export async function noteCheckFailed(db: Db, tenantId: string, role: MonitoredRole, error: string) {
  const at = new Date().toISOString();
  await db
    .update(connectionStatusTable)
    .set({ lastCheckedAt: at, lastCheckError: error.slice(0, 500), updatedAt: at })
    .where(and(eq(connectionStatusTable.tenantId, tenantId), eq(connectionStatusTable.role, role)));
}

export async function connectionStates(db: Db, tenantId: string) {
  return db.select().from(connectionStatusTable).where(eq(connectionStatusTable.tenantId, tenantId));
}

export async function isOffline(db: Db, tenantId: string, role: MonitoredRole): Promise<boolean> {
  const [row] = await db
    .select({ state: connectionStatusTable.state })
    .from(connectionStatusTable)
    .where(and(eq(connectionStatusTable.tenantId, tenantId), eq(connectionStatusTable.role, role)))
    .limit(1);
  return row?.state === 'offline';
}

/** The offline connections of a firm whose vendor is one of `systems` (a connector error names its vendor). */
export async function offlineSystems(db: Db, tenantId: string, systems: string[]): Promise<string[]> {
  if (systems.length === 0) return [];
  const rows = await db
    .select({ system: connectionStatusTable.system })
    .from(connectionStatusTable)
    .where(
      and(
        eq(connectionStatusTable.tenantId, tenantId),
        eq(connectionStatusTable.state, 'offline'),
        inArray(connectionStatusTable.system, systems),
      ),
    );
  return rows.map((r) => r.system);
}

/** Offline connections of every firm, least recently re-tested first, for the cron. */
export async function offlineConnections(db: Db, limit = 50) {
  return db
    .select()
    .from(connectionStatusTable)
    .where(eq(connectionStatusTable.state, 'offline'))
    .orderBy(sql`${connectionStatusTable.lastCheckedAt} IS NOT NULL`, connectionStatusTable.lastCheckedAt)
    .limit(limit);
}
