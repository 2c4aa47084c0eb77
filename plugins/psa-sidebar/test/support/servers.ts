import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { Readiness } from '../../../../shared/api/readiness';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void) {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((error) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}` };
}

export interface ApiCall {
  url: string;
  authorization: string | undefined;
  ifNoneMatch: string | undefined;
  status: number;
}

/**
 * Stands in for the Handoff origin: the built sidebar under /sidebar/, the readiness API (bearer token
 * checked against `validTokens`, ETag on the version), and an ERP invoice page for links.
 */
export async function startHandoffServer(outDir: string) {
  const state = {
    validTokens: new Set<string>(['tok-1']),
    readiness: null as Readiness | null,
    failWith: null as number | null,
    calls: [] as ApiCall[],
    requestedUrls: [] as string[],
  };
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
  const { server, origin } = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    state.requestedUrls.push(req.url ?? '');
    if (url.pathname === '/v1/sidebar/readiness') {
      const authorization = req.headers.authorization;
      const ifNoneMatch = req.headers['if-none-match'];
      const record = (status: number) =>
        state.calls.push({ url: req.url ?? '', authorization, ifNoneMatch, status });
      const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
      if (!token || !state.validTokens.has(token)) {
        record(401);
        return json(res, 401, {
          error: { code: 'UNAUTHORIZED', message: 'Embed token expired or invalid', requestId: 'req-401' },
        });
      }
      if (state.failWith) {
        record(state.failWith);
        return json(res, state.failWith, {
          error: { code: 'UPSTREAM_UNAVAILABLE', message: 'Database busy', requestId: 'req-503' },
        });
      }
      const etag = `"${state.readiness!.version}"`;
      if (ifNoneMatch === etag) {
        record(304);
        res.writeHead(304, { ETag: etag }).end();
        return;
      }
      record(200);
      return json(res, 200, state.readiness, { ETag: etag, 'Cache-Control': 'no-cache' });
    }
    if (url.pathname.startsWith('/erp/')) {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<title>ERP invoice</title><h1>Invoice</h1>');
      return;
    }
    const file = normalize(url.pathname).replace(/^(\.\.[/\\])+/, '');
    if (!file.startsWith('/sidebar/')) return void res.writeHead(404).end();
    try {
      const body = await readFile(join(outDir, file));
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return { server, origin, state };
}

/**
 * Stands in for a PSA project page (Kantata, say) on another origin: it includes host.js, mounts the
 * sidebar, and mints tokens from its "backend" (/token), which the test controls.
 * /evil.html frames the sidebar without host.js (no referrer, ?host= naming another origin) and tries to feed
 * it a valid token.
 */
export async function startHostServer(handoffOrigin: string) {
  const state = { nextToken: 'tok-1', tokenCalls: 0 };
  const page = (theme: string | null, poll: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kantata · Northwind ERP rollout</title>
<style>body{font-family:sans-serif;margin:0;display:flex;gap:16px;padding:16px;background:${theme === 'dark' ? '#111' : '#fafafa'}}
main{flex:1}aside{width:380px}</style></head>
<body><main><button id="menu">Project menu</button><h1>Northwind ERP rollout</h1></main>
<aside id="sidebar"></aside>
<script src="${handoffOrigin}/sidebar/host.js"></script>
<script>
window.handle = HandoffSidebar.mount({
  container: document.getElementById('sidebar'),
  src: '${handoffOrigin}/sidebar/index.html?poll=${poll}',
  apiOrigin: '${handoffOrigin}',
  psaProjectId: 'ws-4410',
  ${theme ? `theme: '${theme}',` : ''}
  getToken: () => fetch('/token', { method: 'POST' }).then((r) => r.json()).then((b) => b.token),
});
</script></body></html>`;
  const evil = `<!doctype html><html><body>
<iframe id="f" referrerpolicy="no-referrer" src="${handoffOrigin}/sidebar/index.html?poll=1000&host=${encodeURIComponent(handoffOrigin)}"></iframe>
<script>
addEventListener('message', () => {
  document.getElementById('f').contentWindow.postMessage({ type: 'handoff:init', token: 'tok-1' }, '*');
});
setTimeout(() => document.getElementById('f').contentWindow.postMessage({ type: 'handoff:init', token: 'tok-1' }, '*'), 300);
</script></body></html>`;
  const { server, origin } = await listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/token') {
      state.tokenCalls += 1;
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ token: state.nextToken }));
    } else if (url.pathname === '/project.html') {
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end(page(url.searchParams.get('theme'), url.searchParams.get('poll') ?? '1000'));
    } else if (url.pathname === '/evil.html') {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(evil);
    } else res.writeHead(404).end();
  });
  return { server, origin, state };
}

export function close(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  // Chromium keeps connections alive; without this close() waits for them to time out.
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
