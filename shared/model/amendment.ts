import { z } from 'zod';
import { CalendarDateSchema } from './calendar-date';
import { MilestoneSchema } from './contract';
import { NonNegativeMoneySchema } from './money';
import { nonBlank } from './text';

/**
 * Amendments of one contract are numbered 1, 2, 3... and each must be the one after the contract's latest
 * (receiveAmendment checks that against what is recorded). The bound keeps a typo or a hostile number from
 * reaching the database or the workflow that walks the numbers before it.
 */
export const MAX_AMENDMENT_NUMBER = 999;
export const AmendmentNumberSchema = z
  .number()
  .int('An amendment number is a whole number')
  .min(1, 'Amendments are numbered from 1')
  .max(MAX_AMENDMENT_NUMBER, `At most ${MAX_AMENDMENT_NUMBER} amendments per contract`)
  .meta({ description: "1 for the contract's first amendment, then the next number each time.", example: 1 });

/** Bounds of one change set, so an envelope's custom field or a CRM call cannot grow a row without limit. */
const MAX_ITEMS = 200;

/** A new or changed role rate; it supersedes the role's rate from `effectiveFrom` on. */
export const RateChangeSchema = z.object({
  role: nonBlank(80),
  rate: NonNegativeMoneySchema,
  unit: z.enum(['hour', 'day']).default('hour'),
  effectiveFrom: CalendarDateSchema,
});
export type RateChange = z.infer<typeof RateChangeSchema>;

/** A change to an existing milestone, found by its canonical key; omitted fields stay as they were. */
export const MilestoneChangeSchema = z
  .object({
    key: nonBlank(64),
    name: nonBlank(200).optional(),
    amount: NonNegativeMoneySchema.optional(),
    dueDate: CalendarDateSchema.optional(),
    clause: z.string().max(500).optional(),
    deliverables: z.array(nonBlank(200)).max(MAX_ITEMS).optional(),
  })
  .refine(
    (m) => Object.keys(m).some((k) => k !== 'key'),
    'A milestone change must change something (name, amount, dueDate, clause or deliverables)',
  );
export type MilestoneChange = z.infer<typeof MilestoneChangeSchema>;

/**
 * The canonical change set of one signed amendment (change order). Every part is optional: an
 * amendment that only extends the end date carries only `endDate`. Money must be in the contract's
 * currency: receiveAmendment refuses anything else before it is recorded, applyAmendment again.
 */
export const AmendmentChangesSchema = z
  .object({
    rates: z.array(RateChangeSchema).max(MAX_ITEMS).default([]),
    /** New total contract value (the project budget). */
    budget: NonNegativeMoneySchema.optional(),
    /** New not-to-exceed cap of a time-and-materials contract; null removes the cap. */
    notToExceed: NonNegativeMoneySchema.nullable().optional(),
    milestones: z
      .object({
        added: z.array(MilestoneSchema).max(MAX_ITEMS).default([]),
        removed: z.array(nonBlank(64)).max(MAX_ITEMS).default([]),
        changed: z.array(MilestoneChangeSchema).max(MAX_ITEMS).default([]),
      })
      .default({ added: [], removed: [], changed: [] }),
    endDate: CalendarDateSchema.optional(),
    /** The statement of work's scope as amended (replaces the previous text). */
    scope: nonBlank(20_000).optional(),
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
  )
  .meta({
    id: 'AmendmentChanges',
    description: 'What a signed amendment changes; every part is optional, at least one must be present.',
  });
export type AmendmentChanges = z.infer<typeof AmendmentChangesSchema>;
export type AmendmentChangesInput = z.input<typeof AmendmentChangesSchema>;

/** Every amount in a change set with its path, e.g. `rates.0.rate`, `milestones.added.1.amount`. */
export function moneyInChanges(c: AmendmentChanges): { field: string; currency: string }[] {
  return [
    ...c.rates.map((r, i) => ({ field: `rates.${i}.rate`, currency: r.rate.currency })),
    ...(c.budget ? [{ field: 'budget', currency: c.budget.currency }] : []),
    ...(c.notToExceed ? [{ field: 'notToExceed', currency: c.notToExceed.currency }] : []),
    ...c.milestones.added.map((m, i) => ({
      field: `milestones.added.${i}.amount`,
      currency: m.amount.currency,
    })),
    ...c.milestones.changed.flatMap((m, i) =>
      m.amount ? [{ field: `milestones.changed.${i}.amount`, currency: m.amount.currency }] : [],
    ),
  ];
}
