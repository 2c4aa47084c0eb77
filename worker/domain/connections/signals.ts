import { and, eq, lt, or } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { integrationSignalsTable } from '../../db/schema';

export type IntegrationSignal = (typeof integrationSignalsTable.$inferSelect)['signal'];

/** A signal is written at most this often: the console shows "last seen", not a count. */
const WRITE_EVERY_MS = 60_000;

/**
 * Notes that something showed the firm's integration in use (a sidebar token minted, a Connect message
 * verified). One conditional upsert: a row newer than a minute is left alone, so a busy sidebar costs no writes.
 */
export async function recordSignal(db: Db, tenantId: string, signal: IntegrationSignal): Promise<void> {
  const now = new Date();
  const stale = new Date(now.getTime() - WRITE_EVERY_MS).toISOString();
  await db
    .insert(integrationSignalsTable)
    .values({ tenantId, signal, lastAt: now.toISOString() })
    .onConflictDoUpdate({
      target: [integrationSignalsTable.tenantId, integrationSignalsTable.signal],
      set: { lastAt: now.toISOString() },
      setWhere: lt(integrationSignalsTable.lastAt, stale),
    });
}

/** When each signal was last seen for the firm. */
export async function readSignals(
  db: Db,
  tenantId: string,
  signals: IntegrationSignal[],
): Promise<Partial<Record<IntegrationSignal, string>>> {
  const rows = await db
    .select()
    .from(integrationSignalsTable)
    .where(
      and(
        eq(integrationSignalsTable.tenantId, tenantId),
        or(...signals.map((s) => eq(integrationSignalsTable.signal, s))),
      ),
    );
  return Object.fromEntries(rows.map((r) => [r.signal, r.lastAt]));
}
