import type { ActivationView } from '../../../shared/api/activation';
import type { ConnectedTenant, CoreSystem } from '../../support/connect-tenant';
import { effects } from '../../worker/harness';

export const NORTHWIND = '006000000000001AAA';
export const GLOBEX = '006000000000002AAA';

/** Effect counters that are writes to a vendor's records (token issuance varies with retries by design). */
export async function writeEffects(t: ConnectedTenant, vendor: CoreSystem): Promise<Record<string, number>> {
  const all = await effects(t, vendor);
  return Object.fromEntries(
    Object.entries(all)
      .filter(([k]) => !/^(token|oauth)\./.test(k))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

export async function allWriteEffects(t: ConnectedTenant) {
  return {
    salesforce: await writeEffects(t, 'salesforce'),
    netsuite: await writeEffects(t, 'netsuite'),
    kantata: await writeEffects(t, 'kantata'),
  };
}

/** Links as a comparable, ordered list. */
export function linkSet(view: ActivationView) {
  return view.links
    .map((l) => `${l.role}/${l.kind}/${(l as { system?: string }).system ?? ''}=${l.externalId}`)
    .sort();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How many times injected faults (other than latency) fired on a tenant's vendors: proof the chaos hit. */
export async function faultsFired(t: ConnectedTenant): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of ['salesforce', 'netsuite', 'kantata'] as const) {
    const res = await fetch(`${t.control[v]}/faults`);
    const { faults } = (await res.json()) as { faults: { kind: string; fired: number }[] };
    out[v] = faults.filter((f) => f.kind !== 'latency').reduce((a, f) => a + f.fired, 0);
  }
  return out;
}

type Effects = Awaited<ReturnType<typeof allWriteEffects>>;

/** "vendor.effect: got N, fault-free run M" for each counter that differs. */
export function effectDiff(got: Effects, want: Effects): string[] {
  const out: string[] = [];
  for (const v of Object.keys(want) as (keyof Effects)[]) {
    const keys = new Set([...Object.keys(got[v]), ...Object.keys(want[v])]);
    for (const k of keys)
      if ((got[v][k] ?? 0) !== (want[v][k] ?? 0))
        out.push(`${v}.${k}: got ${got[v][k] ?? 0}, fault-free ${want[v][k] ?? 0}`);
  }
  return out;
}
