import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { approvalPoliciesTable } from '../../db/schema';

export const PersonSchema = z.object({
  /** Microsoft Entra object id: how Teams names the person on every action. */
  aadObjectId: z.string().min(1),
  name: z.string().min(1),
  email: z.string().email().optional(),
});
export type Person = z.infer<typeof PersonSchema>;

/** Who approves what in one firm, and when a change order needs approval at all. */
export const TenantPolicySchema = z.object({
  milestoneApprover: PersonSchema.optional(),
  changeOrderApprover: PersonSchema.optional(),
  /** Exception owners by queue (finance-ops, delivery-ops, sales-ops, integration-admin). */
  exceptionOwners: z.record(z.string(), PersonSchema).default({}),
  /** People an exception may be reassigned to. */
  people: z.array(PersonSchema).default([]),
  /** Change orders whose budget moves more than this (minor units) need approval. */
  approveAboveMinor: z.number().int().nonnegative().optional(),
  /** Any rate change needs approval. */
  alwaysForRates: z.boolean().default(true),
  /** Where the bot reaches the firm's Teams (the Bot Connector service URL of its region). */
  teamsServiceUrl: z.string().url().optional(),
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
