import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { apiKeysTable, tenantsTable } from '../../db/schema';
import { uniqueViolation } from '../../db/unique-violation';
import { ApiError } from '../../http/api-error';
import { randomToken, sha256Hex } from '../crypto';

async function newApiKey(tenantId: string, scope: 'crm' | 'psa' | 'admin', label: string) {
  const secret = `hk_${scope}_${randomToken(24)}`;
  return {
    secret,
    row: {
      id: `key_${randomToken(9)}`,
      tenantId,
      scope,
      keyHash: await sha256Hex(secret),
      prefix: secret.slice(0, 10),
      label,
    },
  };
}

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

/** A new tenant and its first keys (one per surface); only hashes are stored, the secrets are returned once. */
export async function createTenant(db: Db, input: { name: string; salesforceOrgId?: string }) {
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
  try {
    await db.batch([
      db
        .insert(tenantsTable)
        .values({ id, name: input.name, salesforceOrgId: input.salesforceOrgId ?? null }),
      db.insert(apiKeysTable).values([crm.row, psa.row, admin.row]),
    ]);
  } catch (e) {
    // Two creations for one org at once: both passed the check, the unique index lets one in.
    if (input.salesforceOrgId && uniqueViolation(e)?.includes('salesforce_org_id'))
      throw orgClaimed(input.salesforceOrgId);
    throw e;
  }
  return { id, keys: { crm: crm.secret, psa: psa.secret, admin: admin.secret } };
}
