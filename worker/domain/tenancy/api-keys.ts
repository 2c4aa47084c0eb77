import { and, desc, eq, gt, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { apiKeysTable } from '../../db/schema';
import { ApiError } from '../../http/api-error';
import { type AuditedPrincipal, audit, byPrincipal } from '../audit';
import { randomToken, sha256Hex } from '../crypto';

export type KeyScope = 'crm' | 'psa' | 'admin';
type KeyRow = typeof apiKeysTable.$inferSelect;

/** How long a rotated key keeps working beside its replacement: 24 h unless asked, 0 (at once) to 7 days. */
export const DEFAULT_OVERLAP_MINUTES = 24 * 60;
export const MAX_OVERLAP_MINUTES = 7 * 24 * 60;
/** Keys a tenant may hold at once (active or in overlap). */
export const MAX_ACTIVE_KEYS = 50;

/** A new key: the secret (returned once) and the row (only its hash and a prefix are stored). */
export async function newApiKey(tenantId: string, scope: KeyScope, label: string) {
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

const nowIso = () => new Date().toISOString();

export type KeyStatus = 'active' | 'expiring' | 'expired' | 'revoked';

function statusOf(row: KeyRow, now = nowIso()): KeyStatus {
  if (row.revokedAt) return 'revoked';
  if (row.expiresAt) return row.expiresAt <= now ? 'expired' : 'expiring';
  return 'active';
}

/** A key as its tenant sees it: never the secret nor its hash. */
export function apiKeyView(row: KeyRow) {
  return {
    id: row.id,
    scope: row.scope,
    label: row.label,
    prefix: row.prefix,
    status: statusOf(row),
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt ?? null,
    expiresAt: row.expiresAt ?? null,
    revokedAt: row.revokedAt ?? null,
    replacedBy: row.replacedBy ?? null,
  };
}
export type ApiKeyView = ReturnType<typeof apiKeyView>;

/** Every key of the tenant, newest first. */
export async function listApiKeys(db: Db, tenantId: string): Promise<ApiKeyView[]> {
  const rows = await db
    .select()
    .from(apiKeysTable)
    .where(eq(apiKeysTable.tenantId, tenantId))
    .orderBy(desc(apiKeysTable.createdAt), desc(apiKeysTable.id));
  return rows.map(apiKeyView);
}

async function keyRow(db: Db, tenantId: string, id: string): Promise<KeyRow> {
  const [row] = await db
    .select()
    .from(apiKeysTable)
    .where(and(eq(apiKeysTable.tenantId, tenantId), eq(apiKeysTable.id, id)))
    .limit(1);
  if (!row) throw new ApiError('NOT_FOUND', `No API key ${id} for this tenant.`);
  return row;
}

async function usableKeys(db: Db, tenantId: string): Promise<KeyRow[]> {
  return db
    .select()
    .from(apiKeysTable)
    .where(
      and(
        eq(apiKeysTable.tenantId, tenantId),
        isNull(apiKeysTable.revokedAt),
        or(isNull(apiKeysTable.expiresAt), gt(apiKeysTable.expiresAt, nowIso())),
      ),
    );
}

interface KeyCommand {
  db: Db;
  tenantId: string;
  who: AuditedPrincipal;
  correlationId: string;
}

/** A new key for one surface; the secret is in the answer and nowhere else. */
export async function createApiKey(cmd: KeyCommand, input: { scope: KeyScope; label: string }) {
  if ((await usableKeys(cmd.db, cmd.tenantId)).length >= MAX_ACTIVE_KEYS)
    throw new ApiError('CONFLICT', `This tenant already has ${MAX_ACTIVE_KEYS} usable keys.`, [
      { field: 'scope', message: 'too many keys', fix: 'Revoke keys no longer used, then create this one.' },
    ]);
  const key = await newApiKey(cmd.tenantId, input.scope, input.label);
  const [row] = await cmd.db.insert(apiKeysTable).values(key.row).returning();
  const view = apiKeyView(row!);
  await audit(
    cmd.db,
    byPrincipal(cmd.who, {
      tenantId: cmd.tenantId,
      correlationId: cmd.correlationId,
      action: 'api_key.created',
      subjectType: 'api_key',
      subjectId: view.id,
      detail: { before: null, after: view },
    }),
  );
  return { ...view, secret: key.secret };
}

/**
 * Rotate a key without downtime: a new key (same scope and label) works at once, the old one keeps
 * working for the overlap and is refused after. Only a key that is not already on its way out rotates,
 * and of concurrent rotations exactly one wins (conditional update).
 */
export async function rotateApiKey(cmd: KeyCommand, id: string, input: { overlapMinutes?: number }) {
  const old = await keyRow(cmd.db, cmd.tenantId, id);
  const status = statusOf(old);
  if (status !== 'active')
    throw new ApiError('CONFLICT', `Key ${id} is ${status} and cannot be rotated.`, [
      {
        field: 'id',
        message: status,
        fix: old.replacedBy ? `Rotate its replacement ${old.replacedBy}.` : 'Create a new key instead.',
      },
    ]);
  const overlap = input.overlapMinutes ?? DEFAULT_OVERLAP_MINUTES;
  const expiresAt = new Date(Date.now() + overlap * 60_000).toISOString();
  const next = await newApiKey(cmd.tenantId, old.scope, old.label);
  const [, marked] = await cmd.db.batch([
    cmd.db.insert(apiKeysTable).values(next.row),
    cmd.db
      .update(apiKeysTable)
      .set({ expiresAt, replacedBy: next.row.id })
      .where(
        and(
          eq(apiKeysTable.tenantId, cmd.tenantId),
          eq(apiKeysTable.id, id),
          isNull(apiKeysTable.revokedAt),
          isNull(apiKeysTable.expiresAt),
        ),
      )
      .returning({ id: apiKeysTable.id }),
  ]);
  if (marked.length === 0) {
    // Someone rotated or revoked it between our read and our write: take back the key we just made.
    await cmd.db.delete(apiKeysTable).where(eq(apiKeysTable.id, next.row.id));
    throw new ApiError('CONFLICT', `Key ${id} was rotated or revoked meanwhile.`, [
      { field: 'id', message: 'changed meanwhile', fix: 'List the keys and try again on the current one.' },
    ]);
  }
  const [oldAfter] = await cmd.db.select().from(apiKeysTable).where(eq(apiKeysTable.id, id));
  const [created] = await cmd.db.select().from(apiKeysTable).where(eq(apiKeysTable.id, next.row.id));
  const view = apiKeyView(created!);
  await audit(
    cmd.db,
    byPrincipal(cmd.who, {
      tenantId: cmd.tenantId,
      correlationId: cmd.correlationId,
      action: 'api_key.rotated',
      subjectType: 'api_key',
      subjectId: id,
      detail: {
        before: apiKeyView(old),
        after: apiKeyView(oldAfter!),
        replacement: view,
        overlapMinutes: overlap,
      },
    }),
  );
  return { key: { ...view, secret: next.secret }, previous: apiKeyView(oldAfter!) };
}

/**
 * Revoke a key at once. The tenant's last lasting admin key (not revoked, not expiring) cannot be revoked:
 * without it nobody could manage the tenant's keys or connections again.
 */
export async function revokeApiKey(cmd: KeyCommand, id: string) {
  const row = await keyRow(cmd.db, cmd.tenantId, id);
  if (row.revokedAt) throw new ApiError('CONFLICT', `Key ${id} is already revoked (${row.revokedAt}).`);
  if (row.scope === 'admin' && !row.expiresAt) {
    const otherAdmins = (await usableKeys(cmd.db, cmd.tenantId)).filter(
      (k) => k.scope === 'admin' && k.id !== id && !k.expiresAt,
    );
    if (otherAdmins.length === 0)
      throw new ApiError('CONFLICT', `Key ${id} is this tenant's last admin key.`, [
        {
          field: 'id',
          message: 'last admin key',
          fix: 'Create another admin key (POST /v1/admin/api-keys) or rotate this one instead of revoking it.',
        },
      ]);
  }
  const now = nowIso();
  const [revoked] = await cmd.db
    .update(apiKeysTable)
    .set({ revokedAt: now })
    .where(
      and(eq(apiKeysTable.tenantId, cmd.tenantId), eq(apiKeysTable.id, id), isNull(apiKeysTable.revokedAt)),
    )
    .returning();
  if (!revoked) throw new ApiError('CONFLICT', `Key ${id} was revoked meanwhile.`);
  const view = apiKeyView(revoked);
  await audit(
    cmd.db,
    byPrincipal(cmd.who, {
      tenantId: cmd.tenantId,
      correlationId: cmd.correlationId,
      action: 'api_key.revoked',
      subjectType: 'api_key',
      subjectId: id,
      detail: { before: apiKeyView(row), after: view },
    }),
  );
  return view;
}

const LAST_USED_GRAIN_MS = 60 * 60_000;

/** Records that a key authenticated, at most once an hour per key (one cheap conditional write). */
export async function noteKeyUsed(db: Db, row: Pick<KeyRow, 'id' | 'lastUsedAt'>): Promise<void> {
  const now = new Date();
  const stale = new Date(now.getTime() - LAST_USED_GRAIN_MS).toISOString();
  if (row.lastUsedAt && row.lastUsedAt > stale) return;
  await db
    .update(apiKeysTable)
    .set({ lastUsedAt: now.toISOString() })
    .where(
      and(
        eq(apiKeysTable.id, row.id),
        or(isNull(apiKeysTable.lastUsedAt), lt(apiKeysTable.lastUsedAt, stale)),
      ),
    );
}
