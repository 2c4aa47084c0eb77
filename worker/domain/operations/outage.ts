import { and, eq, exists, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { connectionStatusTable, deliveryItemsTable, linksTable, outageWaitersTable } from '../../db/schema';
import { connectionMonitor } from '../../durable-objects/connection-monitor';
import { intakeLane } from '../../durable-objects/intake-lane';
import type { Env } from '../../env';
import { log } from '../../http/logger';
import { audit } from '../audit';
import { type Connectors, loadConnectors } from '../tenancy/connectors';
import {
  isOffline,
  type MonitoredRole,
  markOnline,
  noteCheckFailed,
  OUTAGE_ROLES,
  type OutageRole,
  offlineConnections,
} from './connection-status';

const ROLE_LABEL: Record<OutageRole, string> = { crm: 'CRM', psa: 'PSA', erp: 'ERP' };
export const waitingNote = (role: OutageRole) =>
  `Waiting: the ${ROLE_LABEL[role]} is offline. Handoff re-tests it every 5 minutes and carries on by itself when it answers.`;

/**
 * Park queued postings while the ERP is offline: their messages are acked and they wait, visibly, for the
 * re-test. Only while the connection is still marked offline (one statement, so a re-test that marks it online
 * in between is never missed: an item not parked here is retried by its message). Answers the parked ids.
 */
export async function parkForOutage(db: Db, tenantId: string, itemIds: string[]): Promise<Set<string>> {
  const parked = new Set<string>();
  const at = new Date().toISOString();
  for (let i = 0; i < itemIds.length; i += 90) {
    const rows = await db
      .update(deliveryItemsTable)
      .set({ waitingFor: 'erp', note: waitingNote('erp'), updatedAt: at })
      .where(
        and(
          eq(deliveryItemsTable.tenantId, tenantId),
          inArray(deliveryItemsTable.id, itemIds.slice(i, i + 90)),
          eq(deliveryItemsTable.state, 'queued'),
          exists(
            db
              .select({ role: connectionStatusTable.role })
              .from(connectionStatusTable)
              .where(
                and(
                  eq(connectionStatusTable.tenantId, tenantId),
                  eq(connectionStatusTable.role, 'erp'),
                  eq(connectionStatusTable.state, 'offline'),
                ),
              ),
          ),
        ),
      )
      .returning({ id: deliveryItemsTable.id });
    for (const r of rows) parked.add(r.id);
  }
  return parked;
}

/**
 * A workflow step starts waiting for `role`. Registered first, then checked again: a re-test that brought the
 * connection back before the registration was seen answers false (no wait), one after it will wake the step.
 */
export async function registerOutageWaiter(
  db: Db,
  w: {
    tenantId: string;
    role: OutageRole;
    workflow: 'activation' | 'amendment';
    instanceId: string;
    eventType: string;
  },
): Promise<boolean> {
  await db.insert(outageWaitersTable).values(w).onConflictDoNothing();
  if (await isOffline(db, w.tenantId, w.role)) return true;
  await db
    .delete(outageWaitersTable)
    .where(
      and(
        eq(outageWaitersTable.workflow, w.workflow),
        eq(outageWaitersTable.instanceId, w.instanceId),
        eq(outageWaitersTable.eventType, w.eventType),
      ),
    );
  return false;
}

/** The cheap real read each role's re-test makes through its connector (and so through the ERP governor). */
async function probe(c: Connectors, role: OutageRole): Promise<void> {
  if (role === 'crm') await c.crm.whoAmI();
  else if (role === 'psa') await c.psa.probe();
  else await c.erp.probe();
}

/** Send every held-for-outage posting of the firm to the queue again: each is claimed (and sent) once. */
async function resumePostings(env: Env, db: Db, tenantId: string, correlationId: string): Promise<number> {
  let sent = 0;
  for (;;) {
    const batch = db
      .select({ id: deliveryItemsTable.id })
      .from(deliveryItemsTable)
      .where(and(eq(deliveryItemsTable.tenantId, tenantId), eq(deliveryItemsTable.waitingFor, 'erp')))
      .limit(500);
    const claimed = await db
      .update(deliveryItemsTable)
      .set({ waitingFor: null, note: 'Resumed: the ERP is back online', updatedAt: new Date().toISOString() })
      .where(
        and(
          eq(deliveryItemsTable.tenantId, tenantId),
          eq(deliveryItemsTable.waitingFor, 'erp'),
          inArray(deliveryItemsTable.id, batch),
        ),
      )
      .returning({ id: deliveryItemsTable.id, state: deliveryItemsTable.state });
    if (claimed.length === 0) return sent;
    const queued = claimed.filter((r) => r.state === 'queued');
    // Should a send fail, the items are queued without a message: the cron's sweep of stale queued items sends them.
    for (let i = 0; i < queued.length; i += 100)
      await env.POSTING_QUEUE.sendBatch(
        queued.slice(i, i + 100).map((r) => ({ body: { tenantId, itemId: r.id, correlationId } })),
      );
    sent += queued.length;
  }
}

/** Wake the workflow steps waiting for the connection (each with its own event). */
async function wakeWorkflows(env: Env, db: Db, tenantId: string, role: OutageRole): Promise<number> {
  const waiters = await db
    .select()
    .from(outageWaitersTable)
    .where(and(eq(outageWaitersTable.tenantId, tenantId), eq(outageWaitersTable.role, role)));
  let woken = 0;
  for (const w of waiters) {
    const binding = w.workflow === 'activation' ? env.ACTIVATION_WORKFLOW : env.AMENDMENT_WORKFLOW;
    try {
      const instance = await binding.get(w.instanceId);
      await instance.sendEvent({ type: w.eventType, payload: { role } });
      woken += 1;
    } catch (e) {
      // Finished or gone meanwhile; a step that still waits looks again at its timeout.
      log('warn', 'could not wake a waiting workflow', {
        correlationId: w.instanceId,
        tenantId,
        error: String(e),
      });
    }
    await db
      .delete(outageWaitersTable)
      .where(
        and(
          eq(outageWaitersTable.workflow, w.workflow),
          eq(outageWaitersTable.instanceId, w.instanceId),
          eq(outageWaitersTable.eventType, w.eventType),
        ),
      );
  }
  return woken;
}

/** The firm's intake lanes (one per active PSA project, and its lane of unknown projects) look again now. */
async function wakeIntakeLanes(env: Env, db: Db, tenantId: string): Promise<void> {
  const projects = await db
    .select({ id: linksTable.externalId })
    .from(linksTable)
    .where(
      and(eq(linksTable.tenantId, tenantId), eq(linksTable.role, 'psa'), eq(linksTable.kind, 'project')),
    );
  const lanes = [undefined, ...projects.map((p) => p.id)];
  // A few at a time: a Worker keeps at most six connections open.
  for (let i = 0; i < lanes.length; i += 6)
    await Promise.all(
      lanes.slice(i, i + 6).map((id) =>
        intakeLane(env, tenantId, id)
          .resumeAfterOutage()
          .catch((e: unknown) =>
            log('warn', 'could not wake an intake lane', {
              correlationId: `outage-${tenantId}`,
              tenantId,
              error: String(e),
            }),
          ),
      ),
    );
}

/**
 * The cron's re-test of offline connections: one cheap real read through each connector. When it answers, the
 * connection is marked online (by one caller only) and its waiting work resumes by itself: postings held for the
 * outage go back to the queue once, waiting workflow steps are woken.
 */
export async function retestOfflineConnections(env: Env, db: Db, correlationId: string) {
  const due = await offlineConnections(db);
  const back: { tenantId: string; role: MonitoredRole; postings: number; workflows: number }[] = [];
  for (const row of due) {
    if (!OUTAGE_ROLES.includes(row.role)) continue;
    const role = row.role as OutageRole;
    try {
      await probe(await loadConnectors(env, db, row.tenantId), role);
    } catch (e) {
      await noteCheckFailed(db, row.tenantId, role, e instanceof Error ? e.message : String(e));
      continue;
    }
    await connectionMonitor(env, row.tenantId).markOnline(role);
    if (!(await markOnline(db, row.tenantId, role))) continue;
    const postings = role === 'erp' ? await resumePostings(env, db, row.tenantId, correlationId) : 0;
    const workflows = await wakeWorkflows(env, db, row.tenantId, role);
    await wakeIntakeLanes(env, db, row.tenantId);
    await audit(db, {
      tenantId: row.tenantId,
      correlationId,
      actor: 'handoff',
      action: 'connection.online',
      subjectType: 'connection',
      subjectId: role,
      detail: {
        system: row.system,
        offlineSince: row.since,
        resumedPostings: postings,
        wokenWorkflows: workflows,
      },
    });
    back.push({ tenantId: row.tenantId, role, postings, workflows });
  }
  // Postings still parked for an ERP that is online (a resume cut short): sent now, each once.
  const stranded = await db
    .selectDistinct({ tenantId: deliveryItemsTable.tenantId })
    .from(deliveryItemsTable)
    .where(eq(deliveryItemsTable.waitingFor, 'erp'))
    .limit(100);
  for (const { tenantId } of stranded)
    if (!(await isOffline(db, tenantId, 'erp'))) await resumePostings(env, db, tenantId, correlationId);
  return { checked: due.length, back };
}
