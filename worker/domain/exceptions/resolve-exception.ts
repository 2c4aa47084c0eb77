import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { CalendarDateSchema } from '../../../shared/model/calendar-date';
import type { Expense, TimeEntry } from '../../../shared/model/delivery';
import { nonBlank } from '../../../shared/model/text';
import type { Db } from '../../db/client';
import { activationsTable, deliveryItemsTable, exceptionsTable } from '../../db/schema';
import type { Env } from '../../env';
import { ApiError } from '../../http/api-error';
import { startActivation } from '../activation/start-activation';
import { audit } from '../audit';
import { billingContext, projectByContract } from '../billing/project-context';
import { decideExpense, decideTimeEntry } from '../billing/rules';

export const ExceptionEditSchema = z
  .object({
    role: nonBlank(80).optional(),
    minutes: z
      .number()
      .int()
      .positive()
      .max(24 * 60)
      .optional(),
    date: CalendarDateSchema.optional(),
    billable: z.boolean().optional(),
    /** Post at the contract's rate instead of the rate the PSA applied. */
    postAtContractRate: z.boolean().optional(),
  })
  .strict()
  .refine((e) => Object.keys(e).length > 0, 'Send at least one change')
  .meta({ id: 'ExceptionEdit', description: 'The corrections to a held time entry or expense.' });
export type ExceptionEdit = z.infer<typeof ExceptionEditSchema>;

/** Who acts on an exception and where: the same for the API, the console, Teams and bulk jobs. */
export interface ExceptionCtx {
  db: Db;
  env: Env;
  tenantId: string;
  /** The authenticated actor (`key:{id}`, a Teams user), never a name typed in a request body. */
  actor: string;
  correlationId: string;
  /** The authenticated principal's details, for the audit row. */
  principal?: Record<string, string>;
  /** A name the caller typed ("on behalf of"), unverified: kept as a labelled note only. */
  note?: string;
  /** The bulk job acting, recorded on each item's audit row. */
  jobId?: string;
}
type Ctx = ExceptionCtx;

/** What every exception audit row carries besides its own detail: the principal and the caller's note. */
export function who(ctx: Omit<Ctx, 'env'>) {
  return {
    ...(ctx.principal ? { principal: ctx.principal } : {}),
    ...(ctx.note ? { note: { statedBy: ctx.note, verified: false } } : {}),
    ...(ctx.jobId ? { jobId: ctx.jobId } : {}),
  };
}

async function load(ctx: Ctx, id: string) {
  const [row] = await ctx.db
    .select()
    .from(exceptionsTable)
    .where(and(eq(exceptionsTable.tenantId, ctx.tenantId), eq(exceptionsTable.id, id)))
    .limit(1);
  if (!row) throw new ApiError('NOT_FOUND', `No exception ${id}.`);
  if (row.status === 'resolved' || row.status === 'skipped')
    throw new ApiError('CONFLICT', `Exception ${id} is already ${row.status}.`);
  return row;
}

async function close(ctx: Ctx, id: string, status: 'resolved' | 'skipped', note: string) {
  await ctx.db
    .update(exceptionsTable)
    .set({ status, resolvedBy: ctx.actor, resolutionNote: note, updatedAt: new Date().toISOString() })
    .where(and(eq(exceptionsTable.tenantId, ctx.tenantId), eq(exceptionsTable.id, id)));
}

/** Decide a held entry again (with edits, if any); queue it when it now passes, refuse with the reason when not. */
async function requeueItem(ctx: Ctx, itemId: string, edit?: ExceptionEdit) {
  const [item] = await ctx.db
    .select()
    .from(deliveryItemsTable)
    .where(and(eq(deliveryItemsTable.tenantId, ctx.tenantId), eq(deliveryItemsTable.id, itemId)))
    .limit(1);
  if (!item) throw new ApiError('NOT_FOUND', `The entry ${itemId} behind this exception is gone.`);
  if (item.state === 'posted') return { state: 'posted' as const };
  const project = await projectByContract(ctx.db, ctx.tenantId, item.contractKey);
  if (!project) throw new ApiError('CONFLICT', 'The project is no longer linked.');
  const entry = { ...(item.entry as Record<string, unknown>) };
  if (edit) {
    if (edit.role) entry.role = edit.role;
    if (edit.minutes) entry.minutes = edit.minutes;
    if (edit.date) entry.date = edit.date;
    if (edit.billable !== undefined) entry.billable = edit.billable;
    if (edit.postAtContractRate) delete entry.psaRate;
  }
  const ctxBilling = await billingContext(ctx.db, project);
  const decision =
    item.kind === 'time'
      ? decideTimeEntry(entry as unknown as TimeEntry, project.contract, ctxBilling)
      : decideExpense(entry as unknown as Expense, project.contract, ctxBilling);
  if (decision.action === 'hold') {
    throw new ApiError('VALIDATION_FAILED', `Still refused: ${decision.reason}`, [
      { field: decision.rule, message: decision.reason, fix: decision.fix },
    ]);
  }
  await ctx.db
    .update(deliveryItemsTable)
    .set({
      entry,
      state: 'queued',
      billable: decision.billable,
      amountMinor: decision.billable ? decision.amount.amountMinor : 0,
      rateMinor: decision.rate?.amountMinor ?? null,
      rule: null,
      note: edit ? `Edited by ${ctx.actor}: ${decision.note}` : decision.note,
      correlationId: ctx.correlationId,
      updatedAt: new Date().toISOString(),
    })
    .where(and(eq(deliveryItemsTable.tenantId, ctx.tenantId), eq(deliveryItemsTable.id, itemId)));
  await ctx.env.POSTING_QUEUE.send({ tenantId: ctx.tenantId, itemId, correlationId: ctx.correlationId });
  return { state: 'queued' as const, before: item.entry, after: entry };
}

/** Retry what failed: re-check and post a held entry, resume an activation, or create a failed invoice. */
export async function retryException(ctx: Ctx, id: string) {
  const ex = await load(ctx, id);
  const detail = (ex.detail ?? {}) as Record<string, unknown>;
  if ((ex.source === 'delivery' || ex.source === 'posting') && typeof detail.itemId === 'string') {
    const out = await requeueItem(ctx, detail.itemId);
    await close(ctx, id, 'resolved', `Retried by ${ctx.actor}: ${out.state}`);
  } else if (ex.source === 'activation') {
    const [act] = await ctx.db
      .select()
      .from(activationsTable)
      .where(
        and(eq(activationsTable.tenantId, ctx.tenantId), eq(activationsTable.opportunityId, ex.subjectId)),
      )
      .limit(1);
    if (!act) throw new ApiError('NOT_FOUND', 'The activation behind this exception is gone.');
    await startActivation({
      db: ctx.db,
      env: ctx.env,
      tenantId: ctx.tenantId,
      actor: ctx.actor,
      correlationId: ctx.correlationId,
      crmRecordId: act.crmRecordId,
      opportunityId: act.opportunityId,
    });
  } else if (ex.source === 'invoice' && typeof detail.approvalId === 'string') {
    await ctx.env.MILESTONE_INVOICE_WORKFLOW.create({
      id: `inv-${detail.approvalId}-r${Date.now()}`,
      params: {
        tenantId: ctx.tenantId,
        approvalId: detail.approvalId,
        contractKey: ex.projectKey ?? '',
        milestoneKey: ex.subjectId,
        correlationId: ctx.correlationId,
        actor: ctx.actor,
      },
    });
    await close(ctx, id, 'resolved', `Retried by ${ctx.actor}`);
  } else {
    throw new ApiError(
      'CONFLICT',
      'This exception cannot be retried automatically; skip it with a reason once handled.',
    );
  }
  await audit(ctx.db, {
    tenantId: ctx.tenantId,
    correlationId: ctx.correlationId,
    actor: ctx.actor,
    action: 'exception.retried',
    subjectType: 'exception',
    subjectId: id,
    detail: { before: { status: ex.status }, after: { status: 'resolved' }, ...who(ctx) },
  });
}

export async function editAndRetryException(ctx: Ctx, id: string, edit: ExceptionEdit) {
  const ex = await load(ctx, id);
  const itemId = (ex.detail as Record<string, unknown> | null)?.itemId;
  if (typeof itemId !== 'string')
    throw new ApiError(
      'CONFLICT',
      'Only a held time entry or expense can be edited; retry or skip this one.',
    );
  const out = await requeueItem(ctx, itemId, edit);
  await close(ctx, id, 'resolved', `Edited and retried by ${ctx.actor}`);
  await audit(ctx.db, {
    tenantId: ctx.tenantId,
    correlationId: ctx.correlationId,
    actor: ctx.actor,
    action: 'exception.edited',
    subjectType: 'exception',
    subjectId: id,
    detail: {
      edit,
      before: { status: ex.status, entry: out.before ?? null },
      after: { status: 'resolved', entry: out.after ?? null },
      ...who(ctx),
    },
  });
}

export async function skipException(ctx: Ctx, id: string, reason: string) {
  const ex = await load(ctx, id);
  const itemId = (ex.detail as Record<string, unknown> | null)?.itemId;
  if (typeof itemId === 'string') {
    await ctx.db
      .update(deliveryItemsTable)
      .set({
        state: 'skipped',
        note: `Skipped by ${ctx.actor}: ${reason}`,
        updatedAt: new Date().toISOString(),
      })
      .where(and(eq(deliveryItemsTable.tenantId, ctx.tenantId), eq(deliveryItemsTable.id, itemId)));
  }
  await close(ctx, id, 'skipped', reason);
  await audit(ctx.db, {
    tenantId: ctx.tenantId,
    correlationId: ctx.correlationId,
    actor: ctx.actor,
    action: 'exception.skipped',
    subjectType: 'exception',
    subjectId: id,
    detail: { reason, before: { status: ex.status }, after: { status: 'skipped' }, ...who(ctx) },
  });
}
