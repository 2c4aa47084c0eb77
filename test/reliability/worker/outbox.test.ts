import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../../worker/db/client';
import { activationsTable, deliveryItemsTable } from '../../../worker/db/schema';
import type { Env } from '../../../worker/env';
import worker from '../../../worker/index';
import { findUserByEmail, logApprovedTime, staffPerson } from '../../emulators/kantata/demo-actions';
import { kantataActor } from '../../support/delivery-demo';
import {
  activate,
  effects,
  fastWorkflows,
  newTenant,
  psaProjectIdOf,
  syncNow,
  waitForActivation,
  waitForReadiness,
} from '../../worker/harness';
import { SEEDED, withSeed } from '../seed';
import { allWriteEffects, GLOBEX, sleep } from './support';

const db = () => getDb(env as unknown as Env);

async function cron() {
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ cron: '*/5 * * * *', scheduledTime: Date.now() }),
    env as unknown as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

describe(`outbox: a record committed whose follow-up was lost is completed by the sweep, once ${SEEDED}`, () => {
  it('an activation row whose workflow launch died: concurrent sweeps launch exactly one workflow', () =>
    withSeed(async () => {
      await using _wf = await fastWorkflows();
      const reference = await newTenant();
      await activate(reference, GLOBEX);
      const refView = await waitForActivation(reference, GLOBEX);
      expect(refView.status).toBe('active');

      const t = await newTenant();
      const old = new Date(Date.now() - 5 * 60_000).toISOString();
      const id = `act_outbox_${t.tenantId}`;
      await db()
        .insert(activationsTable)
        .values({
          id,
          tenantId: t.tenantId,
          opportunityId: GLOBEX,
          crmRecordId: GLOBEX,
          status: 'queued',
          workflowInstanceId: `${id}-1`,
          workflowStarted: false,
          correlationId: 'outbox-1',
          updatedAt: old,
        });
      // Three cron ticks race (overlapping invocations), then one more after the launch.
      await Promise.all([cron(), cron(), cron()]);
      const view = await waitForActivation(t, GLOBEX);
      await cron();
      expect(view.status).toBe('active');
      expect(view.id).toBe(id);
      expect(view.attempt).toBe(1);
      const rows = await db()
        .select()
        .from(activationsTable)
        .where(eq(activationsTable.tenantId, t.tenantId));
      expect(rows).toHaveLength(1);
      expect(rows[0]?.workflowStarted).toBe(true);
      // Exactly one workflow's worth of effects: the same as a normal click's.
      expect(await allWriteEffects(t)).toEqual(await allWriteEffects(reference));
      expect((await effects(t, 'kantata'))['workspace.create']).toBe(1);
    }));

  it('a delivery item committed as queued whose posting message was lost is re-sent by the sweep and posted once', () =>
    withSeed(async () => {
      await using _wf = await fastWorkflows();
      const t = await newTenant();
      await activate(t, GLOBEX);
      const ws = psaProjectIdOf(await waitForActivation(t, GLOBEX));
      const actor = kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken);
      const dev = (await findUserByEmail(actor, 'dev.patel@lumenpartners.example'))!;
      await staffPerson(actor, ws, dev, 'Analyst');
      await logApprovedTime(actor, [{ workspaceId: ws, userId: dev, date: '2026-11-17', minutes: 90 }]);
      await syncNow(t);
      await waitForReadiness(t, ws, (r) => r.counts.posted === 1);
      expect((await effects(t, 'netsuite'))['timeBill.create']).toBe(1);

      // The same kind of item, committed as queued 10 minutes ago; its queue send never happened.
      const [template] = await db()
        .select()
        .from(deliveryItemsTable)
        .where(eq(deliveryItemsTable.tenantId, t.tenantId));
      const lost = `time:lost-${crypto.randomUUID().slice(0, 8)}`;
      const old = new Date(Date.now() - 10 * 60_000).toISOString();
      await db()
        .insert(deliveryItemsTable)
        .values({
          ...template!,
          id: lost,
          entry: { ...template!.entry, psaId: lost.slice(5), notes: 'message lost after commit' },
          state: 'queued',
          erpId: null,
          postedAt: null,
          correlationId: 'lost-message',
          createdAt: old,
          updatedAt: old,
        });
      const where = and(eq(deliveryItemsTable.tenantId, t.tenantId), eq(deliveryItemsTable.id, lost));
      // Overlapping sweeps may each send it: the consumer and the ERP's external id keep it to one post.
      await Promise.all([cron(), cron()]);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [row] = await db().select().from(deliveryItemsTable).where(where);
        if (row?.state === 'posted') break;
        if (Date.now() > deadline) throw new Error(`not posted: ${JSON.stringify(row)}`);
        await sleep(100);
      }
      await cron();
      await sleep(500);
      const [row] = await db().select().from(deliveryItemsTable).where(where);
      expect(row?.state).toBe('posted');
      expect(row?.erpId).toBeTruthy();
      expect((await effects(t, 'netsuite'))['timeBill.create']).toBe(2);
      expect((await effects(t, 'netsuite'))['timeBill.update'] ?? 0).toBe(0);
    }));
});
