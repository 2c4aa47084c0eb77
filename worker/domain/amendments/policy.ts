import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { EntraIdSchema } from '../../../shared/model/ids';
import { MinorUnitsSchema } from '../../../shared/model/money';
import { NonBlankNameSchema } from '../../../shared/model/text';
import type { Db } from '../../db/client';
import { approvalPoliciesTable } from '../../db/schema';

export const PersonSchema = z
  .object({
    /** Microsoft Entra object id: how Teams names the person on every action. */
    aadObjectId: EntraIdSchema,
    name: NonBlankNameSchema,
    email: z.email().max(254).optional(),
  })
  .meta({ id: 'Person', description: 'Someone in the firm, as Microsoft Entra knows them.' });
export type Person = z.infer<typeof PersonSchema>;

/** Who approves what in one firm, and when a change order needs approval at all. */
export const TenantPolicySchema = z
  .object({
    milestoneApprover: PersonSchema.optional(),
    changeOrderApprover: PersonSchema.optional(),
    /** Exception owners by queue (finance-ops, delivery-ops, sales-ops, integration-admin). */
    exceptionOwners: z
      .record(z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'A queue name like finance-ops'), PersonSchema)
      .refine((o) => Object.keys(o).length <= 50, 'At most 50 queues')
      .default({}),
    /** People an exception may be reassigned to. */
    people: z.array(PersonSchema).max(500).default([]),
    /** Change orders whose budget moves more than this (minor units of the contract currency) need approval. */
    approveAboveMinor: MinorUnitsSchema.optional(),
    /** Any rate change needs approval. */
    alwaysForRates: z.boolean().default(true),
    /** Where the bot reaches the firm's Teams (the Bot Connector service URL of its region). */
    teamsServiceUrl: z.url().max(500).optional(),
  })
  .meta({
    id: 'TenantPolicy',
    description: 'Who approves what in one firm, and when a change order needs approval.',
  });
export type TenantPolicy = z.infer<typeof TenantPolicySchema>;

export async function loadPolicy(db: Db, tenantId: string): Promise<TenantPolicy> {
  const [row] = await db
    .select()
    .from(approvalPoliciesTable)
    .where(eq(approvalPoliciesTable.tenantId, tenantId))
    .limit(1);
  return TenantPolicySchema.parse(row?.policy ?? {});
}
