import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers';
import { NonRetryableError } from 'cloudflare:workflows';
import { and, eq, inArray, lt } from 'drizzle-orm';
import type { Contract } from '../../shared/model/contract';
import type { TimeEntry } from '../../shared/model/delivery';
import { money } from '../../shared/model/money';
import { ConnectorError } from '../connectors/errors';
import { getDb } from '../db/client';
import {
  amendmentsTable,
  approvalsTable,
  deliveryItemsTable,
  exceptionsTable,
  linksTable,
} from '../db/schema';
import { planBillingSchedule, planProject } from '../domain/activation/plan';
import {
  AmendmentChangesSchema,
  applyAmendment,
  diffContracts,
  needsApproval,
  supersededTimeAfter,
} from '../domain/amendments';
import { loadPolicy } from '../domain/amendments/policy';
import { audit } from '../domain/audit';
import { describeItem } from '../domain/billing/describe-item';
import { projectByContract, saveContractVersion } from '../domain/billing/project-context';
import { randomToken } from '../domain/crypto';
import { connectedSystem } from '../domain/exceptions/system';
import type { OutageRole } from '../domain/operations/connection-status';
import { notifyApproval } from '../domain/teams/notify';
import { loadConnectors } from '../domain/tenancy/connectors';
import type { Env } from '../env';
import type { AmendmentParams, ChangeOrderDecisionEvent } from './amendment-params';
import { MAX_OUTAGE_WAITS, offlineRole, throwIfOffline, waitUntilOnline } from './outage-wait';

const STEP = {
  retries: { limit: 8, delay: '5 seconds', backoff: 'exponential' },
  timeout: '2 minutes',
} as const;
/** An amendment waits for the one before it (woken by it, or hourly); after 30 days it is an exception. */
const MAX_PREDECESSOR_WAITS = 24 * 30;

/** Tell the next amendment of the contract (if it is already waiting) that this one is done. */
async function wakeSuccessor(env: Env, db: ReturnType<typeof getDb>, tenantId: string, amendmentId: string) {
  const [me] = await db
    .select()
    .from(amendmentsTable)
    .where(and(eq(amendmentsTable.tenantId, tenantId), eq(amendmentsTable.id, amendmentId)))
    .limit(1);
  if (!me) return;
  const [next] = await db
    .select({ id: amendmentsTable.id })
    .from(amendmentsTable)
    .where(
      and(
        eq(amendmentsTable.tenantId, tenantId),
        eq(amendmentsTable.contractKey, me.contractKey),
        eq(amendmentsTable.number, me.number + 1),
      ),
    )
    .limit(1);
  if (!next) return;
  try {
    const instance = await env.AMENDMENT_WORKFLOW.get(`amend-${next.id}`);
    await instance.sendEvent({ type: 'predecessor-done', payload: { amendmentId } });
  } catch {
    // not started yet: it will find this one applied when it checks
  }
}

function permanent(e: unknown): never {
  if (e instanceof ConnectorError && !e.retryable)
    throw new NonRetryableError(`${e.code}: ${e.message}${e.fix ? ` Fix: ${e.fix}` : ''}`);
  throw e;
}

/**
 * A signed amendment, applied end to end: in order after the amendment before it, diffed against the
 * contract version it changes, approved where policy says so (the change-order card waits for the
 * assigned approver), then stored as the next contract version and propagated: PSA budget, milestones and
 * rate card; ERP billing schedule and project. Time already logged at rates it supersedes after its
 * effective date is held for review before it can be invoiced.
 */
export class AmendmentWorkflow extends WorkflowEntrypoint<Env, AmendmentParams> {
  override async run(event: WorkflowEvent<AmendmentParams>, step: WorkflowStep) {
    const p = event.payload;
    const db = getDb(this.env);
    const load = async () => {
      const [a] = await db
        .select()
        .from(amendmentsTable)
        .where(and(eq(amendmentsTable.tenantId, p.tenantId), eq(amendmentsTable.id, p.amendmentId)))
        .limit(1);
      if (!a) throw new NonRetryableError(`amendment ${p.amendmentId} not found`);
      return a;
    };
    const setState = (
      state: (typeof amendmentsTable.$inferSelect)['state'],
      extra: Partial<typeof amendmentsTable.$inferInsert> = {},
    ) =>
      db
        .update(amendmentsTable)
        .set({ state, ...extra, updatedAt: new Date().toISOString() })
        .where(and(eq(amendmentsTable.tenantId, p.tenantId), eq(amendmentsTable.id, p.amendmentId)));

    /**
     * A step that writes to `role`: while that connection is offline it waits (woken by the cron's re-test)
     * instead of burning its retries and failing the amendment.
     */
    const connected = async (name: string, role: OutageRole, body: () => Promise<void>): Promise<void> => {
      for (let n = 1, waits = 0; ; n++) {
        try {
          await step.do(n === 1 ? name : `${name}#${n}`, STEP, async () => {
            try {
              await body();
            } catch (e) {
              await throwIfOffline(db, p.tenantId, role, e);
              throw e;
            }
          });
          return;
        } catch (e) {
          if (!offlineRole(e) || waits >= MAX_OUTAGE_WAITS) throw e;
          waits += 1;
          await waitUntilOnline(step, db, {
            tenantId: p.tenantId,
            role,
            workflow: 'amendment',
            instanceId: event.instanceId,
            name,
            n,
            onWait: async () => {
              await db
                .update(amendmentsTable)
                .set({
                  message: `Waiting: the ${role.toUpperCase()} is offline; ${name} carries on by itself when it is back.`,
                  updatedAt: new Date().toISOString(),
                })
                .where(and(eq(amendmentsTable.tenantId, p.tenantId), eq(amendmentsTable.id, p.amendmentId)));
            },
          });
        }
      }
    };

    try {
      // Two amendments to one contract apply in order: wait until every earlier one is applied or rejected.
      // The one before us wakes us when it finishes; the timeout only makes us look again.
      for (let i = 0; ; i++) {
        const ready = await step.do(`check-predecessors#${i}`, async () => {
          const a = await load();
          const earlier = await db
            .select({ state: amendmentsTable.state, number: amendmentsTable.number })
            .from(amendmentsTable)
            .where(
              and(
                eq(amendmentsTable.tenantId, p.tenantId),
                eq(amendmentsTable.contractKey, a.contractKey),
                lt(amendmentsTable.number, a.number),
              ),
            );
          const missing = Array.from({ length: a.number - 1 }, (_, k) => k + 1).filter(
            (n) => !earlier.some((e) => e.number === n),
          );
          const pending = earlier.filter((e) => e.state !== 'applied' && e.state !== 'rejected');
          if (missing.length || pending.length) {
            await setState('received', {
              message: `Waiting for amendment ${[...missing, ...pending.map((x) => x.number)].sort((x, y) => x - y).join(', ')} to be applied first`,
            });
            return false;
          }
          return true;
        });
        if (ready) break;
        if (i >= MAX_PREDECESSOR_WAITS)
          throw new NonRetryableError(
            'An earlier amendment of this contract never arrived or never finished',
          );
        try {
          await step.waitForEvent(`predecessor-done#${i}`, { type: 'predecessor-done', timeout: '1 hour' });
        } catch {
          // timed out: look again
        }
      }

      const plan = await step.do('compute-diff', async () => {
        const a = await load();
        const project = await projectByContract(db, p.tenantId, a.contractKey);
        if (!project) throw new NonRetryableError(`Contract ${a.contractKey} has no activated project`);
        const changes = AmendmentChangesSchema.parse(a.changes);
        let after: Contract;
        try {
          after = applyAmendment(project.contract, changes);
        } catch (e) {
          throw new NonRetryableError(`The amendment cannot be applied: ${(e as Error).message}`);
        }
        const diff = diffContracts(project.contract, after);
        const policy = await loadPolicy(db, p.tenantId);
        const approval = needsApproval(diff, {
          approveAboveMinor: policy.approveAboveMinor,
          alwaysForRates: policy.alwaysForRates,
        });
        // Time already logged after the effective date at rates this amendment replaces.
        const items = await db
          .select()
          .from(deliveryItemsTable)
          .where(
            and(
              eq(deliveryItemsTable.tenantId, p.tenantId),
              eq(deliveryItemsTable.contractKey, a.contractKey),
              eq(deliveryItemsTable.kind, 'time'),
              inArray(deliveryItemsTable.state, ['queued', 'posted']),
              eq(deliveryItemsTable.billable, true),
            ),
          );
        const posted = items
          .filter((i) => ((i.entry as unknown as TimeEntry).date ?? '') >= a.effectiveDate)
          .map((i) => {
            const e = i.entry as unknown as TimeEntry;
            return {
              id: i.id,
              role: e.role,
              date: e.date,
              minutes: e.minutes,
              rate: money(i.rateMinor ?? 0, project.contract.currency),
            };
          });
        const superseded = supersededTimeAfter(a.effectiveDate, after, posted);
        await setState(approval.required ? 'awaiting_approval' : 'approved', {
          diff: { ...diff, superseded, approvalReason: approval.reason } as unknown as Record<
            string,
            unknown
          >,
        });
        return {
          after,
          version: project.contractVersion + 1,
          approvalRequired: approval.required,
          supersededIds: superseded.entries.map((e) => e.id),
        };
      });

      if (plan.approvalRequired) {
        const approvalId = await step.do('request-approval', async () => {
          const a = await load();
          const policy = await loadPolicy(db, p.tenantId);
          const id = `apr_${randomToken(12)}`;
          await db
            .insert(approvalsTable)
            .values({
              id,
              tenantId: p.tenantId,
              kind: 'change_order',
              contractKey: a.contractKey,
              subjectKey: a.id,
              state: 'requested',
              approver: policy.changeOrderApprover?.aadObjectId ?? null,
              correlationId: p.correlationId,
              evidence: { amendmentNumber: a.number },
            })
            .onConflictDoNothing();
          const [row] = await db
            .select()
            .from(approvalsTable)
            .where(
              and(
                eq(approvalsTable.tenantId, p.tenantId),
                eq(approvalsTable.kind, 'change_order'),
                eq(approvalsTable.contractKey, a.contractKey),
                eq(approvalsTable.subjectKey, a.id),
              ),
            )
            .limit(1);
          await setState('awaiting_approval', { approvalId: row!.id });
          return row!.id;
        });
        await step.do('notify-approver', STEP, async () => {
          await notifyApproval(this.env, db, p.tenantId, approvalId);
        });
        const decision = await step.waitForEvent<ChangeOrderDecisionEvent>('change-order-decision', {
          type: 'change-order-decision',
          timeout: '30 days',
        });
        if (decision.payload.decision === 'reject') {
          await step.do('record-rejection', async () => {
            await setState('rejected', {
              message: `Rejected by ${decision.payload.actor}${decision.payload.comment ? `: ${decision.payload.comment}` : ''}`,
            });
          });
          return { state: 'rejected' };
        }
      }

      const a = await step.do('save-contract-version', async () => {
        const row = await load();
        await saveContractVersion(
          db,
          p.tenantId,
          row.contractKey,
          plan.after as Contract,
          `amendment-${row.number}`,
          plan.version,
        );
        return { contractKey: row.contractKey, number: row.number, effectiveDate: row.effectiveDate };
      });
      const after = plan.after as Contract;

      await connected('propagate-psa', 'psa', async () => {
        const project = await projectByContract(db, p.tenantId, a.contractKey);
        const c = await loadConnectors(this.env, db, p.tenantId);
        const spec = planProject(after);
        try {
          await c.psa.applyAmendment(
            project!.psaProjectId,
            { budget: spec.budget, milestones: spec.milestones, rateCard: spec.rateCard },
            `${p.amendmentId}:propagate-psa`,
          );
        } catch (e) {
          permanent(e);
        }
      });

      await connected('propagate-erp', 'erp', async () => {
        const project = await projectByContract(db, p.tenantId, a.contractKey);
        const [schedule] = await db
          .select({ id: linksTable.externalId })
          .from(linksTable)
          .where(
            and(
              eq(linksTable.tenantId, p.tenantId),
              eq(linksTable.contractKey, a.contractKey),
              eq(linksTable.role, 'erp'),
              eq(linksTable.kind, 'billing_schedule'),
            ),
          )
          .limit(1);
        const c = await loadConnectors(this.env, db, p.tenantId);
        const bm = after.billingModel;
        try {
          await c.erp.applyAmendment(
            {
              projectId: project!.erpProjectId!,
              billingScheduleId: schedule?.id ?? '',
              schedule: planBillingSchedule(after),
              notToExceed: bm.type === 'time_and_materials' ? bm.notToExceed : undefined,
              price: after.totalValue,
              endDate: after.endDate,
            },
            `${p.amendmentId}:propagate-erp`,
          );
        } catch (e) {
          permanent(e);
        }
      });

      await step.do('hold-superseded-time', async () => {
        if (plan.supersededIds.length === 0) return;
        const now = new Date().toISOString();
        for (const itemId of plan.supersededIds) {
          const [item] = await db
            .select()
            .from(deliveryItemsTable)
            .where(and(eq(deliveryItemsTable.tenantId, p.tenantId), eq(deliveryItemsTable.id, itemId)))
            .limit(1);
          if (!item) continue;
          const exceptionId = `exc_${randomToken(12)}`;
          const e = item.entry as unknown as TimeEntry;
          await db.batch([
            db
              .update(deliveryItemsTable)
              .set({
                state: 'held',
                rule: 'superseded-by-amendment',
                note: `Priced at a rate amendment ${a.number} replaces from ${a.effectiveDate}`,
                exceptionId,
                updatedAt: now,
              })
              .where(and(eq(deliveryItemsTable.tenantId, p.tenantId), eq(deliveryItemsTable.id, itemId))),
            db.insert(exceptionsTable).values({
              id: exceptionId,
              tenantId: p.tenantId,
              correlationId: p.correlationId,
              source: 'delivery',
              subjectType: 'time_entry',
              subjectId: e.psaId,
              projectKey: a.contractKey,
              code: 'superseded-by-amendment',
              title: describeItem('time', e),
              system: connectedSystem(p.tenantId, item.state === 'posted' ? 'erp' : 'psa'),
              reason: `${e.personName}, ${e.minutes / 60} h on ${e.date} as ${e.role} was priced at a rate amendment ${a.number} replaces from ${a.effectiveDate}${item.state === 'posted' ? ' (already in the ERP: review it before invoicing)' : ''}`,
              owner: 'finance-ops',
              suggestedFix:
                item.state === 'posted'
                  ? 'Correct the time bill in the ERP to the new rate before invoicing, then retry.'
                  : 'Retry to post it at the new rate, or skip it with a reason.',
              status: 'open',
              detail: { itemId, amendmentId: p.amendmentId, wasPosted: item.state === 'posted' },
            }),
          ]);
        }
      });

      await connected('report-to-crm', 'crm', async () => {
        const c = await loadConnectors(this.env, db, p.tenantId);
        try {
          await c.crm.writeBack(
            a.contractKey,
            {
              status: 'Active',
              activationId: p.amendmentId,
              message: `Amendment ${a.number} applied from ${a.effectiveDate}: contract version ${plan.version}.`,
            },
            `${p.amendmentId}:report-to-crm`,
          );
        } catch (e) {
          permanent(e);
        }
      });

      await step.do('complete', async () => {
        await setState('applied', { contractVersion: plan.version, message: null });
        await wakeSuccessor(this.env, db, p.tenantId, p.amendmentId);
        await audit(db, {
          tenantId: p.tenantId,
          correlationId: p.correlationId,
          actor: 'handoff',
          action: 'amendment.applied',
          subjectType: 'contract',
          subjectId: a.contractKey,
          detail: {
            amendmentId: p.amendmentId,
            number: a.number,
            version: plan.version,
            heldEntries: plan.supersededIds.length,
          },
        });
      });
      return { state: 'applied', version: plan.version };
    } catch (e) {
      await step.do('record-failure', async () => {
        const a = await load();
        await setState('failed', { message: e instanceof Error ? e.message : String(e) });
        await db.insert(exceptionsTable).values({
          id: `exc_${randomToken(12)}`,
          tenantId: p.tenantId,
          correlationId: p.correlationId,
          source: 'amendment',
          subjectType: 'amendment',
          subjectId: a.id,
          projectKey: a.contractKey,
          code: 'AMENDMENT_FAILED',
          reason: `Amendment ${a.number} could not be applied: ${e instanceof Error ? e.message : String(e)}`,
          title: `Amendment ${a.number} (effective ${a.effectiveDate}) not applied`,
          system: connectedSystem(p.tenantId, a.source === 'docusign' ? 'clm' : 'crm'),
          owner: 'finance-ops',
          suggestedFix: 'Correct the amendment (or the system named) and send it again from the CLM.',
          status: 'open',
          detail: { amendmentId: a.id },
        });
      });
      return { state: 'failed' };
    }
  }
}
