import { createKantataEmulator } from './kantata/emulator';
import { createNetSuiteEmulator } from './netsuite';
import { createSalesforceEmulator } from './salesforce/emulator';

export type EmulatorUrls = { salesforce: string; netsuite: string; kantata: string };

/**
 * Starts the three vendor emulators, each on its own loopback port as each vendor is its own host.
 * With `stateDir`, state is saved to and restored from JSON files there (the sandbox).
 */
export async function startEmulators(
  opts: { ports?: Partial<Record<keyof EmulatorUrls, number>>; stateDir?: string } = {},
) {
  const salesforce = createSalesforceEmulator();
  const netsuite = createNetSuiteEmulator();
  const kantata = createKantataEmulator();
  const file = (name: string) => (opts.stateDir ? `${opts.stateDir}/${name}.json` : undefined);
  const [sf, ns, kt] = await Promise.all([
    salesforce.listen(opts.ports?.salesforce ?? 0, file('salesforce')),
    netsuite.listen(opts.ports?.netsuite ?? 0, file('netsuite')),
    kantata.listen(opts.ports?.kantata ?? 0, file('kantata')),
  ]);
  return {
    emulators: { salesforce, netsuite, kantata },
    urls: { salesforce: sf.url, netsuite: ns.url, kantata: kt.url } satisfies EmulatorUrls,
    close: async () => {
      await Promise.all([sf.close(), ns.close(), kt.close()]);
    },
  };
}
