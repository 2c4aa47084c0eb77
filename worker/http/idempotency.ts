import { and, eq, lt } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { idempotencyKeysTable } from '../db/schema';
import { canonicalJson, sha256Hex } from '../domain/crypto';
import { ApiError } from './api-error';
import type { AppEnv } from './context';

/** How long a key's first response is replayed. Published in the API reference. */
export const IDEMPOTENCY_RETENTION_HOURS = 24;
/** A "running" record older than this belongs to a request that died; a retry may take it over. */
const STALE_RUNNING_MS = 60_000;

/**
 * Idempotency-Key semantics (draft-ietf-httpapi-idempotency-key-header, Stripe's practice):
 * missing → 400; same key + different body → 422; same key while the first is running → 409;
 * same key after completion → the first response (status and body) again. Records are keyed by
 * (tenant, principal, route, key) so no tenant or caller can see another's reply. 5xx answers are not
 * kept: the caller should be able to retry them.
 */
export function idempotent(route: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (!key) {
      throw new ApiError(
        'IDEMPOTENCY_KEY_REQUIRED',
        'This operation needs an Idempotency-Key header (a UUID per user action).',
        [
          {
            field: 'Idempotency-Key',
            message: 'missing',
            fix: 'Send a new UUID v4 for each click; resend the same one when retrying.',
          },
        ],
      );
    }
    if (key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
      throw new ApiError('BAD_REQUEST', 'Idempotency-Key must be 1-255 visible ASCII characters.', [
        { field: 'Idempotency-Key', message: 'invalid', fix: 'Use a UUID v4.' },
      ]);
    }
    const raw = await c.req.text();
    let fingerprintSource = raw;
    try {
      fingerprintSource = canonicalJson(JSON.parse(raw));
    } catch {
      // not JSON: fingerprint the raw bytes; the validator will refuse the body anyway
    }
    const fingerprint = await sha256Hex(fingerprintSource);
    const db = c.get('db');
    const p = c.get('principal');
    const id = { tenantId: p.tenantId, principal: p.keyId, route, key };
    const where = and(
      eq(idempotencyKeysTable.tenantId, id.tenantId),
      eq(idempotencyKeysTable.principal, id.principal),
      eq(idempotencyKeysTable.route, id.route),
      eq(idempotencyKeysTable.key, id.key),
    );

    const claim = async () =>
      db
        .insert(idempotencyKeysTable)
        .values({
          ...id,
          fingerprint,
          state: 'running',
          expiresAt: new Date(Date.now() + IDEMPOTENCY_RETENTION_HOURS * 3600_000).toISOString(),
        })
        .onConflictDoNothing()
        .returning({ key: idempotencyKeysTable.key });

    let claimed = (await claim()).length === 1;
    if (!claimed) {
      const [existing] = await db.select().from(idempotencyKeysTable).where(where).limit(1);
      if (!existing) {
        claimed = (await claim()).length === 1;
      } else if (existing.expiresAt < new Date().toISOString()) {
        await db
          .delete(idempotencyKeysTable)
          .where(and(where, lt(idempotencyKeysTable.expiresAt, new Date().toISOString())));
        claimed = (await claim()).length === 1;
      } else if (existing.fingerprint !== fingerprint) {
        throw new ApiError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was already used with a different request body.',
          [
            {
              field: 'Idempotency-Key',
              message: 'reused with another payload',
              fix: 'Use a new key for a new request.',
            },
          ],
        );
      } else if (existing.state === 'done') {
        c.header('Idempotent-Replayed', 'true');
        return new Response(existing.responseBody, {
          status: existing.statusCode ?? 200,
          headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' },
        });
      } else if (Date.now() - Date.parse(existing.createdAt) > STALE_RUNNING_MS) {
        // The first request died mid-flight; take the key over (conditional on it still being stale).
        const taken = await db
          .update(idempotencyKeysTable)
          .set({ createdAt: new Date().toISOString() })
          .where(
            and(
              where,
              eq(idempotencyKeysTable.state, 'running'),
              eq(idempotencyKeysTable.createdAt, existing.createdAt),
            ),
          )
          .returning({ key: idempotencyKeysTable.key });
        claimed = taken.length === 1;
      }
      if (!claimed) {
        throw new ApiError(
          'IDEMPOTENCY_KEY_IN_USE',
          'A request with this Idempotency-Key is still being processed; retry shortly.',
        );
      }
    }

    try {
      await next();
    } catch (e) {
      await db.delete(idempotencyKeysTable).where(where);
      throw e;
    }
    const status = c.res.status;
    if (status >= 500) {
      await db.delete(idempotencyKeysTable).where(where);
      return;
    }
    const body = await c.res.clone().text();
    await db
      .update(idempotencyKeysTable)
      .set({ state: 'done', statusCode: status, responseBody: body })
      .where(where);
  };
}
