import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers';
import { NonRetryableError } from 'cloudflare:workflows';
import { and, eq } from 'drizzle-orm';
import type { Problem } from '../../shared/api/activation';
import type { Contract } from '../../shared/model/contract';
import { ConnectorError } from '../connectors/errors';
import type { CrmWriteBack, DealSnapshot, ExternalRecord } from '../connectors/ports';
import { getDb } from '../db/client';
import { activationsTable } from '../db/schema';
import { planBillingSchedule, planProject } from '../domain/activation/plan';
import { markStep, saveLink, setActivationStatus } from '../domain/activation/store';
import { validateContract } from '../domain/activation/validate-contract';
import { audit } from '../domain/audit';
import { saveContractVersion } from '../domain/billing/project-context';
import { openException } from '../domain/exceptions/open-exception';
import { type Connectors, loadConnectors } from '../domain/tenancy/connectors';
import type { Env } from '../env';
import { log } from '../http/logger';
import type { ActivationParams } from './activation-params';
import { MAX_OUTAGE_WAITS, offlineRole, throwIfOffline, waitUntilOnline } from './outage-wait';

/** Retries inside one round: fast, for blips. */
const STEP_CONFIG = {
  retries: { limit: 4, delay: '2 seconds', backoff: 'exponential' },
  timeout: '90 seconds',
} as const;
/** Between rounds the activation waits visibly ("retrying") for an outage to end. ~1 hour in all. */
const WAIT_BETWEEN_ROUNDS = '1 minute';
const MAX_ROUNDS = 40;
const PERMANENT = 'PERMANENT ';

interface PermanentFailure {
  step: string;
  system: string;
  code: string;
  message: string;
  fix?: string;
}

function permanentOf(e: unknown): PermanentFailure | undefined {
  const text = e instanceof Error ? e.message : String(e);
  const at = text.indexOf(PERMANENT);
  if (at < 0) return undefined;
  try {
    return JSON.parse(text.slice(at + PERMANENT.length)) as PermanentFailure;
  } catch {
    return undefined;
  }
}

const OWNER_BY_ROLE: Record<string, string> = { erp: 'finance-ops', psa: 'delivery-ops', crm: 'sales-ops' };

/** The contract number the activation read from the deal, if it got that far (the exception's title names it). */
async function findActivationNumber(db: ReturnType<typeof getDb>, p: ActivationParams) {
  const [row] = await db
    .select({ contractNumber: activationsTable.contractNumber })
    .from(activationsTable)
    .where(and(eq(activationsTable.id, p.activationId), eq(activationsTable.tenantId, p.tenantId)))
    .limit(1);
  return row?.contractNumber ?? undefined;
}

/**
 * Contract activation as a durable workflow. Step names are deterministic, each step makes at most one
 * external effect, checks before it acts (connectors upsert by external id or look before creating),
 * and passes a downstream idempotency key = activation id + step name, so a step that runs twice
 * (a retry after a lost response, a terminated step that still finished its write) changes nothing.
 */
/**
 * Promise.all for steps run side by side, except that it waits for every branch before failing: a branch
 * still retrying must not go on writing after the workflow has recorded the failure of another.
 */
async function settled<T extends readonly unknown[]>(
  branches: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const results = await Promise.allSettled(branches);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

export class ActivationWorkflow extends WorkflowEntrypoint<Env, ActivationParams> {
  override async run(
    event: WorkflowEvent<ActivationParams>,
    step: WorkflowStep,
  ): Promise<{ status: string }> {
    const p = event.payload;
    const db = getDb(this.env);
    const key = (name: string) => `${p.activationId}:${name}`;

    /** While its connection is offline a step waits (visibly, woken by the cron's re-test), burning nothing. */
    const waitForConnection = (name: string, shown: string, role: 'crm' | 'psa' | 'erp', n: number) =>
      waitUntilOnline(step, db, {
        tenantId: p.tenantId,
        role,
        workflow: 'activation',
        instanceId: event.instanceId,
        name,
        n,
        onWait: async () => {
          const why = `Waiting: the ${role.toUpperCase()} is offline. This step carries on by itself when it is back.`;
          await markStep(db, p.tenantId, p.activationId, shown, 'retrying', why);
          await setActivationStatus(db, p.tenantId, p.activationId, {
            status: 'retrying',
            message: `Waiting on ${shown}: the ${role.toUpperCase()} is offline; nothing to do, it resumes by itself when it is back.`,
          });
        },
      });

    const external = async <T>(
      name: string,
      role: 'crm' | 'psa' | 'erp',
      body: (c: Connectors) => Promise<T>,
      /** The activation step people see, when this durable step is one part of it (default: itself). */
      partOf: { step: string; last: boolean } = { step: name, last: true },
    ): Promise<T> => {
      const shown = partOf.step;
      // n numbers every attempt's step names; rounds count retry rounds only (outage waits are free).
      for (let n = 1, round = 1, waits = 0; ; n++) {
        try {
          return (await step.do(n === 1 ? name : `${name}#${n}`, STEP_CONFIG, async () => {
            await markStep(db, p.tenantId, p.activationId, shown, 'running');
            try {
              const out = await body(await loadConnectors(this.env, db, p.tenantId));
              if (partOf.last) await markStep(db, p.tenantId, p.activationId, shown, 'done');
              await this.clearRetrying(p);
              return out as Rpc.Serializable<T>;
            } catch (e) {
              const ce = e instanceof ConnectorError ? e : undefined;
              if (ce?.retryable || (!ce && !(e instanceof NonRetryableError) && !permanentOf(e))) {
                await throwIfOffline(db, p.tenantId, role, e);
                const why = `${ce?.system ?? role.toUpperCase()} ${ce ? 'unavailable' : 'error'}: ${e instanceof Error ? e.message : String(e)}`;
                await markStep(
                  db,
                  p.tenantId,
                  p.activationId,
                  shown,
                  'retrying',
                  `${why}. Retrying automatically.`,
                );
                await setActivationStatus(db, p.tenantId, p.activationId, {
                  status: 'retrying',
                  message: `Waiting on ${shown}: ${why}`,
                });
                log('warn', 'activation step will retry', {
                  correlationId: p.correlationId,
                  step: name,
                  error: why,
                });
                throw e;
              }
              const failure: PermanentFailure = {
                step: shown,
                system: ce?.system ?? role,
                code: ce?.code ?? 'FAILED',
                message: e instanceof Error ? e.message.replace(PERMANENT, '') : String(e),
                fix: ce?.fix,
              };
              await markStep(db, p.tenantId, p.activationId, shown, 'failed', failure.message);
              throw new NonRetryableError(PERMANENT + JSON.stringify(failure));
            }
          })) as T;
        } catch (e) {
          if (offlineRole(e) && waits < MAX_OUTAGE_WAITS) {
            waits += 1;
            await waitForConnection(name, shown, role, n);
            continue;
          }
          if (permanentOf(e) || round >= MAX_ROUNDS) throw e;
          round += 1;
          await step.sleep(`wait-before-${name}#${n + 1}`, WAIT_BETWEEN_ROUNDS);
        }
      }
    };

    try {
      await step.do('mark-running', async () => {
        await setActivationStatus(db, p.tenantId, p.activationId, { status: 'running', message: null });
      });
      const snapshot = await external<DealSnapshot>('load-contract', 'crm', (c) =>
        c.crm.loadDeal(p.opportunityId),
      );

      const validation = await step.do('validate-contract', async () => {
        await markStep(db, p.tenantId, p.activationId, 'validate-contract', 'running');
        const { contract, problems } = validateContract(snapshot);
        if (!contract) {
          await markStep(
            db,
            p.tenantId,
            p.activationId,
            'validate-contract',
            'failed',
            `${problems.length} field(s) to fix`,
          );
          await setActivationStatus(db, p.tenantId, p.activationId, {
            status: 'needs_fixes',
            message: `${problems.length} field(s) to fix before the project can be activated. Nothing was created.`,
            problems,
          });
          await audit(db, {
            tenantId: p.tenantId,
            correlationId: p.correlationId,
            actor: 'handoff',
            action: 'activation.needs_fixes',
            subjectType: 'opportunity',
            subjectId: p.opportunityId,
            detail: { problems: problems.map((x) => x.field) },
          });
          return { problems };
        }
        // The terms every time entry and milestone of this project will be checked against.
        await saveContractVersion(db, p.tenantId, p.opportunityId, contract, 'activation');
        await markStep(db, p.tenantId, p.activationId, 'validate-contract', 'done');
        await db
          .update(activationsTable)
          .set({ contractNumber: contract.number })
          .where(and(eq(activationsTable.tenantId, p.tenantId), eq(activationsTable.id, p.activationId)));
        return { contract };
      });

      if (!validation.contract) {
        const problems = validation.problems as Problem[];
        await external('write-back-crm', 'crm', (c) =>
          c.crm.writeBack(
            p.opportunityId,
            {
              status: 'Needs fixes',
              activationId: p.activationId,
              message: problems.map((x) => `${x.message}. ${x.fix}`).join('\n'),
            },
            key('write-back-crm'),
          ),
        );
        return { status: 'needs_fixes' };
      }
      const contract = validation.contract as Contract;
      const project = planProject(contract);
      const schedule = planBillingSchedule(contract);

      // Independent work runs side by side (each still one step with one external effect, named the same
      // on every replay): the ERP customer beside the PSA project; then the PSA project's WBS, rate card
      // and team beside the ERP project and its billing schedule. The customer's external id follows the
      // CRM account, not this activation: every contract of one account shares one ERP customer.
      const [customer, psaProject] = await settled([
        external<ExternalRecord>('upsert-erp-customer', 'erp', async (c) => {
          const rec = await c.erp.upsertCustomer(contract.customer, `sfacct-${snapshot.accountId}`);
          await saveLink(db, p.tenantId, p.opportunityId, {
            role: 'erp',
            system: c.erp.system,
            kind: 'customer',
            externalId: rec.id,
            url: rec.url ?? c.erp.recordUrl('customer', rec.id),
          });
          return rec;
        }),
        external<ExternalRecord>('create-psa-project', 'psa', async (c) => {
          const rec = await c.psa.createProject(project, key('create-psa-project'));
          await saveLink(db, p.tenantId, p.opportunityId, {
            role: 'psa',
            system: c.psa.system,
            kind: 'project',
            externalId: rec.id,
            url: rec.url ?? c.psa.recordUrl(rec.id),
          });
          return rec;
        }),
      ]);

      const psaSetup = async () => {
        await settled([
          external('ensure-psa-wbs', 'psa', async (c) => {
            const ids = await c.psa.ensureWbsAndMilestones(psaProject.id, project, key('ensure-psa-wbs'));
            for (const m of project.milestones) {
              const id = ids[m.key];
              if (id)
                await saveLink(db, p.tenantId, p.opportunityId, {
                  role: 'psa',
                  system: c.psa.system,
                  kind: 'milestone',
                  externalId: id,
                  localKey: m.key,
                });
            }
            return ids;
          }),
          project.rateCard
            ? external('ensure-psa-rate-card', 'psa', async (c) => {
                const rec = await c.psa.ensureRateCard(
                  psaProject.id,
                  project.rateCard!,
                  key('ensure-psa-rate-card'),
                );
                await saveLink(db, p.tenantId, p.opportunityId, {
                  role: 'psa',
                  system: c.psa.system,
                  kind: 'rate_card',
                  externalId: rec.id,
                });
                return rec;
              })
            : step.do('skip-psa-rate-card', async () => {
                await markStep(
                  db,
                  p.tenantId,
                  p.activationId,
                  'ensure-psa-rate-card',
                  'skipped',
                  'Fixed fee without a rate card',
                );
              }),
          project.team.length
            ? external('ensure-psa-team', 'psa', (c) =>
                c.psa.ensureTeam(psaProject.id, project.team, key('ensure-psa-team')),
              )
            : step.do('skip-psa-team', async () => {
                await markStep(
                  db,
                  p.tenantId,
                  p.activationId,
                  'ensure-psa-team',
                  'skipped',
                  'No roles on the contract',
                );
              }),
        ]);
      };

      const erpSetup = async () => {
        const erpProject = await external<ExternalRecord>('upsert-erp-project', 'erp', async (c) => {
          const rec = await c.erp.upsertProject(
            {
              name: project.name,
              customerId: customer.id,
              contract,
              psaProjectId: psaProject.id,
              psaProjectUrl: psaProject.url,
            },
            key('upsert-erp-project'),
          );
          await saveLink(db, p.tenantId, p.opportunityId, {
            role: 'erp',
            system: c.erp.system,
            kind: 'project',
            externalId: rec.id,
            url: rec.url ?? c.erp.recordUrl('project', rec.id),
          });
          return rec;
        });
        const billingStep = { step: 'upsert-erp-billing-schedule', last: false };
        const billing = await external<ExternalRecord>(
          'upsert-erp-billing-schedule',
          'erp',
          async (c) => {
            const rec = await c.erp.upsertBillingSchedule(
              {
                projectId: erpProject.id,
                customerId: customer.id,
                schedule,
                name: `${contract.number} ${contract.name}`.slice(0, 80),
              },
              key('upsert-erp-billing-schedule'),
            );
            await saveLink(db, p.tenantId, p.opportunityId, {
              role: 'erp',
              system: c.erp.system,
              kind: 'billing_schedule',
              externalId: rec.id,
              url: rec.url ?? c.erp.recordUrl('billing_schedule', rec.id),
            });
            return rec;
          },
          billingStep,
        );
        // Its own durable step: if attaching fails, the retry attaches again and never rewrites the schedule.
        await external(
          'attach-erp-billing-schedule',
          'erp',
          (c) => c.erp.attachBillingSchedule(erpProject.id, billing.id),
          { ...billingStep, last: true },
        );
        return { erpProject, billing };
      };

      const [, { erpProject, billing }] = await settled([psaSetup(), erpSetup()]);

      await external('link-records', 'psa', async (c) => {
        await c.psa.linkExternal(
          psaProject.id,
          [
            {
              system: c.erp.system,
              kind: 'customer',
              externalId: customer.id,
              url: customer.url ?? c.erp.recordUrl('customer', customer.id),
            },
            {
              system: c.erp.system,
              kind: 'project',
              externalId: erpProject.id,
              url: erpProject.url ?? c.erp.recordUrl('project', erpProject.id),
            },
            { system: c.erp.system, kind: 'billing_schedule', externalId: billing.id },
            {
              system: c.crm.system,
              kind: 'opportunity',
              externalId: p.opportunityId,
              url: c.crm.recordUrl(p.opportunityId),
            },
          ],
          key('link-records'),
        );
        await saveLink(db, p.tenantId, p.opportunityId, {
          role: 'crm',
          system: c.crm.system,
          kind: 'opportunity',
          externalId: p.opportunityId,
          url: c.crm.recordUrl(p.opportunityId),
        });
        if (snapshot.contractId) {
          await saveLink(db, p.tenantId, p.opportunityId, {
            role: 'crm',
            system: c.crm.system,
            kind: 'contract',
            externalId: snapshot.contractId,
            url: c.crm.recordUrl(snapshot.contractId),
          });
        }
      });

      const writeBack: CrmWriteBack = {
        status: 'Active',
        activationId: p.activationId,
        message: `Project activated: PSA project ${psaProject.id}, ERP customer ${customer.id}, ERP project ${erpProject.id}.`,
        psaProjectUrl: psaProject.url,
        psaProjectId: psaProject.id,
        erpCustomerId: customer.id,
        erpProjectId: erpProject.id,
        erpProjectUrl: erpProject.url,
      };
      await external('write-back-crm', 'crm', (c) =>
        c.crm.writeBack(
          p.opportunityId,
          {
            ...writeBack,
            psaProjectUrl: writeBack.psaProjectUrl ?? c.psa.recordUrl(psaProject.id),
            erpProjectUrl: writeBack.erpProjectUrl ?? c.erp.recordUrl('project', erpProject.id),
          },
          key('write-back-crm'),
        ),
      );

      await step.do('complete', async () => {
        await setActivationStatus(db, p.tenantId, p.activationId, {
          status: 'active',
          message: writeBack.message,
        });
        await audit(db, {
          tenantId: p.tenantId,
          correlationId: p.correlationId,
          actor: p.actor,
          action: 'activation.completed',
          subjectType: 'opportunity',
          subjectId: p.opportunityId,
          detail: {
            activationId: p.activationId,
            psaProjectId: psaProject.id,
            erpCustomerId: customer.id,
            erpProjectId: erpProject.id,
            billingScheduleId: billing.id,
          },
        });
      });
      return { status: 'active' };
    } catch (e) {
      const failure = permanentOf(e) ?? {
        step: 'unknown',
        system: 'handoff',
        code: 'RETRIES_EXHAUSTED',
        message: e instanceof Error ? e.message : String(e),
      };
      await step.do('record-failure', async () => {
        const role = failure.step.includes('erp')
          ? 'erp'
          : failure.step.includes('psa') || failure.step === 'link-records'
            ? 'psa'
            : 'crm';
        const exceptionId = await openException(db, {
          tenantId: p.tenantId,
          correlationId: p.correlationId,
          source: 'activation',
          subjectType: 'opportunity',
          subjectId: p.opportunityId,
          projectKey: p.opportunityId,
          code: failure.code,
          reason: `${failure.step} failed in ${failure.system}: ${failure.message}`,
          owner: OWNER_BY_ROLE[role] ?? 'integration-admin',
          title: `Activation of ${(await findActivationNumber(db, p)) ?? 'a deal'} stopped at ${failure.step}`,
          system: failure.system,
          suggestedFix:
            failure.fix ??
            `Fix the ${failure.system} side (connection, permissions or the record named above), then click Activate project again: finished steps are not repeated.`,
          detail: { activationId: p.activationId, step: failure.step },
        });
        await setActivationStatus(db, p.tenantId, p.activationId, {
          status: 'failed',
          message: `Stopped at "${failure.step}": ${failure.message}`,
          exceptionId,
        });
        await audit(db, {
          tenantId: p.tenantId,
          correlationId: p.correlationId,
          actor: 'handoff',
          action: 'activation.failed',
          subjectType: 'opportunity',
          subjectId: p.opportunityId,
          detail: { ...failure },
        });
      });
      if (!failure.step.startsWith('write-back-crm') && failure.step !== 'load-contract') {
        try {
          await step.do('write-back-crm-failure', STEP_CONFIG, async () => {
            const c = await loadConnectors(this.env, db, p.tenantId);
            await c.crm.writeBack(
              p.opportunityId,
              {
                status: 'Failed',
                activationId: p.activationId,
                message: `Stopped at "${failure.step}": ${failure.message}`,
              },
              key('write-back-crm-failure'),
            );
          });
        } catch (writeBackError) {
          log('error', 'could not report the failure to the CRM', {
            correlationId: p.correlationId,
            error: String(writeBackError),
          });
        }
      }
      return { status: 'failed' };
    }
  }

  private async clearRetrying(p: ActivationParams) {
    await getDb(this.env)
      .update(activationsTable)
      .set({ status: 'running', message: null, updatedAt: new Date().toISOString() })
      .where(
        and(
          eq(activationsTable.tenantId, p.tenantId),
          eq(activationsTable.id, p.activationId),
          eq(activationsTable.status, 'retrying'),
        ),
      );
  }
}
