import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { type ConsolePermission, rolesAllow } from '../../shared/api/console';
import { type LiveSession, resolveSession, SESSION_COOKIE } from '../domain/console/sessions';
import { timingSafeEqual } from '../domain/crypto';
import { ApiError } from './api-error';
import { requireKey } from './auth';
import type { AppEnv, Principal } from './context';
import { spendBudget } from './rate-limit';

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

/** A console session and nothing else (the session itself, sign-out): an API key is not a session. */
export function requireSession(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const session = await consoleSession(c);
    if (!session) throw new ApiError('UNAUTHORIZED', 'Sign in to the console.');
    c.set('principal', session);
    return next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The console session of this request, if any: the `__Host-handoff_session` cookie names a live session (by
 * its hash; see `resolveSession`). A request that changes anything must also carry the session's CSRF token
 * in `X-CSRF-Token` (compared in constant time) and, when the browser sends an Origin, come from this
 * worker's own origin: otherwise 403, as another site's form or script cannot read the token. Spends the
 * firm's API budget, as an API key does.
 */
export async function consoleSession(c: Context<AppEnv>): Promise<Principal | undefined> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) return undefined;
  const s = await resolveSession(c.get('db'), token);
  if (!s) return undefined;
  if (!SAFE_METHODS.has(c.req.method)) {
    const origin = c.req.header('origin');
    if (origin !== undefined && origin !== new URL(c.req.url).origin)
      throw new ApiError('FORBIDDEN', 'This request comes from another site than the console.', [
        {
          field: 'Origin',
          message: `${origin.slice(0, 100)} is not this console's origin`,
          fix: 'Use the console itself; other sites cannot act with your session.',
        },
      ]);
    if (!timingSafeEqual(c.req.header('x-csrf-token') ?? '', s.csrfToken))
      throw new ApiError('FORBIDDEN', 'The CSRF token is missing or wrong.', [
        {
          field: 'X-CSRF-Token',
          message: 'missing or not this session’s',
          fix: 'Send the csrfToken of GET /v1/console/session in the X-CSRF-Token header.',
        },
      ]);
  }
  await spendBudget(c.env, 'API_RATE_LIMIT', `${s.tenantId}:console`);
  c.set('consoleSession', s);
  return principalOf(s);
}

function principalOf(s: LiveSession): Principal {
  return {
    tenantId: s.tenantId,
    keyId: `session:${s.id}`,
    scope: 'console',
    person: {
      id: s.member.id,
      name: s.member.name,
      ...(s.member.email ? { email: s.member.email } : {}),
      provider: s.member.provider,
      subject: s.member.subject,
      roles: s.roles,
    },
  };
}
