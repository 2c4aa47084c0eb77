import { and, eq, ne } from 'drizzle-orm';
import { outboundPolicyFromEnv, outboundUrlProblems, type UrlProblem } from '../../connectors/outbound-guard';
import type { Db } from '../../db/client';
import { approvalPoliciesTable, tenantsTable } from '../../db/schema';
import { uniqueViolation } from '../../db/unique-violation';
import { ApiError } from '../../http/api-error';
import type { TenantPolicy } from '../amendments/policy';
import { type AuditedPrincipal, audit, byPrincipal } from '../audit';

/** One Microsoft 365 organisation belongs to one tenant: its tid is how a Teams user finds the firm. */
function teamsTenantClaimed(): ApiError {
  return new ApiError(
    'CONFLICT',
    'This Microsoft 365 tenant is already connected to another Handoff tenant.',
    [
      {
        field: 'teamsTenantId',
        message: 'already used by another tenant',
        fix: 'Check the id in the Microsoft Entra admin center (Overview → Tenant ID); if it is right, disconnect it from the other Handoff tenant first.',
      },
    ],
  );
}

/** Connect the firm's Teams (its Entra tenant id, when given) and store who approves what; audited before/after. */
export async function savePolicy(
  db: Db,
  input: { tenantId: string; teamsTenantId?: string; policy: TenantPolicy },
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<void> {
  const [tenant] = await db
    .select({ teamsTenantId: tenantsTable.teamsTenantId })
    .from(tenantsTable)
    .where(eq(tenantsTable.id, input.tenantId))
    .limit(1);
  const [previous] = await db
    .select()
    .from(approvalPoliciesTable)
    .where(eq(approvalPoliciesTable.tenantId, input.tenantId))
    .limit(1);
  if (input.teamsTenantId) {
    const teamsTenantId = input.teamsTenantId.toLowerCase();
    const [taken] = await db
      .select({ id: tenantsTable.id })
      .from(tenantsTable)
      .where(and(eq(tenantsTable.teamsTenantId, teamsTenantId), ne(tenantsTable.id, input.tenantId)))
      .limit(1);
    if (taken) throw teamsTenantClaimed();
    try {
      await db.update(tenantsTable).set({ teamsTenantId }).where(eq(tenantsTable.id, input.tenantId));
    } catch (e) {
      // Two tenants claiming one Microsoft 365 tenant at once: the unique index lets one in.
      if (uniqueViolation(e)?.includes('teams_tenant_id')) throw teamsTenantClaimed();
      throw e;
    }
  }
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
        before: previous ? { teamsTenantId: tenant?.teamsTenantId ?? null, policy: previous.policy } : null,
        after: {
          teamsTenantId: input.teamsTenantId?.toLowerCase() ?? tenant?.teamsTenantId ?? null,
          policy: row.policy,
        },
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
