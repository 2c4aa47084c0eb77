import { and, eq, isNull } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { apiKeysTable } from '../db/schema';
import { sha256Hex, timingSafeEqual } from '../domain/crypto';
import { noteKeyUsed } from '../domain/tenancy/api-keys';
import { ApiError } from './api-error';
import type { AppEnv, Principal } from './context';
import { spendBudget } from './rate-limit';

/**
 * Authenticates a tenant API key for one surface. The key's hash is looked up, never the key itself,
 * and the tenant comes from the key: nothing the caller sends can choose another tenant.
 */
export function requireKey(...scopes: Principal['scope'][]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError('UNAUTHORIZED', 'Send an API key as "Authorization: Bearer hk_...".');
    const token = match[1]!;
    if (
      scopes.includes('platform') &&
      c.env.PLATFORM_ADMIN_TOKEN &&
      timingSafeEqual(token, c.env.PLATFORM_ADMIN_TOKEN)
    ) {
      c.set('principal', { tenantId: '*', keyId: 'platform', scope: 'platform' });
      await spendBudget(c.env, 'API_RATE_LIMIT', 'platform:operator');
      return next();
    }
    const [row] = await c
      .get('db')
      .select()
      .from(apiKeysTable)
      .where(and(eq(apiKeysTable.keyHash, await sha256Hex(token)), isNull(apiKeysTable.revokedAt)))
      .limit(1);
    if (!row) throw new ApiError('UNAUTHORIZED', 'The API key is unknown or revoked.');
    if (row.expiresAt && row.expiresAt <= new Date().toISOString())
      throw new ApiError(
        'UNAUTHORIZED',
        'The API key was rotated and its overlap has ended; use its replacement.',
      );
    if (!scopes.includes(row.scope))
      throw new ApiError(
        'FORBIDDEN',
        `This key is for the ${row.scope} surface and cannot call this endpoint.`,
      );
    await noteKeyUsed(c.get('db'), row);
    const user = c.req.header('x-handoff-user');
    c.set('principal', {
      tenantId: row.tenantId,
      keyId: row.id,
      scope: row.scope,
      label: row.label,
      user: user && /^[\w.@-]{1,80}$/.test(user) ? user : undefined,
    });
    await spendBudget(c.env, 'API_RATE_LIMIT', `${row.tenantId}:${row.scope}`);
    return next();
  };
}
