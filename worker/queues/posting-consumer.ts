import { and, eq, inArray } from 'drizzle-orm';
import type { Expense, TimeEntry } from '../../shared/model/delivery';
import { money } from '../../shared/model/money';
import type { ErpExpenseLine, ErpPostResult, ErpTimeLine } from '../connectors/ports';
import { type Db, getDb } from '../db/client';
import { deliveryItemsTable, exceptionsTable } from '../db/schema';
import { describeItem } from '../domain/billing/describe-item';
import { projectByContract } from '../domain/billing/project-context';
import { randomToken } from '../domain/crypto';
import { deadLetterUpsert } from '../domain/dead-letters/record-dead-letter';
import { connectedSystem } from '../domain/exceptions/system';
import { isOffline } from '../domain/operations/connection-status';
import { parkForOutage } from '../domain/operations/outage';
import { loadConnectors } from '../domain/tenancy/connectors';
import type { Env } from '../env';
import { log } from '../http/logger';
import { backoffSeconds, retryBase } from './backoff';
import { type PostingMessage, PostingMessageSchema } from './messages';

type Item = typeof deliveryItemsTable.$inferSelect;

/** The ERP's key for an item: stable across retries and redeliveries, unique per tenant. */
export const erpKey = (tenantId: string, itemId: string) => `hoff-${tenantId}-${itemId.replace(':', '-')}`;

async function loadItems(db: Db, tenantId: string, ids: string[]): Promise<Map<string, Item>> {
  const out = new Map<string, Item>();
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await db
      .select()
      .from(deliveryItemsTable)
      .where(
        and(eq(deliveryItemsTable.tenantId, tenantId), inArray(deliveryItemsTable.id, ids.slice(i, i + 90))),
      );
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}

/**
 * Posts queued items to the ERP. Messages are acked one by one: a redelivered message whose item is
 * already posted is acked without a call (check before act), a retryable failure retries only its own
 * message with back-off, a permanent one holds the item in the exception queue. The ERP dedupes on each
 * line's external id, so a line posted by an attempt whose answer was lost is found, not doubled.
 */
export async function consumePosting(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = getDb(env);
  const byTenant = new Map<string, { msg: Message<unknown>; body: PostingMessage }[]>();
  for (const msg of batch.messages) {
    const parsed = PostingMessageSchema.safeParse(msg.body);
    if (!parsed.success) {
      // Retrying cannot fix a malformed message: let it reach the dead-letter queue and its exception.
      msg.retry();
      continue;
    }
    const list = byTenant.get(parsed.data.tenantId) ?? [];
    list.push({ msg, body: parsed.data });
    byTenant.set(parsed.data.tenantId, list);
  }

  for (const [tenantId, group] of byTenant) {
    const items = await loadItems(db, tenantId, [...new Set(group.map((g) => g.body.itemId))]);
    const pending: { msg: Message<unknown>; item: Item }[] = [];
    const seen = new Set<string>();
    for (const g of group) {
      const item = items.get(g.body.itemId);
      // Already posted, held, skipped, unknown, or a duplicate within this batch: nothing to do.
      if (item?.state !== 'queued' || seen.has(item.id)) {
        g.msg.ack();
        continue;
      }
      seen.add(item.id);
      pending.push({ msg: g.msg, item });
    }
    if (pending.length === 0) continue;
    // Outage mode: while the ERP is offline its postings wait (visibly) instead of burning retries into
    // dead letters and an exception each; the cron's re-test sends them again when it is back.
    if (await isOffline(db, tenantId, 'erp')) {
      await waitForErp(env, db, tenantId, pending);
      continue;
    }

    try {
      const connectors = await loadConnectors(env, db, tenantId);
      const projects = new Map<string, Awaited<ReturnType<typeof projectByContract>>>();
      for (const key of new Set(pending.map((p) => p.item.contractKey)))
        projects.set(key, await projectByContract(db, tenantId, key));

      const timeLines: { line: ErpTimeLine; p: (typeof pending)[number] }[] = [];
      const expenseLines: { line: ErpExpenseLine; p: (typeof pending)[number] }[] = [];
      for (const p of pending) {
        const project = projects.get(p.item.contractKey);
        if (!project?.erpCustomerId || !project.erpProjectId) {
          p.msg.retry({ delaySeconds: backoffSeconds(p.msg.attempts, retryBase(env)) });
          continue;
        }
        const common = {
          key: erpKey(tenantId, p.item.id),
          customerId: project.erpCustomerId,
          projectId: project.erpProjectId,
        };
        if (p.item.kind === 'time') {
          const e = p.item.entry as unknown as TimeEntry;
          timeLines.push({
            p,
            line: {
              ...common,
              personName: e.personName,
              personEmail: e.personEmail,
              role: e.role,
              date: e.date,
              minutes: e.minutes,
              rate: money(p.item.rateMinor ?? 0, project.contract.currency),
              billable: p.item.billable,
              memo: `${e.notes ?? ''} [PSA ${e.psaId}]`.trim(),
            },
          });
        } else {
          const e = p.item.entry as unknown as Expense;
          expenseLines.push({
            p,
            line: {
              ...common,
              personName: e.personName,
              date: e.date,
              category: e.category,
              amount: e.amount,
              billable: p.item.billable,
              memo: `${e.notes ?? e.category} [PSA ${e.psaId}]`,
            },
          });
        }
      }
      const max = Math.max(1, connectors.erp.maxBatch);
      const outcomes: { p: (typeof pending)[number]; result: ErpPostResult }[] = [];
      for (let i = 0; i < timeLines.length; i += max) {
        const chunk = timeLines.slice(i, i + max);
        const results = await connectors.erp.postTimeEntries(chunk.map((c) => c.line));
        for (const [j, c] of chunk.entries()) outcomes.push({ p: c.p, result: results[j]! });
      }
      for (let i = 0; i < expenseLines.length; i += max) {
        const chunk = expenseLines.slice(i, i + max);
        const results = await connectors.erp.postExpenses(chunk.map((c) => c.line));
        for (const [j, c] of chunk.entries()) outcomes.push({ p: c.p, result: results[j]! });
      }
      await recordOutcomes(env, db, tenantId, outcomes);
    } catch (e) {
      // The whole call failed (token, network, governor): every message waits and tries again.
      log('warn', 'posting batch failed; will retry', {
        correlationId: pending[0]!.item.correlationId,
        tenantId,
        error: String(e),
        size: pending.length,
      });
      // This failure may be the one that took the ERP offline: then the postings wait for it.
      if (await isOffline(db, tenantId, 'erp').catch(() => false)) {
        await waitForErp(env, db, tenantId, pending);
        continue;
      }
      // The reason stays on the items: a dead letter (and the console) shows what the last attempt met.
      await noteRetrying(db, tenantId, pending, e);
      for (const p of pending) p.msg.retry({ delaySeconds: backoffSeconds(p.msg.attempts, retryBase(env)) });
    }
  }
}

/** Park the messages' items for the outage and ack them; an item the park missed (back online) retries. */
async function waitForErp(
  env: Env,
  db: Db,
  tenantId: string,
  pending: { msg: Message<unknown>; item: Item }[],
) {
  const parked = await parkForOutage(
    db,
    tenantId,
    pending.map((p) => p.item.id),
  );
  log('warn', 'ERP offline: postings wait', {
    correlationId: pending[0]!.item.correlationId,
    tenantId,
    parked: parked.size,
  });
  for (const p of pending) {
    if (parked.has(p.item.id)) p.msg.ack();
    else p.msg.retry({ delaySeconds: backoffSeconds(p.msg.attempts, retryBase(env)) });
  }
}

async function noteRetrying(
  db: Db,
  tenantId: string,
  pending: { msg: Message<unknown>; item: Item }[],
  error: unknown,
) {
  const note = `Retrying: ${(error instanceof Error ? error.message : String(error)).slice(0, 500)}`;
  const now = new Date().toISOString();
  const statements = pending.map((p) =>
    db
      .update(deliveryItemsTable)
      .set({ note, postAttempts: p.msg.attempts, updatedAt: now })
      .where(
        and(
          eq(deliveryItemsTable.tenantId, tenantId),
          eq(deliveryItemsTable.id, p.item.id),
          eq(deliveryItemsTable.state, 'queued'),
        ),
      ),
  );
  try {
    for (let i = 0; i < statements.length; i += 50) {
      const chunk = statements.slice(i, i + 50);
      if (chunk.length) await db.batch(chunk as [(typeof chunk)[number], ...(typeof chunk)[number][]]);
    }
  } catch (noteError) {
    // Only a note: the retry goes ahead without it.
    log('warn', 'could not note the retry reason', {
      correlationId: pending[0]?.item.correlationId ?? 'posting',
      tenantId,
      error: String(noteError),
    });
  }
}

async function recordOutcomes(
  env: Env,
  db: Db,
  tenantId: string,
  outcomes: { p: { msg: Message<unknown>; item: Item }; result: ErpPostResult }[],
) {
  const now = new Date().toISOString();
  const statements = [];
  for (const { p, result } of outcomes) {
    const where = and(eq(deliveryItemsTable.tenantId, tenantId), eq(deliveryItemsTable.id, p.item.id));
    if (result.ok) {
      statements.push(
        db
          .update(deliveryItemsTable)
          .set({ state: 'posted', erpId: result.id, postedAt: now, updatedAt: now })
          .where(where),
      );
    } else if (!result.retryable) {
      const exceptionId = p.item.exceptionId ?? `exc_${randomToken(12)}`;
      statements.push(
        db
          .update(deliveryItemsTable)
          .set({ state: 'held', rule: result.code, note: result.message, exceptionId, updatedAt: now })
          .where(where),
      );
      statements.push(
        db
          .insert(exceptionsTable)
          .values({
            id: exceptionId,
            tenantId,
            correlationId: p.item.correlationId,
            source: 'delivery',
            subjectType: p.item.kind === 'time' ? 'time_entry' : 'expense',
            subjectId: p.item.id.split(':')[1] ?? p.item.id,
            projectKey: p.item.contractKey,
            code: result.code,
            reason: `The ERP refused ${p.item.id}: ${result.message}`,
            title: describeItem(p.item.kind, p.item.entry),
            system: connectedSystem(tenantId, 'erp'),
            owner: 'finance-ops',
            suggestedFix:
              result.fix ??
              'Correct the record in the ERP setup (employee, item, project) named above, then retry.',
            status: 'open',
            detail: { itemId: p.item.id, field: result.field ?? null },
          })
          .onConflictDoNothing(),
      );
    } else {
      statements.push(
        db
          .update(deliveryItemsTable)
          .set({ note: `Retrying: ${result.message}`, postAttempts: p.msg.attempts, updatedAt: now })
          .where(where),
      );
    }
  }
  for (let i = 0; i < statements.length; i += 50) {
    const chunk = statements.slice(i, i + 50);
    if (chunk.length) await db.batch(chunk as [(typeof chunk)[number], ...(typeof chunk)[number][]]);
  }
  // Ack only once the outcome is stored: a crash before this line redelivers, and the ERP dedupes.
  for (const { p, result } of outcomes) {
    if (result.ok || !result.retryable) p.msg.ack();
    else p.msg.retry({ delaySeconds: backoffSeconds(p.msg.attempts, retryBase(env)) });
  }
}

/** The queue a dead-letter queue serves (`handoff-posting-dlq` → `handoff-posting`). */
const originalQueue = (dlq: string) => dlq.replace(/-dlq$/, '');

/** A tenant id only as far as it looks like one (a malformed message may carry anything). */
const tenantOf = (body: unknown) => {
  const t = (body as { tenantId?: unknown } | null)?.tenantId;
  return typeof t === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(t) ? t : 'unknown';
};

/**
 * Messages that exhausted their retries. Nothing is dropped: the item is held, an exception names it with the
 * correlation id of the click or event that produced it, and the dead letter is recorded (queue, message, why,
 * attempts, the exception) for the console's dead-letter view, where a person replays or discards it.
 */
export async function consumePostingDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = getDb(env);
  for (const msg of batch.messages) {
    const parsed = PostingMessageSchema.safeParse(msg.body);
    const body = parsed.success ? parsed.data : undefined;
    const tenantId = body?.tenantId ?? tenantOf(msg.body);
    const correlationId = body?.correlationId ?? msg.id;
    const [item] = body
      ? await db
          .select()
          .from(deliveryItemsTable)
          .where(and(eq(deliveryItemsTable.tenantId, tenantId), eq(deliveryItemsTable.id, body.itemId)))
          .limit(1)
      : [];
    if (item && item.state !== 'queued') {
      msg.ack();
      continue;
    }
    const exceptionId = item?.exceptionId ?? `exc_${randomToken(12)}`;
    const now = new Date().toISOString();
    // The dead-letter queue counts its own deliveries: the posting attempts are the item's.
    const attempts = Math.max(item?.postAttempts ?? 0, msg.attempts);
    const reason = !parsed.success
      ? 'The message could not be read (it is not a posting message).'
      : item?.note
        ? item.note.replace(/^Retrying: /, '')
        : item
          ? 'Every attempt failed before the ERP answered.'
          : `The entry ${body?.itemId} is not known to Handoff (removed, or never ingested).`;
    await db.batch([
      db
        .insert(exceptionsTable)
        .values({
          id: exceptionId,
          tenantId,
          correlationId,
          source: 'posting',
          subjectType: item?.kind === 'expense' ? 'expense' : 'time_entry',
          subjectId: item?.id ?? body?.itemId ?? msg.id,
          projectKey: item?.contractKey ?? null,
          code: 'POSTING_RETRIES_EXHAUSTED',
          reason: `Could not post ${item?.id ?? 'a message'} to the ERP after ${attempts} attempts${item?.note ? `: ${item.note}` : ''}`,
          title: item ? describeItem(item.kind, item.entry) : null,
          system: connectedSystem(tenantId, 'erp'),
          owner: 'finance-ops',
          suggestedFix:
            'Check the ERP connection and the record named, then retry this exception or replay its dead letter: it posts once.',
          status: 'open',
          detail: {
            itemId: item?.id ?? body?.itemId ?? null,
            message: parsed.success ? null : JSON.stringify(msg.body).slice(0, 500),
          },
        })
        .onConflictDoUpdate({
          target: exceptionsTable.id,
          set: { status: 'open', updatedAt: now },
        }),
      deadLetterUpsert(db, {
        tenantId,
        queue: originalQueue(batch.queue),
        subjectKey: body?.itemId ?? `message:${msg.id}`,
        messageId: msg.id,
        message: msg.body,
        itemId: body?.itemId ?? null,
        correlationId,
        attempts,
        reason,
        exceptionId,
      }),
      ...(item
        ? [
            db
              .update(deliveryItemsTable)
              .set({ state: 'held', rule: 'POSTING_RETRIES_EXHAUSTED', exceptionId, updatedAt: now })
              .where(and(eq(deliveryItemsTable.tenantId, tenantId), eq(deliveryItemsTable.id, item.id))),
          ]
        : []),
    ]);
    log('error', 'posting dead-lettered', {
      correlationId,
      tenantId,
      itemId: item?.id ?? null,
      attempts,
    });
    msg.ack();
  }
}
