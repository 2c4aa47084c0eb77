import type { MiddlewareHandler } from 'hono';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import { CONSOLE_CSP } from '../../shared/api/console';
import type { AppEnv } from './context';

/** The API answers JSON: nothing in it may run, load or be framed. */
const api = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
  xFrameOptions: 'DENY',
});

/** The sidebar calls the API from the PSA's page (CORS): its answers may be read cross-origin. */
const sidebarApi = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
  xFrameOptions: 'DENY',
  crossOriginResourcePolicy: 'cross-origin',
});

/** The reference page: its one inline style by nonce, no scripts, never framed. */
const docs = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    styleSrc: [NONCE],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: 'DENY',
});

/**
 * Headers on every answer: `nosniff`, no referrer, HSTS, a CSP (the API's forbids everything; /docs allows
 * its own style), and `no-store` on the API's JSON, which is authenticated and per tenant: no browser or
 * proxy cache may keep it (the sidebar revalidates with its ETag on its own).
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const path = c.req.path;
    if (path.startsWith('/console/') && !path.startsWith('/console/auth/')) {
      // The console's page and files: its own scripts and styles, the API on this origin, never framed.
      await api(c, next);
      c.res.headers.set('content-security-policy', CONSOLE_CSP);
      return;
    }
    const chosen = path === '/docs' ? docs : path.startsWith('/v1/sidebar/') ? sidebarApi : api;
    await chosen(c, next);
    // The console's sign-in redirects carry one-time cookies: never cached either.
    if (path.startsWith('/v1/') || path.startsWith('/console/auth/')) c.header('cache-control', 'no-store');
  };
}
