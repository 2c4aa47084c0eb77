import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { exceptionsTable, exceptionTagsTable } from '../../db/schema';
import { ApiError } from '../../http/api-error';
import { audit } from '../audit';
import type { ExceptionCtx } from './resolve-exception';
import { who } from './resolve-exception';

/** An exception carries at most this many tags. */
export const MAX_TAGS = 20;

type AnnotateCtx = Omit<ExceptionCtx, 'env'>;

async function find(db: Db, tenantId: string, id: string) {
  const [row] = await db
    .select()
    .from(exceptionsTable)
    .where(and(eq(exceptionsTable.tenantId, tenantId), eq(exceptionsTable.id, id)))
    .limit(1);
  if (!row) throw new ApiError('NOT_FOUND', `No exception ${id}.`);
  return row;
}

/**
 * Give an exception to a person (or to nobody: null), whatever its status; audited with before and after.
 * The console, the API and the Teams card's Reassign all come here.
 */
export async function assignException(
  ctx: AnnotateCtx,
  id: string,
  assignee: string | null,
): Promise<{ id: string; assignee: string | null; changed: boolean }> {
  const row = await find(ctx.db, ctx.tenantId, id);
  if (row.assignee === assignee) return { id, assignee, changed: false };
  await ctx.db
    .update(exceptionsTable)
    .set({ assignee, updatedAt: new Date().toISOString() })
    .where(and(eq(exceptionsTable.tenantId, ctx.tenantId), eq(exceptionsTable.id, id)));
  await audit(ctx.db, {
    tenantId: ctx.tenantId,
    correlationId: ctx.correlationId,
    actor: ctx.actor,
    action: 'exception.assigned',
    subjectType: 'exception',
    subjectId: id,
    detail: { before: { assignee: row.assignee }, after: { assignee }, ...who(ctx) },
  });
  return { id, assignee, changed: true };
}

/** Add and remove tags on an exception; audited with what actually changed. */
export async function tagException(
  ctx: AnnotateCtx,
  id: string,
  change: { add: string[]; remove: string[] },
): Promise<{ id: string; tags: string[]; changed: boolean }> {
  const both = change.add.filter((t) => change.remove.includes(t));
  if (both.length)
    throw new ApiError('BAD_REQUEST', 'A tag cannot be added and removed at once.', [
      { field: 'remove', message: `also in add: ${both.join(', ')}`, fix: 'Send each tag in one list only.' },
    ]);
  await find(ctx.db, ctx.tenantId, id);
  const current = async () =>
    (
      await ctx.db
        .select({ tag: exceptionTagsTable.tag })
        .from(exceptionTagsTable)
        .where(and(eq(exceptionTagsTable.tenantId, ctx.tenantId), eq(exceptionTagsTable.exceptionId, id)))
    )
      .map((r) => r.tag)
      .sort();
  const before = await current();
  const added = [...new Set(change.add)].filter((t) => !before.includes(t));
  const removed = [...new Set(change.remove)].filter((t) => before.includes(t));
  if (before.length + added.length - removed.length > MAX_TAGS)
    throw new ApiError('VALIDATION_FAILED', `An exception carries at most ${MAX_TAGS} tags.`, [
      { field: 'add', message: `would make more than ${MAX_TAGS}`, fix: 'Remove some tags first.' },
    ]);
  if (added.length === 0 && removed.length === 0) return { id, tags: before, changed: false };
  if (added.length)
    await ctx.db
      .insert(exceptionTagsTable)
      .values(added.map((tag) => ({ tenantId: ctx.tenantId, exceptionId: id, tag })))
      .onConflictDoNothing();
  if (removed.length)
    await ctx.db
      .delete(exceptionTagsTable)
      .where(
        and(
          eq(exceptionTagsTable.tenantId, ctx.tenantId),
          eq(exceptionTagsTable.exceptionId, id),
          inArray(exceptionTagsTable.tag, removed),
        ),
      );
  const after = await current();
  await audit(ctx.db, {
    tenantId: ctx.tenantId,
    correlationId: ctx.correlationId,
    actor: ctx.actor,
    action: 'exception.tagged',
    subjectType: 'exception',
    subjectId: id,
    detail: { added, removed, before: { tags: before }, after: { tags: after }, ...who(ctx) },
  });
  return { id, tags: after, changed: true };
}
