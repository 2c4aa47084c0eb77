import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSandbox } from '../../sandbox/sandbox';
import { freePort } from '../support/free-port';

/** The real sandbox (wrangler dev, emulators, plugin pages) on free loopback ports in a temp folder. */
export async function startTestSandbox() {
  const dir = mkdtempSync(path.join(tmpdir(), 'handoff-e2e-'));
  const [worker, web, sidebar, salesforce, netsuite, kantata] = await Promise.all(
    Array.from({ length: 6 }, () => freePort()),
  );
  const sandbox = await startSandbox({
    dir,
    quiet: true,
    ports: {
      worker: worker!,
      web: web!,
      sidebar: sidebar!,
      salesforce: salesforce!,
      netsuite: netsuite!,
      kantata: kantata!,
    },
  });
  return {
    ...sandbox,
    dir,
    close: async () => {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TestSandbox = Awaited<ReturnType<typeof startTestSandbox>>;

/**
 * A deal activated as the seller's click does it (the CRM key, an idempotency key), waited for until it is
 * active: its PSA project's id.
 */
export async function activateDeal(sandbox: TestSandbox, crmRecordId: string): Promise<string> {
  const crm = { authorization: `Bearer ${sandbox.tenant.keys.crm}` };
  const res = await fetch(`${sandbox.urls.worker}/v1/activations`, {
    method: 'POST',
    headers: { ...crm, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
    body: JSON.stringify({ crmRecordId }),
  });
  if (res.status !== 202) throw new Error(`activation of ${crmRecordId}: ${res.status} ${await res.text()}`);
  const deadline = Date.now() + 90_000;
  for (;;) {
    const view = (await (
      await fetch(`${sandbox.urls.worker}/v1/activations?crmRecordId=${crmRecordId}`, { headers: crm })
    ).json()) as { status: string; links?: { role: string; kind: string; externalId: string }[] };
    const project = view.links?.find((l) => l.role === 'psa' && l.kind === 'project')?.externalId;
    if (view.status === 'active' && project) return project;
    if (Date.now() > deadline) throw new Error(`${crmRecordId} not active: ${JSON.stringify(view)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
