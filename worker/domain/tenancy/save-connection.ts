import type { Db } from '../../db/client';
import { connectionsTable } from '../../db/schema';
import type { Env } from '../../env';
import { type AuditedPrincipal, audit, byPrincipal } from '../audit';
import { canonicalJson, decryptSecret, encryptSecret } from '../crypto';
import { dataKeyring } from '../keyring';
import { leafPaths } from '../secret-shapes';
import { connectionRow } from './connectors';

export interface ConnectionInput {
  tenantId: string;
  role: 'crm' | 'psa' | 'erp' | 'clm';
  system: string;
  config: Record<string, unknown>;
  secrets: Record<string, unknown>;
  concurrencyLimit: number;
}

function leafValues(value: unknown, path = '', out = new Map<string, string>()): Map<string, string> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      leafValues(v, path ? `${path}.${k}` : k, out);
  } else if (path) out.set(path, canonicalJson(value));
  return out;
}

/**
 * Which secret settings a save added, changed, kept or removed, by path only: an audit row says that a
 * secret changed, never what it was or became (not even a hash: secrets can be short enough to guess).
 */
function secretChanges(before: Record<string, unknown> | undefined, after: Record<string, unknown>) {
  const b = before ? leafValues(before) : new Map<string, string>();
  const a = leafValues(after);
  return {
    added: [...a.keys()].filter((p) => !b.has(p)),
    changed: [...a.keys()].filter((p) => b.has(p) && b.get(p) !== a.get(p)),
    unchanged: [...a.keys()].filter((p) => b.has(p) && b.get(p) === a.get(p)),
    removed: [...b.keys()].filter((p) => !a.has(p)),
  };
}

/**
 * Connect (or reconnect) one system of a tenant; the secrets are stored encrypted with the current data key,
 * never returned. The audit row has the settings before and after and, for secrets, only which changed.
 */
export async function saveConnection(
  db: Db,
  env: Pick<Env, 'SECRETS_KEY' | 'SECRETS_KEY_ID' | 'SECRETS_KEY_PREVIOUS'>,
  input: ConnectionInput,
  by: { who: AuditedPrincipal; correlationId: string },
) {
  const ring = dataKeyring(env);
  const existing = await connectionRow(db, input.tenantId, input.role);
  let previousSecrets: Record<string, unknown> | undefined;
  if (existing) {
    try {
      previousSecrets = JSON.parse(
        await decryptSecret(ring, input.tenantId, existing.secretCiphertext),
      ) as Record<string, unknown>;
    } catch {
      // Unreadable with today's keys: every secret counts as replaced.
    }
  }
  const values = {
    tenantId: input.tenantId,
    role: input.role,
    system: input.system,
    config: input.config,
    secretCiphertext: await encryptSecret(ring, input.tenantId, JSON.stringify(input.secrets)),
    concurrencyLimit: input.concurrencyLimit,
    updatedAt: new Date().toISOString(),
  };
  await db
    .insert(connectionsTable)
    .values(values)
    .onConflictDoUpdate({ target: [connectionsTable.tenantId, connectionsTable.role], set: values });
  const view = (
    r: { system: string; config: Record<string, unknown>; concurrencyLimit: number },
    s?: unknown,
  ) => ({
    system: r.system,
    config: r.config,
    concurrencyLimit: r.concurrencyLimit,
    secretPaths: s === undefined ? null : leafPaths(s),
  });
  await audit(
    db,
    byPrincipal(by.who, {
      tenantId: input.tenantId,
      correlationId: by.correlationId,
      action: existing ? 'connection.updated' : 'connection.created',
      subjectType: 'connection',
      subjectId: input.role,
      detail: {
        before: existing ? view(existing, previousSecrets) : null,
        after: view(values, input.secrets),
        secretPathsChanged:
          existing && previousSecrets === undefined
            ? { unreadableBefore: true, ...secretChanges(undefined, input.secrets) }
            : secretChanges(previousSecrets, input.secrets),
      },
    }),
  );
  return { updatedAt: values.updatedAt };
}
