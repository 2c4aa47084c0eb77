import type { Db } from '../../db/client';
import { exceptionsTable } from '../../db/schema';
import { randomToken } from '../crypto';

export type NewException = Omit<
  typeof exceptionsTable.$inferInsert,
  'id' | 'status' | 'createdAt' | 'updatedAt'
>;

/** Something a person has to look at: with its reason, an owner and a suggested fix. Never silent. */
export async function openException(db: Db, input: NewException): Promise<string> {
  const id = `exc_${randomToken(12)}`;
  await db.insert(exceptionsTable).values({ ...input, id, status: 'open' });
  return id;
}
