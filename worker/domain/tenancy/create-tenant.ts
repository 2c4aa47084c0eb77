import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { apiKeysTable, auditLogTable, tenantsTable } from '../../db/schema';
import { uniqueViolation } from '../../db/unique-violation';
import { ApiError } from '../../http/api-error';
import { type AuditedPrincipal, auditRow, byPrincipal } from '../audit';
import { randomToken } from '../crypto';
import { newApiKey } from './api-keys';

/** One Salesforce org belongs to one tenant: its org id is how a Canvas or CRM call finds the firm. */
export function orgClaimed(salesforceOrgId: string): ApiError {
  return new ApiError(
    'CONFLICT',
    `Salesforce org ${salesforceOrgId} is already connected to another tenant.`,
    [
      {
        field: 'salesforceOrgId',
        message: 'already claimed by another tenant',
        fix: 'Check the org id (Setup → Company Information → Salesforce.com Organization ID); if it is right, use the tenant that has it instead of creating another.',
      },
    ],
  );
}

/**
 * A new tenant and its first keys (one per surface); only hashes are stored, the secrets are returned once.
 * The audit row (who created it, and which keys, without their secrets) is written in the same batch.
 */
export async function createTenant(
  db: Db,
  input: { name: string; salesforceOrgId?: string },
  by: { who: AuditedPrincipal; correlationId: string },
) {
  if (input.salesforceOrgId) {
    const [taken] = await db
      .select({ id: tenantsTable.id })
      .from(tenantsTable)
      .where(eq(tenantsTable.salesforceOrgId, input.salesforceOrgId))
      .limit(1);
    if (taken) throw orgClaimed(input.salesforceOrgId);
  }
  const id = `ten_${randomToken(9)}`;
  const crm = await newApiKey(id, 'crm', 'Salesforce package');
  const psa = await newApiKey(id, 'psa', 'PSA sidebar host');
  const admin = await newApiKey(id, 'admin', 'Admin');
  const tenant = { id, name: input.name, salesforceOrgId: input.salesforceOrgId ?? null };
  try {
    await db.batch([
      db.insert(tenantsTable).values(tenant),
      db.insert(apiKeysTable).values([crm.row, psa.row, admin.row]),
      db.insert(auditLogTable).values(
        auditRow(
          byPrincipal(by.who, {
            tenantId: id,
            correlationId: by.correlationId,
            action: 'tenant.created',
            subjectType: 'tenant',
            subjectId: id,
            detail: {
              before: null,
              after: {
                ...tenant,
                issued: [crm.row, psa.row, admin.row].map((k) => ({
                  id: k.id,
                  scope: k.scope,
                  label: k.label,
                  prefix: k.prefix,
                })),
              },
            },
          }),
        ),
      ),
    ]);
  } catch (e) {
    // Two creations for one org at once: both passed the check, the unique index lets one in.
    if (input.salesforceOrgId && uniqueViolation(e)?.includes('salesforce_org_id'))
      throw orgClaimed(input.salesforceOrgId);
    throw e;
  }
  return { id, keys: { crm: crm.secret, psa: psa.secret, admin: admin.secret } };
}
