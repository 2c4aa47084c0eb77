import { and, eq, ne } from 'drizzle-orm';
import { ConnectorError } from '../../connectors/errors';
import { outboundPolicyFromEnv } from '../../connectors/outbound-guard';
import type { CrmPort } from '../../connectors/ports';
import type { Db } from '../../db/client';
import { tenantsTable } from '../../db/schema';
import { uniqueViolation } from '../../db/unique-violation';
import type { Env } from '../../env';
import { ApiError } from '../../http/api-error';
import { type AuditedPrincipal, audit, byPrincipal } from '../audit';
import { CONNECTOR_REGISTRY } from './connectors';

/** One Salesforce org belongs to one tenant: its org id is how a Canvas or CRM call finds the firm. */
export function orgClaimed(orgId: string): ApiError {
  return new ApiError('CONFLICT', `Salesforce org ${orgId} is already connected to another tenant.`, [
    {
      field: 'config.instanceUrl',
      message: `these credentials reach org ${orgId}, which another tenant has connected`,
      fix: 'Connect the org your firm uses (check the My Domain URL and the connected app), or disconnect it from the other Handoff tenant first.',
    },
  ]);
}

/**
 * Which org the CRM credentials reach, asked of the CRM itself: the proof that a firm may claim that org.
 * A firm never states its org id; an org another tenant holds answers 409, credentials that reach nothing
 * answer 422 with the CRM's reason, and nothing is stored in either case.
 */
export async function proveCrmOrg(
  env: Env,
  input: { system: string; config: Record<string, unknown> },
): Promise<{ orgId: string; orgName: string }> {
  const factory = CONNECTOR_REGISTRY.crm[input.system];
  if (!factory) throw new Error(`Unknown CRM system ${input.system}`);
  const crm: CrmPort = factory.create(input.config as never, { outbound: outboundPolicyFromEnv(env) });
  try {
    return await crm.whoAmI();
  } catch (e) {
    if (!(e instanceof ConnectorError)) throw e;
    throw new ApiError(
      e.retryable ? 'UPSTREAM_UNAVAILABLE' : 'VALIDATION_FAILED',
      `Handoff could not verify the ${input.system} connection: ${e.message}`,
      [
        {
          field:
            e.code === 'INVALID_CLIENT' || e.status === 400 || e.status === 401 ? 'secrets.auth' : 'config',
          message: e.message,
          fix:
            e.fix ??
            'Check the My Domain URL, the connected app (client credentials flow enabled, run-as user) and its secret.',
        },
      ],
      e.retryable ? { retryAfterSeconds: 30 } : {},
    );
  }
}

/** Records the proven org on the tenant (409 if another tenant holds it, also when two race); audited. */
export async function claimCrmOrg(
  db: Db,
  input: { tenantId: string; orgId: string; orgName: string },
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<void> {
  const [current] = await db
    .select({ orgId: tenantsTable.salesforceOrgId })
    .from(tenantsTable)
    .where(eq(tenantsTable.id, input.tenantId))
    .limit(1);
  if (current?.orgId === input.orgId) return;
  const [taken] = await db
    .select({ id: tenantsTable.id })
    .from(tenantsTable)
    .where(and(eq(tenantsTable.salesforceOrgId, input.orgId), ne(tenantsTable.id, input.tenantId)))
    .limit(1);
  if (taken) throw orgClaimed(input.orgId);
  try {
    await db
      .update(tenantsTable)
      .set({ salesforceOrgId: input.orgId })
      .where(eq(tenantsTable.id, input.tenantId));
  } catch (e) {
    if (uniqueViolation(e)?.includes('salesforce_org_id')) throw orgClaimed(input.orgId);
    throw e;
  }
  await audit(
    db,
    byPrincipal(by.who, {
      tenantId: input.tenantId,
      correlationId: by.correlationId,
      action: 'salesforce_org.claimed',
      subjectType: 'tenant',
      subjectId: input.tenantId,
      detail: {
        before: { salesforceOrgId: current?.orgId ?? null },
        after: { salesforceOrgId: input.orgId, orgName: input.orgName },
        proof: 'SELECT Id FROM Organization with the connection’s own credentials',
      },
    }),
  );
}
