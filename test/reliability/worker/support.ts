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

interface KantataTitles {
  workspaces: Record<string, { title: string }>;
  stories: Record<string, { title: string; story_type: string }>;
  rateCardSets: Record<string, { title: string }>;
  rateCards: Record<string, { rate_card_set_id: string; currency: string }>;
}

/**
 * Links as a comparable, ordered list. Kantata numbers records in the order they arrive, and steps that
 * run side by side arrive in any order, so a PSA link is named by the record it points to in the
 * tenant's Kantata (which must exist): two runs agree when every link leads to the same record.
 */
export async function linkSet(t: ConnectedTenant, view: ActivationView): Promise<string[]> {
  const kt = (await (await fetch(`${t.control.kantata}/state`)).json()) as KantataTitles;
  const psaRecord = (kind: string, id: string) => {
    const card = kind === 'rate_card' ? kt.rateCards[id] : undefined;
    const rec =
      kind === 'project'
        ? kt.workspaces[id]
        : kind === 'milestone'
          ? kt.stories[id]
          : card
            ? { title: `${kt.rateCardSets[card.rate_card_set_id]?.title} ${card.currency}` }
            : undefined;
    // Titles carry the activation's key marker ("[hk…]"), which differs between tenants.
    return rec ? `“${rec.title.replace(/\s*\[hk[0-9a-f]+\]/, '')}”` : `missing ${kind} ${id}`;
  };
  return view.links
    .map((l) => {
      const system = (l as { system?: string }).system ?? '';
      const target = l.role === 'psa' ? psaRecord(l.kind, l.externalId) : l.externalId;
      return `${l.role}/${l.kind}/${system}=${target}`;
    })
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
