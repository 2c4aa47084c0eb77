import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../worker/db/client';
import { activationsTable, idempotencyKeysTable } from '../../worker/db/schema';
import type { Env } from '../../worker/env';
import worker from '../../worker/index';
import { fastWorkflows, newTenant, waitForActivation } from './harness';

const NORTHWIND = '006000000000001AAA';

describe('the cron sweep', () => {
  it('launches an activation that was recorded but whose workflow never started, and expires old idempotency keys', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    const db = getDb(env as unknown as Env);
    const old = new Date(Date.now() - 5 * 60_000).toISOString();
    // As if the worker died between writing the activation (our outbox record) and creating its workflow.
    await db.insert(activationsTable).values({
      id: `act_stranded_${t.tenantId}`,
      tenantId: t.tenantId,
      opportunityId: NORTHWIND,
      crmRecordId: NORTHWIND,
      status: 'queued',
      workflowInstanceId: `act_stranded_${t.tenantId}-1`,
      workflowStarted: false,
      correlationId: 'stranded-1',
      updatedAt: old,
    });
    await db.insert(idempotencyKeysTable).values({
      tenantId: t.tenantId,
      principal: 'k',
      route: 'r',
      key: 'expired',
      fingerprint: 'f',
      state: 'done',
      expiresAt: old,
    });

    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ cron: '*/5 * * * *', scheduledTime: Date.now() }),
      env as unknown as Env,
      ctx,
    );
    await waitOnExecutionContext(ctx);

    const view = await waitForActivation(t, NORTHWIND);
    expect(view.status).toBe('active');
    const [row] = await db
      .select()
      .from(activationsTable)
      .where(and(eq(activationsTable.tenantId, t.tenantId), eq(activationsTable.opportunityId, NORTHWIND)));
    expect(row?.workflowStarted).toBe(true);
    const keys = await db
      .select()
      .from(idempotencyKeysTable)
      .where(eq(idempotencyKeysTable.tenantId, t.tenantId));
    expect(keys).toEqual([]);
  });
});
