import type { Db } from '../../db/client';
import { apiKeysTable, tenantsTable } from '../../db/schema';
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

/** A new tenant and its first keys (one per surface); only hashes are stored, the secrets are returned once. */
export async function createTenant(db: Db, input: { name: string; salesforceOrgId?: string }) {
  const id = `ten_${randomToken(9)}`;
  const crm = await newApiKey(id, 'crm', 'Salesforce package');
  const psa = await newApiKey(id, 'psa', 'PSA sidebar host');
  const admin = await newApiKey(id, 'admin', 'Admin');
  await db.batch([
    db.insert(tenantsTable).values({ id, name: input.name, salesforceOrgId: input.salesforceOrgId ?? null }),
    db.insert(apiKeysTable).values([crm.row, psa.row, admin.row]),
  ]);
  return { id, keys: { crm: crm.secret, psa: psa.secret, admin: admin.secret } };
}
