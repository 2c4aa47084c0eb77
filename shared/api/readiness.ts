import { z } from 'zod';
import { InvoiceStatusSchema } from '../model/delivery';
import { MoneySchema } from '../model/money';

/**
 * Billing readiness of one project, as the PSA sidebar shows it to a project manager.
 * Every amount is in the contract currency.
 */
export const MilestoneReadinessSchema = z
  .object({
    key: z.string(),
    name: z.string(),
    amount: MoneySchema,
    dueDate: z.string(),
    clause: z.string().nullable(),
    /**
     * not_ready: delivery not complete · ready: complete, prerequisites met, can be sent for acceptance ·
     * awaiting_acceptance: an approver must accept · blocked: complete but something stops billing (see blockers) ·
     * invoiced: the ERP has an invoice for it.
     */
    state: z.enum(['not_ready', 'ready', 'awaiting_acceptance', 'blocked', 'invoiced']),
    blockers: z.array(z.object({ rule: z.string(), reason: z.string(), fix: z.string() })),
    approvalId: z.string().nullable(),
    invoiceNumber: z.string().nullable(),
  })
  .meta({ id: 'MilestoneReadiness' });
export type MilestoneReadiness = z.infer<typeof MilestoneReadinessSchema>;

export const InvoiceSummarySchema = z
  .object({
    id: z.string(),
    number: z.string(),
    status: InvoiceStatusSchema,
    total: MoneySchema,
    amountPaid: MoneySchema,
    date: z.string(),
    url: z.string().nullable(),
    /** What it bills: a milestone name, or "Time and expenses to 2026-11-30". */
    description: z.string(),
  })
  .meta({ id: 'InvoiceSummary' });

export const ProjectExceptionSchema = z
  .object({
    id: z.string(),
    rule: z.string(),
    reason: z.string(),
    suggestedFix: z.string(),
    owner: z.string(),
    status: z.enum(['open', 'retrying', 'resolved', 'skipped']),
    ageSeconds: z.number().int(),
    subject: z.string(),
  })
  .meta({ id: 'ProjectException' });

export const ReadinessSchema = z
  .object({
    project: z.object({
      psaProjectId: z.string(),
      name: z.string(),
      contractNumber: z.string(),
      billingModel: z.enum(['fixed_fee', 'time_and_materials', 'retainer']),
      currency: z.string(),
    }),
    totals: z.object({
      contractValue: MoneySchema,
      billed: MoneySchema,
      /** Approved, compliant time and expenses not invoiced yet (posted to the ERP or on the way). */
      unbilledTime: MoneySchema,
      unbilledExpenses: MoneySchema,
      /** Held back: failed a rule and waits in the exception queue. */
      held: MoneySchema,
      remaining: MoneySchema,
      /** T&M cap and travel allowance, with what is used of each. */
      notToExceed: MoneySchema.nullable(),
      travelAllowance: MoneySchema.nullable(),
      travelUsed: MoneySchema,
    }),
    counts: z.object({
      timeEntries: z.number().int(),
      expenses: z.number().int(),
      posted: z.number().int(),
      pending: z.number().int(),
      held: z.number().int(),
    }),
    milestones: z.array(MilestoneReadinessSchema),
    invoices: z.array(InvoiceSummarySchema),
    exceptions: z.array(ProjectExceptionSchema),
    /** Changes whenever anything above changes: the sidebar refreshes when it differs. */
    version: z.string(),
    generatedAt: z.string(),
  })
  .meta({ id: 'Readiness', description: 'Billing readiness of one project, in the contract currency.' });
export type Readiness = z.infer<typeof ReadinessSchema>;
