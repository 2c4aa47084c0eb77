import type { ConnectKey } from '../../../shared/api/connections';
import type { Db } from '../../db/client';
import type { Env } from '../../env';
import { ApiError } from '../../http/api-error';
import { type AuditedPrincipal, audit, byPrincipal } from '../audit';
import { randomToken } from '../crypto';
import { connectionRow, connectionSecrets } from '../tenancy/connectors';
import { saveConnection } from '../tenancy/save-connection';

/**
 * DocuSign Connect's HMAC keys for a firm. DocuSign creates them (Admin › Connect › Connect Keys › Add Secret
 * Key, shown once there) and signs each message with every active key of the account, one
 * `X-DocuSign-Signature-N` header per key: so a rotation is "add the new key, keep the old one verifying for an
 * overlap, then delete it in DocuSign". Handoff stores the keys encrypted with the connection's secrets
 * (`secrets.connectHmacKeys`) and, in clear, only each key's id, when it was added and when it stops verifying
 * (`config.connectKeyIds`, same order). A key is never shown again.
 */

export const DEFAULT_OVERLAP_HOURS = 24;
export const MAX_OVERLAP_HOURS = 7 * 24;
/** DocuSign allows up to 100 keys per account; a firm rotating needs two or three. */
const MAX_KEYS = 10;

interface KeyMeta {
  id: string;
  addedAt: string;
  retiresAt: string | null;
}

function metaOf(config: Record<string, unknown>, count: number): KeyMeta[] {
  const raw = Array.isArray(config.connectKeyIds) ? (config.connectKeyIds as Partial<KeyMeta>[]) : [];
  // Keys saved through the admin API carry no metadata: each counts until someone retires it.
  return Array.from({ length: count }, (_, i) => ({
    id: typeof raw[i]?.id === 'string' ? raw[i]!.id! : `key-${i + 1}`,
    addedAt: typeof raw[i]?.addedAt === 'string' ? raw[i]!.addedAt! : '',
    retiresAt: typeof raw[i]?.retiresAt === 'string' ? raw[i]!.retiresAt! : null,
  }));
}

const isActive = (m: KeyMeta, now: string) => m.retiresAt === null || m.retiresAt > now;

/** The keys a Connect message may be signed with now: those not retired (a rotation's overlap included). */
export function activeConnectKeys(
  config: Record<string, unknown> | undefined,
  secrets: Record<string, unknown> | undefined,
  now = new Date().toISOString(),
): string[] {
  const keys = Array.isArray(secrets?.connectHmacKeys) ? (secrets.connectHmacKeys as string[]) : [];
  const meta = metaOf(config ?? {}, keys.length);
  return keys.filter((_, i) => isActive(meta[i]!, now));
}

/** The firm's Connect keys as the console shows them (no key material). */
export function connectKeyViews(config: Record<string, unknown>, count: number): ConnectKey[] {
  const now = new Date().toISOString();
  return metaOf(config, count).map((m) => ({ ...m, active: isActive(m, now) }));
}

async function current(db: Db, env: Env, tenantId: string) {
  const row = await connectionRow(db, tenantId, 'clm');
  if (row?.system !== 'docusign') return { row: undefined, keys: [] as string[], meta: [] as KeyMeta[] };
  const secrets = (await connectionSecrets(env, db, tenantId, 'clm')) ?? {};
  const keys = Array.isArray(secrets.connectHmacKeys) ? (secrets.connectHmacKeys as string[]) : [];
  return { row, keys, meta: metaOf(row.config, keys.length) };
}

/**
 * Adds a key DocuSign created. Keys still active become the previous ones: they keep verifying for the
 * overlap (DocuSign signs with every key until the old one is deleted there), then stop; retired keys go.
 */
export async function addConnectKey(
  db: Db,
  env: Env,
  input: { tenantId: string; key: string; overlapHours: number },
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<ConnectKey[]> {
  const now = new Date().toISOString();
  const { row, keys, meta } = await current(db, env, input.tenantId);
  if (keys.includes(input.key))
    throw new ApiError('CONFLICT', 'This Connect key is already added.', [
      {
        field: 'key',
        message: 'already added',
        fix: 'To rotate, add a new key in DocuSign (Admin › Connect › Connect Keys › Add Secret Key) and paste that one.',
      },
    ]);
  const retireAt = new Date(Date.now() + input.overlapHours * 3_600_000).toISOString();
  const kept = keys
    .map((key, i) => ({ key, meta: meta[i]! }))
    .filter((k) => isActive(k.meta, now))
    .map((k) => ({
      key: k.key,
      meta: {
        ...k.meta,
        retiresAt: k.meta.retiresAt && k.meta.retiresAt < retireAt ? k.meta.retiresAt : retireAt,
      },
    }));
  if (kept.length + 1 > MAX_KEYS)
    throw new ApiError('CONFLICT', `A firm keeps at most ${MAX_KEYS} Connect keys.`, [
      { field: 'key', message: 'too many keys', fix: 'Retire keys you deleted in DocuSign first.' },
    ]);
  const added: KeyMeta = { id: `csk_${randomToken(8)}`, addedAt: now, retiresAt: null };
  const all = [...kept, { key: input.key, meta: added }];
  await saveConnection(
    db,
    env,
    {
      tenantId: input.tenantId,
      role: 'clm',
      system: 'docusign',
      config: { ...(row?.config ?? {}), connectKeyIds: all.map((k) => k.meta) },
      secrets: { connectHmacKeys: all.map((k) => k.key) },
      concurrencyLimit: row?.concurrencyLimit ?? 5,
    },
    by,
  );
  await audit(
    db,
    byPrincipal(by.who, {
      tenantId: input.tenantId,
      correlationId: by.correlationId,
      action: 'docusign_connect_key.added',
      subjectType: 'connection',
      subjectId: 'clm',
      detail: {
        added: added.id,
        overlap: kept.map((k) => ({ id: k.meta.id, retiresAt: k.meta.retiresAt })),
        dropped: keys.length - kept.length,
      },
    }),
  );
  return all.map((k) => ({ ...k.meta, active: true }));
}

/** Stops verifying with one key now (deleted in DocuSign). The firm's last active key stays. */
export async function retireConnectKey(
  db: Db,
  env: Env,
  input: { tenantId: string; keyId: string },
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<ConnectKey[]> {
  const now = new Date().toISOString();
  const { row, keys, meta } = await current(db, env, input.tenantId);
  const index = meta.findIndex((m) => m.id === input.keyId);
  if (!row || index < 0) throw new ApiError('NOT_FOUND', `No Connect key ${input.keyId} for this firm.`);
  if (!isActive(meta[index]!, now)) return connectKeyViews(row.config, keys.length);
  if (meta.filter((m) => isActive(m, now)).length === 1)
    throw new ApiError('CONFLICT', 'This is the only Connect key that verifies DocuSign messages.', [
      {
        field: 'keyId',
        message: 'the last active key',
        fix: 'Add its replacement first (a new key from DocuSign), then retire this one.',
      },
    ]);
  const kept = keys
    .map((key, i) => ({ key, meta: i === index ? { ...meta[i]!, retiresAt: now } : meta[i]! }))
    .filter((k) => isActive(k.meta, now));
  await saveConnection(
    db,
    env,
    {
      tenantId: input.tenantId,
      role: 'clm',
      system: 'docusign',
      config: { ...row.config, connectKeyIds: kept.map((k) => k.meta) },
      secrets: { connectHmacKeys: kept.map((k) => k.key) },
      concurrencyLimit: row.concurrencyLimit,
    },
    by,
  );
  await audit(
    db,
    byPrincipal(by.who, {
      tenantId: input.tenantId,
      correlationId: by.correlationId,
      action: 'docusign_connect_key.retired',
      subjectType: 'connection',
      subjectId: 'clm',
      detail: { retired: input.keyId },
    }),
  );
  return kept.map((k) => ({ ...k.meta, active: true }));
}
