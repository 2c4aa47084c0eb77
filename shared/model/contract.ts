import { z } from 'zod';
import { CalendarDateSchema as IsoDate } from './calendar-date';
import { CurrencyCodeSchema } from './currency';
import { MoneySchema, NonNegativeMoneySchema } from './money';
import { nonBlank } from './text';

const Country = z.string().regex(/^[A-Z]{2}$/, 'Use an ISO 3166-1 alpha-2 country code, e.g. US, DE');

export const AddressSchema = z.object({
  line1: nonBlank(255),
  line2: z.string().optional(),
  city: nonBlank(255),
  region: z.string().optional(),
  postalCode: nonBlank(255),
  country: Country,
});
export type Address = z.infer<typeof AddressSchema>;

export const TaxRegistrationSchema = z.object({
  /** VAT (EU/UK), GST (AU/NZ/SG/IN/CA), EIN (US), ABN, ... */
  scheme: z.string().min(2),
  number: z.string().min(3),
  /** Tax region or nexus the ERP should apply (e.g. a US state, an EU member state). */
  region: z.string().optional(),
});
export type TaxRegistration = z.infer<typeof TaxRegistrationSchema>;

export const LegalEntitySchema = z.object({
  name: nonBlank(255),
  registrationNumber: z.string().optional(),
  /** The firm's own contracting entity (ERP subsidiary) that bills this customer. */
  billingSubsidiary: z.string().optional(),
});

/** The customer as the contract knows it; the ERP owns the financial master once created. */
export const CustomerSchema = z.object({
  crmAccountId: nonBlank(255),
  name: nonBlank(255),
  legalEntity: LegalEntitySchema,
  billingAddress: AddressSchema,
  taxRegistration: TaxRegistrationSchema,
  currency: CurrencyCodeSchema,
  email: z.string().email().optional(),
});
export type Customer = z.infer<typeof CustomerSchema>;

export const RateSchema = z.object({
  role: nonBlank(80),
  rate: NonNegativeMoneySchema,
  unit: z.enum(['hour', 'day']).default('hour'),
  effectiveFrom: IsoDate,
  effectiveTo: IsoDate.optional(),
});
export type Rate = z.infer<typeof RateSchema>;

export const RateCardSchema = z.object({
  name: nonBlank(255),
  currency: CurrencyCodeSchema,
  rates: z.array(RateSchema).min(1, 'A rate card needs at least one role rate'),
});
export type RateCard = z.infer<typeof RateCardSchema>;

export const MilestoneSchema = z
  .object({
    /** Stable key from the CRM/CLM (e.g. the Salesforce record id of the milestone line). */
    key: nonBlank(64),
    name: nonBlank(200),
    amount: NonNegativeMoneySchema,
    dueDate: IsoDate,
    /** The contract clause the milestone comes from, carried onto the invoice line. */
    clause: z.string().max(500).optional(),
    deliverables: z.array(nonBlank(200)).max(200).default([]),
  })
  .meta({ id: 'Milestone' });
export type Milestone = z.infer<typeof MilestoneSchema>;

export const BillingModelSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('fixed_fee'),
    milestones: z.array(MilestoneSchema).min(1, 'A fixed-fee contract needs at least one milestone'),
  }),
  z.object({ type: z.literal('time_and_materials'), notToExceed: NonNegativeMoneySchema.optional() }),
  z.object({
    type: z.literal('retainer'),
    amountPerPeriod: NonNegativeMoneySchema,
    period: z.enum(['monthly', 'quarterly']),
    periods: z.number().int().min(1),
  }),
]);
export type BillingModel = z.infer<typeof BillingModelSchema>;
export type BillingModelType = BillingModel['type'];

export const ContractLineSchema = z.object({
  key: nonBlank(255),
  description: nonBlank(4000),
  kind: z.enum(['service', 'expense', 'product']),
  role: z.string().optional(),
  quantity: z.number().positive(),
  unitPrice: MoneySchema,
  total: MoneySchema,
});
export type ContractLine = z.infer<typeof ContractLineSchema>;

export const ExpensePolicySchema = z.object({
  billable: z.boolean().default(true),
  /** Not-to-exceed allowance for travel and expenses over the contract's life. */
  travelNotToExceed: NonNegativeMoneySchema.optional(),
});

export const TeamRoleSchema = z.object({
  role: nonBlank(255),
  personName: z.string().optional(),
  email: z.string().email().optional(),
  plannedHours: z.number().nonnegative().optional(),
});
export type TeamRole = z.infer<typeof TeamRoleSchema>;

export const ContractStatusSchema = z.enum([
  'draft',
  'negotiating',
  'signed',
  'active',
  'expired',
  'terminated',
]);

/** One contract (statement of work) with everything activation needs, in canonical form. */
export const ContractSchema = z.object({
  crmOpportunityId: nonBlank(255),
  crmContractId: z.string().optional(),
  number: nonBlank(255),
  name: nonBlank(255),
  status: ContractStatusSchema,
  signedAt: z.string().datetime({ offset: true }).optional(),
  effectiveDate: IsoDate,
  endDate: IsoDate.optional(),
  currency: CurrencyCodeSchema,
  totalValue: NonNegativeMoneySchema,
  serviceLine: z.string().optional(),
  customer: CustomerSchema,
  lines: z.array(ContractLineSchema).default([]),
  billingModel: BillingModelSchema,
  rateCard: RateCardSchema.optional(),
  expensePolicy: ExpensePolicySchema.default({ billable: true }),
  projectTemplate: z.string().default('standard-delivery'),
  team: z.array(TeamRoleSchema).default([]),
});
export type Contract = z.infer<typeof ContractSchema>;
