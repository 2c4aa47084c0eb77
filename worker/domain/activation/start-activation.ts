import { and, eq, inArray } from 'drizzle-orm';
import type { ActivationView } from '../../../shared/api/activation';
import type { Db } from '../../db/client';
import { activationsTable, exceptionsTable } from '../../db/schema';
import type { Env } from '../../env';
import type { ActivationParams } from '../../workflows/activation-params';
import { audit } from '../audit';
import { randomToken } from '../crypto';
import { activationView, findActivation, resetSteps } from './store';

export interface StartActivationInput {
  db: Db;
  env: Pick<Env, 'ACTIVATION_WORKFLOW'>;
  tenantId: string;
  /** The authenticated actor (`key:{id}`...). */
  actor: string;
  /** The authenticated principal's details (the Salesforce user, when Apex names one), for the audit row. */
  principal?: Record<string, string>;
  correlationId: string;
  crmRecordId: string;
  opportunityId: string;
}

/** Statuses from which a new click starts the activation again (nothing half-done is left behind either way). */
const RESTARTABLE = ['needs_fixes', 'failed'] as const;

export async function launchWorkflow(
  env: Pick<Env, 'ACTIVATION_WORKFLOW'>,
  db: Db,
  params: ActivationParams,
  instanceId: string,
): Promise<void> {
  try {
    await env.ACTIVATION_WORKFLOW.create({ id: instanceId, params });
  } catch (e) {
    // The instance id is deterministic: "already exists" means an earlier launch got there first.
    if (!/already exists|duplicate|instance.*exists/i.test(String(e))) throw e;
  }
  await db
    .update(activationsTable)
    .set({ workflowStarted: true })
    .where(and(eq(activationsTable.tenantId, params.tenantId), eq(activationsTable.id, params.activationId)));
}

/**
 * Activate one opportunity. Exactly one activation exists per (tenant, opportunity), enforced by a unique
 * index, so concurrent clicks (with the same or different idempotency keys) converge on one row and one
 * workflow instance. A click on an activation that needs fixes or failed starts its next attempt.
 */
export async function startActivation(
  input: StartActivationInput,
): Promise<{ created: boolean; view: ActivationView }> {
  const { db, tenantId, opportunityId } = input;
  let row = await findActivation(db, tenantId, { opportunityId });

  if (!row) {
    const id = `act_${randomToken(12)}`;
    const inserted = await db
      .insert(activationsTable)
      .values({
        id,
        tenantId,
        opportunityId,
        crmRecordId: input.crmRecordId,
        status: 'queued',
        attempt: 1,
        workflowInstanceId: `${id}-1`,
        correlationId: input.correlationId,
        requestedBy: input.actor,
      })
      .onConflictDoNothing()
      .returning();
    if (inserted[0]) {
      await audit(db, {
        tenantId,
        correlationId: input.correlationId,
        actor: input.actor,
        action: 'activation.requested',
        subjectType: 'opportunity',
        subjectId: opportunityId,
        detail: { activationId: id, ...(input.principal ? { principal: input.principal } : {}) },
      });
      await launchWorkflow(input.env, db, paramsOf(inserted[0], input.actor), inserted[0].workflowInstanceId);
      return { created: true, view: await activationView(db, inserted[0]) };
    }
    row = await findActivation(db, tenantId, { opportunityId });
    if (!row) throw new Error('activation vanished after a conflicting insert');
  }

  if ((RESTARTABLE as readonly string[]).includes(row.status)) {
    const attempt = row.attempt + 1;
    const [restarted] = await db
      .update(activationsTable)
      .set({
        status: 'queued',
        attempt,
        workflowInstanceId: `${row.id}-${attempt}`,
        workflowStarted: false,
        correlationId: input.correlationId,
        crmRecordId: input.crmRecordId,
        message: null,
        problems: null,
        exceptionId: null,
        completedAt: null,
        updatedAt: new Date().toISOString(),
      })
      // Conditional on the attempt we read: of many concurrent clicks exactly one restarts.
      .where(
        and(
          eq(activationsTable.id, row.id),
          eq(activationsTable.attempt, row.attempt),
          inArray(activationsTable.status, [...RESTARTABLE]),
        ),
      )
      .returning();
    if (restarted) {
      if (row.exceptionId) {
        await db
          .update(exceptionsTable)
          .set({
            status: 'resolved',
            resolvedBy: input.actor,
            resolutionNote: `Retried by activation attempt ${attempt}`,
            updatedAt: new Date().toISOString(),
          })
          .where(and(eq(exceptionsTable.tenantId, tenantId), eq(exceptionsTable.id, row.exceptionId)));
      }
      await resetSteps(db, tenantId, row.id);
      await audit(db, {
        tenantId,
        correlationId: input.correlationId,
        actor: input.actor,
        action: 'activation.restarted',
        subjectType: 'opportunity',
        subjectId: opportunityId,
        detail: { activationId: row.id, attempt, ...(input.principal ? { principal: input.principal } : {}) },
      });
      await launchWorkflow(input.env, db, paramsOf(restarted, input.actor), restarted.workflowInstanceId);
      return { created: true, view: await activationView(db, restarted) };
    }
    row = (await findActivation(db, tenantId, { opportunityId }))!;
  }
  return { created: false, view: await activationView(db, row) };
}

export function paramsOf(row: typeof activationsTable.$inferSelect, actor: string): ActivationParams {
  return {
    tenantId: row.tenantId,
    activationId: row.id,
    opportunityId: row.opportunityId,
    correlationId: row.correlationId,
    attempt: row.attempt,
    actor,
  };
}
