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
