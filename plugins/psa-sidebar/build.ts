import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, transform } from 'esbuild';

/**
 * Builds the PSA sidebar:
 *   {outDir}/sidebar/index.html  skeleton + inlined CSS (paints before any script or data)
 *   {outDir}/sidebar/app.js      the app (IIFE, no framework)
 *   {outDir}/sidebar/host.js     the host adapter a PSA page includes (global HandoffSidebar)
 */
const here = dirname(fileURLToPath(import.meta.url));
const SRC = join(here, 'src');

async function bundle(entry: string, globalName?: string): Promise<string> {
  const result = await build({
    entryPoints: [join(SRC, entry)],
    bundle: true,
    minify: true,
    format: 'iife',
    ...(globalName ? { globalName } : {}),
    target: ['chrome109', 'firefox115', 'safari16'],
    platform: 'browser',
    write: false,
    legalComments: 'none',
  });
  return result.outputFiles[0]!.text;
}

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Buffer.from(digest).toString('base64');
}

/**
 * `allowLoopback` lets the page call an API on 127.0.0.1 / localhost: only for the sandbox and tests; a
 * production build's policy has no loopback origin.
 */
export async function buildSidebar(
  outDir: string,
  opts: { allowLoopback?: boolean } = {},
): Promise<{ files: string[]; gzipBytes: number }> {
  const dir = join(outDir, 'sidebar');
  await mkdir(dir, { recursive: true });
  const [app, host, css, template] = await Promise.all([
    bundle('main.ts'),
    bundle('host-adapter.ts', 'HandoffSidebar'),
    readFile(join(SRC, 'styles.css'), 'utf8').then((s) => transform(s, { loader: 'css', minify: true })),
    readFile(join(SRC, 'index.html'), 'utf8'),
  ]);
  const style = css.code.trim();
  // The page's own policy: scripts only from this origin, the one inline style by hash, API calls over
  // https (or loopback during development). Who may frame it is the server's frame-ancestors header.
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'sha256-${await sha256Base64(style)}'`,
    `connect-src 'self' https:${opts.allowLoopback ? ' http://127.0.0.1:* http://localhost:*' : ''}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const html = template.replace('__CSP__', csp).replace('__CSS__', () => style);
  const outputs: [string, string][] = [
    ['index.html', html],
    ['app.js', app],
    ['host.js', host],
  ];
  await Promise.all(outputs.map(([name, text]) => writeFile(join(dir, name), text)));
  return {
    files: outputs.map(([name]) => relative(outDir, join(dir, name))),
    gzipBytes: outputs.reduce((sum, [, text]) => sum + gzipSync(text).length, 0),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2] ?? join(here, '..', '..', 'dist', 'plugins');
  const { files, gzipBytes } = await buildSidebar(out);
  console.log(`${files.join(', ')}: ${(gzipBytes / 1024).toFixed(1)} KB gzipped`);
}
