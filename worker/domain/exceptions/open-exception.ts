import { and, eq, inArray, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { exceptionsTable } from '../../db/schema';
import { randomToken } from '../crypto';

export type NewException = Omit<
  typeof exceptionsTable.$inferInsert,
  'id' | 'status' | 'createdAt' | 'updatedAt' | 'system'
> & {
  /** The system it concerns: a vendor name, or `connectedSystem(tenant, role)` to name the firm's own. */
  system?: string | SQL<string>;
};

/** Something a person has to look at: with its reason, an owner and a suggested fix. Never silent. */
export async function openException(db: Db, input: NewException): Promise<string> {
  const id = `exc_${randomToken(12)}`;
  await db.insert(exceptionsTable).values({ ...input, id, status: 'open' });
  return id;
}

/**
 * Opens the exception unless the same one (subject and code) is already open: a problem seen again on the
 * next sync is the same problem, not a new one. Answers the open exception's id either way.
 */
export async function openExceptionOnce(db: Db, input: NewException): Promise<string> {
  const [open] = await db
    .select({ id: exceptionsTable.id })
    .from(exceptionsTable)
    .where(
      and(
        eq(exceptionsTable.tenantId, input.tenantId),
        eq(exceptionsTable.subjectType, input.subjectType),
        eq(exceptionsTable.subjectId, input.subjectId),
        eq(exceptionsTable.code, input.code),
        inArray(exceptionsTable.status, ['open', 'retrying']),
      ),
    )
    .limit(1);
  return open ? open.id : openException(db, input);
}
