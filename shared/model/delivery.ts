import { z } from 'zod';
import { CalendarDateSchema as IsoDate } from './calendar-date';
import { MoneySchema } from './money';

/** An approved (or not yet approved) time entry as the PSA reports it, in canonical form. */
export const TimeEntrySchema = z.object({
  psaId: z.string().min(1),
  psaProjectId: z.string().min(1),
  /** The task or milestone the time was logged against, when the PSA says. */
  psaStoryId: z.string().optional(),
  personName: z.string().min(1),
  personEmail: z.string().optional(),
  /** The role the person worked in (matches the rate card's roles). */
  role: z.string().min(1),
  date: IsoDate,
  minutes: z.number().int().positive(),
  billable: z.boolean(),
  approved: z.boolean(),
  /** The rate the PSA applied, if it reports one (checked against the contract's rate card). */
  psaRate: MoneySchema.optional(),
  notes: z.string().optional(),
  updatedAt: z.string(),
});
export type TimeEntry = z.infer<typeof TimeEntrySchema>;

export const ExpenseSchema = z.object({
  psaId: z.string().min(1),
  psaProjectId: z.string().min(1),
  date: IsoDate,
  category: z.string().min(1),
  /** Travel and lodging count against the contract's travel not-to-exceed. */
  isTravel: z.boolean(),
  amount: MoneySchema,
  billable: z.boolean(),
  approved: z.boolean(),
  personName: z.string().min(1),
  notes: z.string().optional(),
  updatedAt: z.string(),
});
export type Expense = z.infer<typeof ExpenseSchema>;

/** A milestone's delivery state in the PSA. */
export const PsaMilestoneStateSchema = z.object({
  psaId: z.string(),
  /** The canonical milestone key (Handoff put it on the story at activation). */
  key: z.string().optional(),
  name: z.string(),
  state: z.enum(['not_started', 'in_progress', 'completed']),
  completedAt: z.string().optional(),
  deliverables: z.array(z.object({ psaId: z.string(), name: z.string(), done: z.boolean() })),
});
export type PsaMilestoneState = z.infer<typeof PsaMilestoneStateSchema>;

export const InvoiceStatusSchema = z.enum(['created', 'posted', 'sent', 'paid', 'voided']);
export type InvoiceStatus = z.infer<typeof InvoiceStatusSchema>;

/** An invoice as the ERP knows it; the ERP assigns the number. */
export const ErpInvoiceSchema = z.object({
  id: z.string(),
  number: z.string(),
  status: InvoiceStatusSchema,
  total: MoneySchema,
  amountPaid: MoneySchema,
  date: IsoDate,
  url: z.string().optional(),
});
export type ErpInvoice = z.infer<typeof ErpInvoiceSchema>;
