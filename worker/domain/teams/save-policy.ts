import { eq } from 'drizzle-orm';
import { outboundPolicyFromEnv, outboundUrlProblems, type UrlProblem } from '../../connectors/outbound-guard';
import type { Db } from '../../db/client';
import { approvalPoliciesTable, tenantsTable } from '../../db/schema';
import type { TenantPolicy } from '../amendments/policy';

/** Connect the firm's Teams (its Entra tenant id, when given) and store who approves what. */
export async function savePolicy(
  db: Db,
  input: { tenantId: string; teamsTenantId?: string; policy: TenantPolicy },
): Promise<void> {
  if (input.teamsTenantId)
    await db
      .update(tenantsTable)
      .set({ teamsTenantId: input.teamsTenantId })
      .where(eq(tenantsTable.id, input.tenantId));
  const row = {
    tenantId: input.tenantId,
    policy: input.policy as unknown as Record<string, unknown>,
    updatedAt: new Date().toISOString(),
  };
  await db
    .insert(approvalPoliciesTable)
    .values(row)
    .onConflictDoUpdate({ target: approvalPoliciesTable.tenantId, set: row });
}

/**
 * The bot sends its Bot Connector token to a service URL: only a Bot Connector host Microsoft documents,
 * matched exactly, or an origin the deployment adds.
 */
export function botConnectorUrlProblems(
  env: Parameters<typeof outboundPolicyFromEnv>[0],
  url: string,
  field: string,
): UrlProblem[] {
  return outboundUrlProblems(url, 'bot-connector', outboundPolicyFromEnv(env), field);
}
