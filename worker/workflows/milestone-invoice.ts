import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers';
import { NonRetryableError } from 'cloudflare:workflows';
import { and, eq } from 'drizzle-orm';
import type { ErpInvoice } from '../../shared/model/delivery';
import { formatMoney } from '../../shared/model/money';
import { ConnectorError } from '../connectors/errors';
import { getDb } from '../db/client';
import { approvalsTable } from '../db/schema';
import { audit } from '../domain/audit';
import { projectByContract } from '../domain/billing/project-context';
import { publishBilling, recordInvoice } from '../domain/billing/sync-invoices';
import { openException } from '../domain/exceptions/open-exception';
import { connectedSystem } from '../domain/exceptions/system';
import { loadConnectors } from '../domain/tenancy/connectors';
import type { Env } from '../env';
import type { MilestoneInvoiceParams } from './milestone-invoice-params';

const STEP = {
  retries: { limit: 8, delay: '5 seconds', backoff: 'exponential' },
  timeout: '2 minutes',
} as const;

function permanent(e: unknown): never {
  if (e instanceof ConnectorError && !e.retryable)
    throw new NonRetryableError(`${e.code}: ${e.message}${e.fix ? ` Fix: ${e.fix}` : ''}`);
  throw e;
}

/**
 * An accepted milestone becomes an ERP invoice: one invoice per approval (the key is the approval id
 * and the step name; the ERP assigns the number), traced to the contract clause and the delivery
 * evidence, then billing status is shown in the PSA and the CRM.
 */
export class MilestoneInvoiceWorkflow extends WorkflowEntrypoint<Env, MilestoneInvoiceParams> {
  override async run(event: WorkflowEvent<MilestoneInvoiceParams>, step: WorkflowStep) {
    const p = event.payload;
    const db = getDb(this.env);
    try {
      const invoice = await step.do('create-erp-invoice', STEP, async () => {
        const project = await projectByContract(db, p.tenantId, p.contractKey);
        const milestone =
          project?.contract.billingModel.type === 'fixed_fee'
            ? project.contract.billingModel.milestones.find((m) => m.key === p.milestoneKey)
            : undefined;
        if (!project?.erpCustomerId || !project.erpProjectId || !milestone)
          throw new NonRetryableError(`Milestone ${p.milestoneKey} or its ERP project is unknown`);
        const [approval] = await db
          .select()
          .from(approvalsTable)
          .where(and(eq(approvalsTable.tenantId, p.tenantId), eq(approvalsTable.id, p.approvalId)))
          .limit(1);
        // Only this tenant's accepted approval is billed: nothing is invoiced on an id alone.
        if (approval?.state !== 'accepted')
          throw new NonRetryableError(`Approval ${p.approvalId} of this tenant is not accepted`);
        const c = await loadConnectors(this.env, db, p.tenantId);
        try {
          return await c.erp.createInvoice(
            {
              customerId: project.erpCustomerId,
              projectId: project.erpProjectId,
              date: new Date().toISOString().slice(0, 10),
              currency: project.contract.currency,
              memo: `${project.contract.number}: milestone "${milestone.name}" accepted by ${approval?.decidedBy ?? p.actor}`,
              lines: [
                {
                  description: `${milestone.name}${milestone.clause ? ` (${milestone.clause})` : ''}`,
                  amount: milestone.amount,
                  clause: milestone.clause,
                  evidence: `PSA milestone ${approval?.psaSubjectId ?? '?'} completed; accepted by ${approval?.decidedBy ?? p.actor} at ${approval?.decidedAt ?? ''}`,
                  milestoneKey: milestone.key,
                },
              ],
            },
            `${p.approvalId}:create-erp-invoice`,
          );
        } catch (e) {
          return permanent(e);
        }
      });

      await step.do('record-invoice', async () => {
        const project = await projectByContract(db, p.tenantId, p.contractKey);
        const milestone =
          project?.contract.billingModel.type === 'fixed_fee'
            ? project.contract.billingModel.milestones.find((m) => m.key === p.milestoneKey)
            : undefined;
        if (!project) return;
        await recordInvoice(
          db,
          project,
          invoice as ErpInvoice,
          milestone?.name ?? p.milestoneKey,
          p.milestoneKey,
        );
        await audit(db, {
          tenantId: p.tenantId,
          correlationId: p.correlationId,
          actor: p.actor,
          action: 'invoice.created',
          subjectType: 'milestone',
          subjectId: p.milestoneKey,
          detail: { invoiceId: invoice.id, number: invoice.number, total: formatMoney(invoice.total) },
        });
      });

      await step.do('publish-billing-status', STEP, async () => {
        const project = await projectByContract(db, p.tenantId, p.contractKey);
        if (!project) return;
        try {
          await publishBilling(db, await loadConnectors(this.env, db, p.tenantId), project, p.correlationId);
        } catch (e) {
          permanent(e);
        }
      });
      return { invoiceId: invoice.id, number: invoice.number };
    } catch (e) {
      await step.do('record-failure', async () => {
        const project = await projectByContract(db, p.tenantId, p.contractKey);
        const model = project?.contract.billingModel;
        const milestone =
          model?.type === 'fixed_fee' ? model.milestones.find((m) => m.key === p.milestoneKey) : undefined;
        await openException(db, {
          tenantId: p.tenantId,
          correlationId: p.correlationId,
          source: 'invoice',
          subjectType: 'milestone',
          subjectId: p.milestoneKey,
          projectKey: p.contractKey,
          code: 'INVOICE_FAILED',
          reason: `The invoice for the accepted milestone could not be created: ${e instanceof Error ? e.message : String(e)}`,
          owner: 'finance-ops',
          title: `Invoice for ${milestone ? `"${milestone.name}"` : 'a milestone'}${project ? ` of ${project.contract.number}` : ''}`,
          system: connectedSystem(p.tenantId, 'erp'),
          suggestedFix:
            'Fix the ERP side named above, then retry this exception: the invoice is created once.',
          detail: { approvalId: p.approvalId, milestoneKey: p.milestoneKey },
        });
      });
      return { failed: true };
    }
  }
}
