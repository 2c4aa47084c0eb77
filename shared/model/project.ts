import { z } from 'zod';
import { MilestoneSchema, RateCardSchema, TeamRoleSchema } from './contract';
import { MoneySchema } from './money';

export interface WbsNode {
  key: string;
  name: string;
  children?: WbsNode[];
}
export const WbsNodeSchema: z.ZodType<WbsNode> = z.lazy(() =>
  z.object({ key: z.string().min(1), name: z.string().min(1), children: z.array(WbsNodeSchema).optional() }),
);

/** The delivery project as Handoff asks the PSA to create it. */
export const ProjectSpecSchema = z.object({
  name: z.string().min(1),
  template: z.string().min(1),
  startDate: z.string(),
  endDate: z.string().optional(),
  budget: MoneySchema,
  wbs: z.array(WbsNodeSchema),
  milestones: z.array(MilestoneSchema),
  rateCard: RateCardSchema.optional(),
  team: z.array(TeamRoleSchema),
  description: z.string().optional(),
});
export type ProjectSpec = z.infer<typeof ProjectSpecSchema>;

export const BillingScheduleLineSchema = z.object({
  key: z.string().min(1),
  description: z.string().min(1),
  date: z.string(),
  amount: MoneySchema,
  milestoneKey: z.string().optional(),
});

/** How and when the ERP bills the project: milestone amounts, T&M with an optional cap, or a fixed recurring fee. */
export const BillingScheduleSchema = z.object({
  type: z.enum(['milestone', 'time_and_materials', 'fixed_recurring']),
  currency: MoneySchema.shape.currency,
  lines: z.array(BillingScheduleLineSchema),
  notToExceed: MoneySchema.optional(),
  frequency: z.enum(['monthly', 'quarterly']).optional(),
});
export type BillingSchedule = z.infer<typeof BillingScheduleSchema>;
