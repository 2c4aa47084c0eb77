import type { Db } from '../../db/client';
import { connectionsTable } from '../../db/schema';
import type { Env } from '../../env';
import { encryptSecret } from '../crypto';

export interface ConnectionInput {
  tenantId: string;
  role: 'crm' | 'psa' | 'erp' | 'clm';
  system: string;
  config: Record<string, unknown>;
  secrets: Record<string, unknown>;
  concurrencyLimit: number;
}

/** Connect (or reconnect) one system of a tenant; the secrets are stored encrypted, never returned. */
export async function saveConnection(db: Db, env: Pick<Env, 'SECRETS_KEY'>, input: ConnectionInput) {
  const values = {
    tenantId: input.tenantId,
    role: input.role,
    system: input.system,
    config: input.config,
    secretCiphertext: await encryptSecret(env.SECRETS_KEY, input.tenantId, JSON.stringify(input.secrets)),
    concurrencyLimit: input.concurrencyLimit,
    updatedAt: new Date().toISOString(),
  };
  await db
    .insert(connectionsTable)
    .values(values)
    .onConflictDoUpdate({ target: [connectionsTable.tenantId, connectionsTable.role], set: values });
  return { updatedAt: values.updatedAt };
}
