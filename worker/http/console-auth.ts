import type { MiddlewareHandler } from 'hono';
import { type ConsolePermission, rolesAllow } from '../../shared/api/console';
import { ApiError } from './api-error';
import { requireKey } from './auth';
import type { AppEnv } from './context';

/**
 * The console's operations: a person signed in to the console whose roles allow `permission`, or (for
 * automation and the API reference's curl) a tenant admin API key, which may do everything an admin may.
 *
 * A request with an `Authorization` header is an API call and is judged by its key alone; without one, the
 * console session decides (its cookie, and for a write its CSRF token).
 */
export function requirePermission(permission: ConsolePermission): MiddlewareHandler<AppEnv> {
  const key = requireKey('admin');
  return async (c, next) => {
    if (c.req.header('authorization')) return key(c, next);
    const session = await consoleSession(c);
    if (!session) throw new ApiError('UNAUTHORIZED', 'Sign in to the console, or send an admin API key.');
    if (!rolesAllow(session.person?.roles ?? [], permission))
      throw new ApiError(
        'FORBIDDEN',
        `Your role cannot do this (${permission}); ask an admin of your firm for a role that can.`,
      );
    c.set('principal', session);
    return next();
  };
}

/** The console session of this request, if any. Sessions come with console sign-in (not yet built). */
async function consoleSession(_c: Parameters<MiddlewareHandler<AppEnv>>[0]) {
  return undefined as AppEnv['Variables']['principal'] | undefined;
}
