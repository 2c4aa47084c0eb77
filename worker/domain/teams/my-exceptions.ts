import { and, desc, eq, inArray, or } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { exceptionsTable } from '../../db/schema';
import { loadPolicy } from '../amendments/policy';

/** The open exceptions one person owns (directly, through a queue they own, or assigned to them), newest first. */
export async function myExceptions(db: Db, tenantId: string, oid: string) {
  const policy = await loadPolicy(db, tenantId);
  const queues = Object.entries(policy.exceptionOwners)
    .filter(([, p]) => p.aadObjectId === oid)
    .map(([q]) => q);
  const rows = await db
    .select()
    .from(exceptionsTable)
    .where(
      and(
        eq(exceptionsTable.tenantId, tenantId),
        eq(exceptionsTable.status, 'open'),
        or(inArray(exceptionsTable.owner, [...queues, oid]), eq(exceptionsTable.assignee, oid)),
      ),
    )
    .orderBy(desc(exceptionsTable.createdAt))
    .limit(100);
  return rows.map((e) => ({
    id: e.id,
    rule: e.code,
    reason: e.reason,
    owner: e.owner,
    suggestedFix: e.suggestedFix,
    raisedAt: e.createdAt,
  }));
}

/**
 * Who owns an exception, as the Entra object id of the person (an owner queue resolves through the
 * policy); undefined when the tenant has no such exception.
 */
export async function exceptionOwner(db: Db, tenantId: string, id: string): Promise<string | undefined> {
  const policy = await loadPolicy(db, tenantId);
  const [e] = await db
    .select()
    .from(exceptionsTable)
    .where(and(eq(exceptionsTable.tenantId, tenantId), eq(exceptionsTable.id, id)))
    .limit(1);
  if (!e) return undefined;
  return policy.exceptionOwners[e.owner]?.aadObjectId ?? e.owner;
}

/**
 * Whether a Teams person may act on an exception: its owner (the queue's person) or the person it is assigned
 * to. Undefined when the tenant has no such exception.
 */
export async function mayActOnException(
  db: Db,
  tenantId: string,
  id: string,
  oid: string,
): Promise<boolean | undefined> {
  const owner = await exceptionOwner(db, tenantId, id);
  if (owner === undefined) return undefined;
  if (owner === oid) return true;
  const [e] = await db
    .select({ assignee: exceptionsTable.assignee })
    .from(exceptionsTable)
    .where(and(eq(exceptionsTable.tenantId, tenantId), eq(exceptionsTable.id, id)))
    .limit(1);
  return e?.assignee === oid;
}
