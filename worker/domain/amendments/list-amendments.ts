import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { amendmentsTable } from '../../db/schema';

/** A contract's amendments, oldest first: state, diff and the contract version each made. */
export async function listAmendments(db: Db, tenantId: string, contractKey: string) {
  const rows = await db
    .select()
    .from(amendmentsTable)
    .where(and(eq(amendmentsTable.tenantId, tenantId), eq(amendmentsTable.contractKey, contractKey)))
    .orderBy(desc(amendmentsTable.number));
  return rows.reverse().map((a) => ({
    id: a.id,
    number: a.number,
    state: a.state,
    effectiveDate: a.effectiveDate,
    contractVersion: a.contractVersion,
    message: a.message,
    diff: a.diff ?? null,
  }));
}
