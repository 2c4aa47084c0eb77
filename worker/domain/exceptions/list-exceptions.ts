import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { exceptionsTable } from '../../db/schema';

export interface ExceptionFilter {
  status?: 'open' | 'retrying' | 'resolved' | 'skipped';
  projectKey?: string;
  limit: number;
}

/** The tenant's exception queue, newest first, each with its age. */
export async function listExceptions(db: Db, tenantId: string, filter: ExceptionFilter) {
  const conds = [eq(exceptionsTable.tenantId, tenantId)];
  if (filter.status) conds.push(eq(exceptionsTable.status, filter.status));
  if (filter.projectKey) conds.push(eq(exceptionsTable.projectKey, filter.projectKey));
  const rows = await db
    .select()
    .from(exceptionsTable)
    .where(and(...conds))
    .orderBy(desc(exceptionsTable.createdAt))
    .limit(filter.limit);
  const now = Date.now();
  return rows.map((r) => ({
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
    ageSeconds: Math.max(0, Math.round((now - Date.parse(r.createdAt)) / 1000)),
    createdAt: r.createdAt,
  }));
}
