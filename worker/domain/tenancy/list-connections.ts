import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { connectionsTable } from '../../db/schema';

/** A tenant's connections as an admin sees them: settings, never secrets. */
export async function listConnections(db: Db, tenantId: string) {
  const rows = await db.select().from(connectionsTable).where(eq(connectionsTable.tenantId, tenantId));
  return rows.map((r) => ({
    role: r.role,
    system: r.system,
    config: r.config,
    concurrencyLimit: r.concurrencyLimit,
    updatedAt: r.updatedAt,
  }));
}
