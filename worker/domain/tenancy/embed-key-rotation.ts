import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { auditLogTable } from '../../db/schema';
import { ApiError } from '../../http/api-error';
import { type AuditedPrincipal, audit, byPrincipal } from '../audit';
import { EMBED_TOKEN_LEEWAY_SECONDS, EMBED_TOKEN_TTL_SECONDS } from '../embed-tokens';
import { type DataKeyEnv, dataKeyring, type EmbedKeyEnv, embedKeyring } from '../keyring';
import { ciphertextsByKeyId, keyIds, PLATFORM_TENANT } from './rotate-data-key';

async function lastEmbedRotation(db: Db) {
  const [row] = await db
    .select()
    .from(auditLogTable)
    .where(and(eq(auditLogTable.tenantId, PLATFORM_TENANT), eq(auditLogTable.action, 'embed_key.rotated')))
    .orderBy(desc(auditLogTable.id))
    .limit(1);
  return row ? { keyId: row.subjectId, at: row.at, detail: row.detail ?? {} } : undefined;
}

/**
 * The embed key rotates by configuration (a new EMBED_SIGNING_KEY and _ID, the old one under _PREVIOUS):
 * tokens carry their key id, so both verify while the old tokens live. This records that rotation once it is
 * deployed (who, from which key id to which) and says when the previous key may be removed: after the
 * longest an old token can still be accepted (10 minutes plus the leeway).
 */
export async function recordEmbedKeyRotation(
  db: Db,
  env: EmbedKeyEnv,
  by: { who: AuditedPrincipal; correlationId: string },
) {
  const ring = embedKeyring(env);
  const ids = keyIds(ring);
  const last = await lastEmbedRotation(db);
  if (last?.keyId === ring.currentId)
    throw new ApiError('CONFLICT', `The embed key ${ring.currentId} is already the recorded current key.`, [
      {
        field: 'EMBED_SIGNING_KEY_ID',
        message: 'unchanged',
        fix: 'Deploy the new key first: EMBED_SIGNING_KEY and EMBED_SIGNING_KEY_ID new, the old key under EMBED_SIGNING_KEY_PREVIOUS.',
      },
    ]);
  if (ids.previous.length === 0 && last)
    throw new ApiError('CONFLICT', 'The previous embed key is not configured.', [
      {
        field: 'EMBED_SIGNING_KEY_PREVIOUS',
        message: 'empty',
        fix: 'Keep the old key under EMBED_SIGNING_KEY_PREVIOUS until the tokens it signed have expired.',
      },
    ]);
  const removePreviousAfter = new Date(
    Date.now() + (EMBED_TOKEN_TTL_SECONDS + EMBED_TOKEN_LEEWAY_SECONDS) * 1000,
  ).toISOString();
  await audit(
    db,
    byPrincipal(by.who, {
      tenantId: PLATFORM_TENANT,
      correlationId: by.correlationId,
      action: 'embed_key.rotated',
      subjectType: 'embed_key',
      subjectId: ring.currentId,
      detail: {
        before: last ? { currentKeyId: last.keyId } : null,
        after: { currentKeyId: ring.currentId, previousKeyIds: ids.previous },
        removePreviousAfter,
      },
    }),
  );
  return { currentKeyId: ring.currentId, previousKeyIds: ids.previous, removePreviousAfter };
}

/** Which key ids the deployment has, and how many stored secrets each data key id still protects. */
export async function platformKeyStatus(db: Db, env: EmbedKeyEnv & DataKeyEnv) {
  const last = await lastEmbedRotation(db);
  return {
    dataKey: { ...keyIds(dataKeyring(env)), ciphertextsByKeyId: await ciphertextsByKeyId(db) },
    embedKey: {
      ...keyIds(embedKeyring(env)),
      lastRotation: last ? { keyId: last.keyId, at: last.at } : null,
    },
  };
}
