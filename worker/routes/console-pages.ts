import type { App } from '../app';
import { ApiError } from '../http/api-error';

/**
 * The console's pages that are not files: /console/sign-in (where sign-in failures and invitation links
 * land) answers with the console's one page, which reads its path and query. Its files (/console/,
 * app.js, app.css) are static assets served before the worker runs.
 */
export function registerConsolePages(app: App) {
  // In production the assets are served before the worker runs; a request reaches here only through a
  // binding that skips that router (the test pool's SELF) or for a path that is no file: the same files, the
  // same headers (worker/http/security-headers.ts).
  app.get('/console/*', async (c, next) => {
    if (c.req.path === '/console/sign-in') return next();
    const file = await c.env.ASSETS.fetch(c.req.raw);
    if (file.status === 404) return next();
    return new Response(file.body, file);
  });
  app.get('/console/sign-in', async (c) => {
    const page = await c.env.ASSETS.fetch(new URL('/console/', c.req.url));
    if (!page.ok) throw new ApiError('NOT_FOUND', 'The console is not built: run `npm run build:console`.');
    return new Response(page.body, {
      status: 200,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      },
    });
  });
}
