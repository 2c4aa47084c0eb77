import { eq } from 'drizzle-orm';
import { outboundPolicyFromEnv, outboundUrlProblems, type UrlProblem } from '../../connectors/outbound-guard';
import type { Db } from '../../db/client';
import { approvalPoliciesTable } from '../../db/schema';
import type { TenantPolicy } from '../amendments/policy';
import { type AuditedPrincipal, audit, byPrincipal } from '../audit';

/**
 * Store who approves what; audited before/after. The firm's Microsoft 365 organisation is connected only by
 * proving it (identity/microsoft-claims), never from here.
 */
export async function savePolicy(
  db: Db,
  input: { tenantId: string; policy: TenantPolicy },
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<void> {
  const [previous] = await db
    .select()
    .from(approvalPoliciesTable)
    .where(eq(approvalPoliciesTable.tenantId, input.tenantId))
    .limit(1);
  const row = {
    tenantId: input.tenantId,
    policy: input.policy as unknown as Record<string, unknown>,
    updatedAt: new Date().toISOString(),
  };
  await db
    .insert(approvalPoliciesTable)
    .values(row)
    .onConflictDoUpdate({ target: approvalPoliciesTable.tenantId, set: row });
  await audit(
    db,
    byPrincipal(by.who, {
      tenantId: input.tenantId,
      correlationId: by.correlationId,
      action: previous ? 'approvals_policy.updated' : 'approvals_policy.created',
      subjectType: 'approvals_policy',
      subjectId: input.tenantId,
      detail: {
        before: previous ? { policy: previous.policy } : null,
        after: { policy: row.policy },
      },
    }),
  );
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
