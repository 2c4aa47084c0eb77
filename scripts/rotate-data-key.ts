/**
 * `npm run keys:rotate-data`: re-encrypts every stored connection secret under the deployment's current data
 * key, by calling POST /v1/admin/platform/rotate-data-key until nothing remains under another key. The worker
 * keeps answering throughout (it reads with the current and the previous keys). Needs:
 *   HANDOFF_URL            e.g. https://handoff.example.workers.dev (default http://127.0.0.1:8787)
 *   PLATFORM_ADMIN_TOKEN   the operator token
 * Options: --batch-size N (1..100, default 25), --max-rows N per call (default 200).
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    'batch-size': { type: 'string', default: '25' },
    'max-rows': { type: 'string', default: '200' },
  },
});
const url = (process.env.HANDOFF_URL ?? 'http://127.0.0.1:8787').replace(/\/+$/, '');
const token = process.env.PLATFORM_ADMIN_TOKEN;
if (!token) {
  console.error('Set PLATFORM_ADMIN_TOKEN (the operator token) and HANDOFF_URL.');
  process.exit(2);
}

interface Report {
  currentKeyId: string;
  reencrypted: number;
  conflicts: number;
  unreadable: { tenantId: string; role: string; keyId: string }[];
  remaining: number;
  byKeyId: Record<string, number>;
}

let total = 0;
for (let call = 1; ; call++) {
  const res = await fetch(`${url}/v1/admin/platform/rotate-data-key`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ batchSize: Number(values['batch-size']), maxRows: Number(values['max-rows']) }),
  });
  if (!res.ok) {
    console.error(`rotate-data-key answered ${res.status}: ${await res.text()}`);
    process.exit(1);
  }
  const r = (await res.json()) as Report;
  total += r.reencrypted;
  console.log(
    `call ${call}: re-encrypted ${r.reencrypted} (${r.conflicts} changed meanwhile), ${r.remaining} remaining; by key id ${JSON.stringify(r.byKeyId)}`,
  );
  if (r.remaining === 0) {
    console.log(
      `Done: every secret is under key "${r.currentKeyId}" (${total} re-encrypted). The old key may be removed.`,
    );
    process.exit(0);
  }
  if (r.reencrypted === 0 && r.conflicts === 0) {
    console.error('No progress: these secrets are under a key this deployment does not have:');
    for (const u of r.unreadable) console.error(`  tenant ${u.tenantId}, ${u.role}: key "${u.keyId}"`);
    console.error('Add that key to SECRETS_KEY_PREVIOUS (or reconnect those systems), then run this again.');
    process.exit(1);
  }
}
