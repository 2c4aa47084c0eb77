import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:'Segoe UI',system-ui,sans-serif;background:#f5f5f5;color:#242424}
.topbar{display:flex;align-items:center;gap:10px;height:48px;padding:0 16px;background:#fff;border-bottom:1px solid #e1dfdd;font-weight:600}
.topbar .avatar{width:28px;height:28px;border-radius:4px;background:#1f6feb;color:#fff;display:grid;place-items:center;font-size:14px}
main{max-width:760px;margin:0 auto;padding:16px}
.message{margin:0 0 16px 0}
.meta{font-size:12px;color:#616161;margin:0 0 4px 4px}
.card{background:#fff;border-radius:6px;box-shadow:0 1px 2px rgba(0,0,0,.14);overflow:hidden}
.message[aria-busy=true] .card{opacity:.6}
.error{color:#c4314b;font-size:13px;margin:4px}
.error:empty{display:none}
#status{color:#616161;text-align:center}
.ac-pushButton{border:1px solid #d1d1d1;border-radius:4px;background:#fff;padding:5px 12px;font:600 14px 'Segoe UI',system-ui,sans-serif;cursor:pointer}
.ac-pushButton.style-positive{background:#5b5fc7;color:#fff;border-color:#5b5fc7}
.ac-pushButton.style-destructive{color:#c4314b}
.ac-input{font:14px 'Segoe UI',system-ui,sans-serif;padding:6px;border:1px solid #d1d1d1;border-radius:4px;width:100%}
`;

/** Builds {outDir}/teams/pane.html + pane.js: a stand-in Teams chat pane for the sandbox and tests. */
export async function buildTeamsPane(outDir: string): Promise<{ files: string[] }> {
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
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data: https:; base-uri 'none'; form-action 'none'">
<title>Handoff · Teams chat</title>
<style>${CSS}</style>
</head>
<body>
<div class="topbar"><span class="avatar">H</span>Handoff</div>
<main>
<section id="messages" aria-label="Messages" aria-live="polite"></section>
<p id="status">Loading…</p>
</main>
<script src="pane.js" defer></script>
</body>
</html>
`;
  await Promise.all([
    writeFile(join(dir, 'pane.html'), html),
    writeFile(join(dir, 'pane.js'), result.outputFiles[0]!.text),
  ]);
  return { files: ['teams/pane.html', 'teams/pane.js'] };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2] ?? join(here, '..', '..', '..', 'dist', 'plugins');
  console.log((await buildTeamsPane(out)).files.join(', '));
}
