/**
 * `npm run lint:openapi`: serves the worker under `wrangler dev` for a moment, takes the OpenAPI document it
 * publishes at /openapi.json (the one clients see, built from the routes), saves it to .cache/openapi.json
 * and lints it with Redocly's recommended rules (redocly.yaml). Exits non-zero on any error.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startWorker } from '../sandbox/worker-process';
import { freePort } from '../test/support/free-port';

const root = path.resolve(import.meta.dirname, '..');
const persistDir = mkdtempSync(path.join(tmpdir(), 'handoff-openapi-'));
const worker = await startWorker({
  port: await freePort(),
  persistDir,
  quiet: true,
  vars: {
    SECRETS_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
    PLATFORM_ADMIN_TOKEN: crypto.randomUUID(),
    EMBED_SIGNING_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
  },
});
let doc: string;
try {
  const res = await fetch(`${worker.url}/openapi.json`);
  if (!res.ok) throw new Error(`/openapi.json answered ${res.status}`);
  doc = JSON.stringify(await res.json(), null, 2);
} finally {
  await worker.close();
  rmSync(persistDir, { recursive: true, force: true });
}
const out = path.join(root, '.cache', 'openapi.json');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, doc);
const lint = spawnSync(
  path.join(root, 'node_modules', '.bin', 'redocly'),
  ['lint', out, '--config', path.join(root, 'redocly.yaml'), '--format', 'stylish'],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  },
);
process.exit(lint.status ?? 1);
