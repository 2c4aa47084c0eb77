import { env } from 'cloudflare:workers';
import { and, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { getDb } from '../../../worker/db/client';
import { deliveryItemsTable } from '../../../worker/db/schema';
import type { Env } from '../../../worker/env';
import { findUserByEmail, logApprovedTime, staffPerson } from '../../emulators/kantata/demo-actions';
import { kantataActor } from '../../support/delivery-demo';
import {
  activate,
  effects,
  newTenant,
  psaProjectIdOf,
  syncNow,
  waitForActivation,
  waitForReadiness,
} from '../../worker/harness';
import { GLOBEX } from './support';

export const db = () => getDb(env as unknown as Env);

/**
 * An activated Globex project with one entry posted the normal way, plus `n` more items committed as
 * queued (copies of the real one with their own PSA ids) whose posting messages the test delivers itself.
 */
export async function projectWithQueuedItems(n: number, label: string) {
  const t = await newTenant();
  await activate(t, GLOBEX);
  const ws = psaProjectIdOf(await waitForActivation(t, GLOBEX));
  const actor = kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken);
  const dev = (await findUserByEmail(actor, 'dev.patel@lumenpartners.example'))!;
  await staffPerson(actor, ws, dev, 'Analyst');
  await logApprovedTime(actor, [{ workspaceId: ws, userId: dev, date: '2026-11-17', minutes: 60 }]);
  await syncNow(t);
  await waitForReadiness(t, ws, (r) => r.counts.posted === 1);
  expect((await effects(t, 'netsuite'))['timeBill.create']).toBe(1);
  const [template] = await db()
    .select()
    .from(deliveryItemsTable)
    .where(eq(deliveryItemsTable.tenantId, t.tenantId));
  const now = new Date().toISOString();
  const ids = Array.from({ length: n }, (_, i) => `time:${label}-${i}`);
  // D1 allows 100 bound variables per statement: 4 rows of 21 columns.
  for (let i = 0; i < ids.length; i += 4)
    await db()
      .insert(deliveryItemsTable)
      .values(
        ids.slice(i, i + 4).map((id) => ({
          ...template!,
          id,
          entry: { ...template!.entry, psaId: id.slice(5), notes: `chaos ${id}` },
          state: 'queued' as const,
          erpId: null,
          postedAt: null,
          correlationId: `chaos-${label}`,
          createdAt: now,
          updatedAt: now,
        })),
      );
  return { t, ws, ids };
}

export async function itemStates(tenantId: string, ids: string[]) {
  const rows = await db()
    .select()
    .from(deliveryItemsTable)
    .where(and(eq(deliveryItemsTable.tenantId, tenantId)));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)!);
}
