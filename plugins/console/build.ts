import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { CONSOLE_CSP } from '../../shared/api/console';

/**
 * Builds the console into the worker's static assets (wrangler.toml `[assets]`), served on the API's origin:
 *   {assetsDir}/console/index.html  the page (no inline script or style: the CSP allows only 'self')
 *   {assetsDir}/console/app.js      Preact + TanStack Table, one minified bundle
 *   {assetsDir}/console/app.css
 *   {assetsDir}/_headers            the console's CSP and headers (Workers static assets apply them)
 */
const here = dirname(fileURLToPath(import.meta.url));
const SRC = join(here, 'src');

export interface ConsoleBuild {
  jsBytes: number;
  jsGzipBytes: number;
  cssBytes: number;
}

export async function buildConsole(assetsDir: string): Promise<ConsoleBuild> {
  const out = join(assetsDir, 'console');
  await mkdir(out, { recursive: true });
  const result = await build({
    entryPoints: [join(SRC, 'main.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome109', 'firefox115', 'safari16'],
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    write: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const js = result.outputFiles[0]!.text;
  const css = await readFile(join(SRC, 'styles.css'), 'utf8');
  await writeFile(join(out, 'app.js'), js);
  await writeFile(join(out, 'app.css'), css);
  await writeFile(join(out, 'index.html'), await readFile(join(SRC, 'index.html'), 'utf8'));
  await writeFile(
    join(assetsDir, '_headers'),
    [
      '/console/*',
      `  Content-Security-Policy: ${CONSOLE_CSP}`,
      '  X-Content-Type-Options: nosniff',
      '  Referrer-Policy: no-referrer',
      '  X-Frame-Options: DENY',
      '  Cache-Control: no-cache',
      '',
    ].join('\n'),
  );
  return {
    jsBytes: Buffer.byteLength(js),
    jsGzipBytes: gzipSync(js).length,
    cssBytes: Buffer.byteLength(css),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = join(here, '..', '..', 'dist', 'assets');
  const b = await buildConsole(dir);
  console.log(
    `Console built into ${dir}/console: app.js ${(b.jsBytes / 1024).toFixed(1)} KB (${(b.jsGzipBytes / 1024).toFixed(1)} KB gzipped), app.css ${(b.cssBytes / 1024).toFixed(1)} KB.`,
  );
}
