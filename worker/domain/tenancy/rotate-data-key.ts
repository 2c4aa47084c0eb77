import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { connectionsTable } from '../../db/schema';
import { type AuditedPrincipal, audit, byPrincipal } from '../audit';
import { decryptSecret, encryptSecret, keyIdOf } from '../crypto';
import { type DataKeyEnv, dataKeyring } from '../keyring';

/** Platform-wide actions are audited under this tenant id. */
export const PLATFORM_TENANT = '*';

const KEY_ID_SQL = sql<string>`case when instr(${connectionsTable.secretCiphertext}, ':') > 0
  then substr(${connectionsTable.secretCiphertext}, 1, instr(${connectionsTable.secretCiphertext}, ':') - 1)
  else 'legacy' end`;

/** How many stored secrets each data key id protects (`legacy`: from before key ids). */
export async function ciphertextsByKeyId(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .select({ keyId: KEY_ID_SQL, n: sql<number>`count(*)` })
    .from(connectionsTable)
    .groupBy(KEY_ID_SQL);
  return Object.fromEntries(rows.map((r) => [r.keyId, Number(r.n)]));
}

/** The data and embed keyrings as the deployment has them: ids only, never key material. */
export function keyIds(ring: { currentId: string; keys: ReadonlyMap<string, unknown> }) {
  return { current: ring.currentId, previous: [...ring.keys.keys()].filter((k) => k !== ring.currentId) };
}

export interface RotationReport {
  currentKeyId: string;
  /** Re-encrypted to the current key by this call. */
  reencrypted: number;
  /** Changed by someone else between our read and our write (a save, another rotation): left to them. */
  conflicts: number;
  /** Not decryptable with any key the deployment has (a key id it lacks): listed, left as they are. */
  unreadable: { tenantId: string; role: string; keyId: string }[];
  /** Secrets still under another key after this call (0: the old keys may be removed). */
  remaining: number;
  byKeyId: Record<string, number>;
}

/**
 * Re-encrypt stored connection secrets under the current data key, in small batches, without downtime:
 * every reader decrypts with whichever key a value names (current or previous) while this runs, and each
 * row is replaced with a compare-and-set on its old ciphertext, so a connection saved meanwhile (already
 * under the current key) is never overwritten with older secrets. Does at most `maxRows` rows per call;
 * call again while `remaining` > 0 (the `keys:rotate-data` script does).
 */
export async function rotateDataKey(
  db: Db,
  env: DataKeyEnv,
  opts: { batchSize: number; maxRows: number; who: AuditedPrincipal; correlationId: string },
): Promise<RotationReport> {
  const ring = dataKeyring(env);
  const prefix = `${ring.currentId}:`;
  const notCurrent = sql`substr(${connectionsTable.secretCiphertext}, 1, ${prefix.length}) <> ${prefix}`;
  const skip = new Set<string>();
  const report: RotationReport = {
    currentKeyId: ring.currentId,
    reencrypted: 0,
    conflicts: 0,
    unreadable: [],
    remaining: 0,
    byKeyId: {},
  };
  let seen = 0;
  while (seen < opts.maxRows) {
    const batch = (
      await db
        .select({
          tenantId: connectionsTable.tenantId,
          role: connectionsTable.role,
          secretCiphertext: connectionsTable.secretCiphertext,
        })
        .from(connectionsTable)
        .where(notCurrent)
        .limit(opts.batchSize + skip.size)
    )
      .filter((r) => !skip.has(`${r.tenantId}/${r.role}`))
      .slice(0, Math.min(opts.batchSize, opts.maxRows - seen));
    if (batch.length === 0) break;
    seen += batch.length;
    for (const row of batch) {
      let plaintext: string;
      try {
        plaintext = await decryptSecret(ring, row.tenantId, row.secretCiphertext);
      } catch {
        skip.add(`${row.tenantId}/${row.role}`);
        report.unreadable.push({
          tenantId: row.tenantId,
          role: row.role,
          keyId: keyIdOf(row.secretCiphertext),
        });
        continue;
      }
      const updated = await db
        .update(connectionsTable)
        .set({ secretCiphertext: await encryptSecret(ring, row.tenantId, plaintext) })
        .where(
          and(
            eq(connectionsTable.tenantId, row.tenantId),
            eq(connectionsTable.role, row.role),
            eq(connectionsTable.secretCiphertext, row.secretCiphertext),
          ),
        )
        .returning({ role: connectionsTable.role });
      if (updated.length) report.reencrypted++;
      else report.conflicts++;
    }
  }
  report.byKeyId = await ciphertextsByKeyId(db);
  report.remaining = Object.entries(report.byKeyId)
    .filter(([kid]) => kid !== ring.currentId)
    .reduce((n, [, count]) => n + count, 0);
  await audit(
    db,
    byPrincipal(opts.who, {
      tenantId: PLATFORM_TENANT,
      correlationId: opts.correlationId,
      action: 'data_key.rotated',
      subjectType: 'data_key',
      subjectId: ring.currentId,
      detail: {
        keyIds: keyIds(ring),
        reencrypted: report.reencrypted,
        conflicts: report.conflicts,
        unreadable: report.unreadable,
        remaining: report.remaining,
        byKeyId: report.byKeyId,
      },
    }),
  );
  return report;
}
