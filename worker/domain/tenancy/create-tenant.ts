import type { Db } from '../../db/client';
import { apiKeysTable, auditLogTable, tenantsTable } from '../../db/schema';
import { type AuditedPrincipal, auditRow, byPrincipal } from '../audit';
import { randomToken } from '../crypto';
import { newApiKey } from './api-keys';

/**
 * A new tenant and its first keys (one per surface); only hashes are stored, the secrets are returned once.
 * The audit row (who created it, and which keys, without their secrets) is written in the same batch. The
 * firm's Salesforce org and Microsoft 365 tenant are not stated here: each is proven when it is connected.
 */
export async function createTenant(
  db: Db,
  input: { name: string },
  by: { who: AuditedPrincipal; correlationId: string },
) {
  const id = `ten_${randomToken(9)}`;
  const crm = await newApiKey(id, 'crm', 'Salesforce package');
  const psa = await newApiKey(id, 'psa', 'PSA sidebar host');
  const admin = await newApiKey(id, 'admin', 'Admin');
  const tenant = { id, name: input.name };
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
  return { id, keys: { crm: crm.secret, psa: psa.secret, admin: admin.secret } };
}
