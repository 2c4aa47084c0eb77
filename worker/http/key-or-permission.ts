import type { MiddlewareHandler } from 'hono';
import type { ConsolePermission } from '../../shared/api/console';
import { requireKey } from './auth';
import { requirePermission } from './console-auth';
import type { AppEnv, Principal } from './context';

/**
 * An operation API keys of several surfaces call today (the exception list: admin and crm) that the console
 * calls too: a request with an Authorization header is judged by its key against `scopes`, one without by
 * the console session and `permission` (requirePermission). Nothing that works with a key today breaks.
 */
export function requireKeyOrPermission(
  scopes: Principal['scope'][],
  permission: ConsolePermission,
): MiddlewareHandler<AppEnv> {
  const key = requireKey(...scopes);
  const session = requirePermission(permission);
  return (c, next) => (c.req.header('authorization') ? key(c, next) : session(c, next));
}
