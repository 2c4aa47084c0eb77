import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px 'Segoe UI',system-ui,sans-serif;color:#242424;background:#f5f5f5}
#app{max-width:860px;margin:0 auto;padding:20px}
h2{font-size:18px;margin:8px 0 12px}
ul{list-style:none;margin:0 0 24px;padding:0}
.row{background:#fff;border-radius:6px;box-shadow:0 1px 2px rgba(0,0,0,.14);padding:12px 16px;margin-bottom:8px}
.title{font-weight:600}
.sub,.fix{color:#616161;margin-top:2px}
.actions{display:flex;gap:8px;margin-top:8px}
button{font:600 14px 'Segoe UI',system-ui,sans-serif;border:1px solid #d1d1d1;border-radius:4px;background:#fff;padding:5px 12px;cursor:pointer}
button.primary{background:#5b5fc7;border-color:#5b5fc7;color:#fff}
button.danger{color:#c4314b;margin-top:6px}
textarea{display:block;width:100%;margin-top:8px;font:inherit;padding:6px}
.row-status:empty{display:none}
.row-status{margin:6px 0 0;color:#616161}
.notice{text-align:center;padding:48px 16px}
.empty{color:#616161}
`;

/**
 * Builds {outDir}/teams/tab.html + tab.js, the personal tab the manifest's staticTabs point at
 * (https://{host}/teams/tab.html?view=approvals|exceptions). `apiBase` defaults to the page's origin.
 */
export async function buildTeamsTab(
  outDir: string,
  opts: { apiBase?: string } = {},
): Promise<{ files: string[] }> {
  const dir = join(outDir, 'teams');
  await mkdir(dir, { recursive: true });
  const result = await build({
    entryPoints: [join(here, 'main.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome109', 'firefox115', 'safari16'],
    write: false,
    legalComments: 'none',
  });
  const apiBase = (opts.apiBase ?? '').replace(/"/g, '&quot;');
  const style = createHash('sha256').update(CSS).digest('base64');
  // Scripts from this origin only; API calls to this origin (or the API base it was built for) and to the
  // CDN that teams-js reads its list of valid host domains from. Who may frame it: the _headers file.
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'sha256-${style}'`,
    `connect-src 'self' https://res.cdn.office.net${opts.apiBase ? ` ${new URL(opts.apiBase).origin}` : ''}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="handoff-api-base" content="${apiBase}">
<title>Handoff</title>
<style>${CSS}</style>
</head>
<body>
<main id="app" aria-live="polite"><p class="notice">Loading…</p></main>
<script src="tab.js" defer></script>
</body>
</html>
`;
  await Promise.all([
    writeFile(join(dir, 'tab.html'), html),
    writeFile(join(dir, 'tab.js'), result.outputFiles[0]!.text),
  ]);
  return { files: ['teams/tab.html', 'teams/tab.js'] };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2] ?? join(here, '..', '..', '..', 'dist', 'plugins');
  console.log((await buildTeamsTab(out)).files.join(', '));
}
