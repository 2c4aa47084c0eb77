import { z } from 'zod';
import { MilestoneSchema } from './contract';
import { MoneySchema } from './money';

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use an ISO date, YYYY-MM-DD');

/** A new or changed role rate; it supersedes the role's rate from `effectiveFrom` on. */
export const RateChangeSchema = z.object({
  role: z.string().min(1),
  rate: MoneySchema,
  unit: z.enum(['hour', 'day']).default('hour'),
  effectiveFrom: IsoDate,
});
export type RateChange = z.infer<typeof RateChangeSchema>;

/** A change to an existing milestone, found by its canonical key; omitted fields stay as they were. */
export const MilestoneChangeSchema = z
  .object({
    key: z.string().min(1),
    name: z.string().min(1).optional(),
    amount: MoneySchema.optional(),
    dueDate: IsoDate.optional(),
    clause: z.string().optional(),
    deliverables: z.array(z.string()).optional(),
  })
  .refine(
    (m) => Object.keys(m).some((k) => k !== 'key'),
    'A milestone change must change something (name, amount, dueDate, clause or deliverables)',
  );
export type MilestoneChange = z.infer<typeof MilestoneChangeSchema>;

/**
 * The canonical change set of one signed amendment (change order). Every part is optional: an
 * amendment that only extends the end date carries only `endDate`. Money must be in the contract's
 * currency; applyAmendment refuses anything else.
 */
export const AmendmentChangesSchema = z
  .object({
    rates: z.array(RateChangeSchema).default([]),
    /** New total contract value (the project budget). */
    budget: MoneySchema.optional(),
    /** New not-to-exceed cap of a time-and-materials contract; null removes the cap. */
    notToExceed: MoneySchema.nullable().optional(),
    milestones: z
      .object({
        added: z.array(MilestoneSchema).default([]),
        removed: z.array(z.string().min(1)).default([]),
        changed: z.array(MilestoneChangeSchema).default([]),
      })
      .default({ added: [], removed: [], changed: [] }),
    endDate: IsoDate.optional(),
    /** The statement of work's scope as amended (replaces the previous text). */
    scope: z.string().min(1).optional(),
  })
  .refine(
    (c) =>
      c.rates.length > 0 ||
      c.budget !== undefined ||
      c.notToExceed !== undefined ||
      c.milestones.added.length + c.milestones.removed.length + c.milestones.changed.length > 0 ||
      c.endDate !== undefined ||
      c.scope !== undefined,
    'An amendment must change at least one term',
  );
export type AmendmentChanges = z.infer<typeof AmendmentChangesSchema>;
export type AmendmentChangesInput = z.input<typeof AmendmentChangesSchema>;
