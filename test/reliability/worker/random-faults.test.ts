import { describe, expect, it } from 'vitest';
import { findUserByEmail, logApprovedTime, staffPerson } from '../../emulators/kantata/demo-actions';
import type { ConnectedTenant, CoreSystem } from '../../support/connect-tenant';
import { kantataActor } from '../../support/delivery-demo';
import {
  activate,
  adminCall,
  clearFaults,
  cronRetests,
  effects,
  fastWorkflows,
  injectFaults,
  newTenant,
  psaProjectIdOf,
  readinessOf,
  syncNow,
  waitForActivation,
} from '../../worker/harness';
import { intIn, pick, rng, runs, SEEDED, withSeed } from '../seed';
import { allWriteEffects, faultsFired, GLOBEX, linkSet, sleep } from './support';

const VENDORS: CoreSystem[] = ['salesforce', 'netsuite', 'kantata'];

/** Seeded chaos: at random moments, a random vendor goes down (connection reset or 503) or stalls, for a while. */
async function chaos(
  t: ConnectedTenant,
  r: () => number,
  events: number,
  vendors: CoreSystem[],
  log: string[],
  activation = true,
) {
  for (let i = 0; i < events; i += 1) {
    // The first fault comes at once and waits for the vendor's next calls; the rest at random moments.
    if (i > 0) await sleep(intIn(r, 0, 600));
    const vendor = pick(r, vendors);
    const kind = pick(r, ['outage-reset', 'outage-503', 'stall'] as const);
    const forMs = intIn(r, 100, 1500);
    const rule =
      kind === 'stall'
        ? { kind: 'timeout', ms: intIn(r, 200, 1500), times: intIn(r, 1, 3) }
        : {
            kind: 'outage',
            mode: kind === 'outage-reset' ? 'reset' : '503',
            // Half are windows in time (may catch nothing), half take down the vendor's next calls, whenever.
            ...(i > 0 && r() < 0.5 ? { untilEpochMs: Date.now() + forMs } : { times: intIn(r, 1, 8) }),
          };
    // Only Handoff's calls: people acting in the PSA during the test (logging time: POST/PUT) are spared.
    const scoped = vendor === 'kantata' && !activation ? { ...rule, method: 'GET' } : rule;
    log.push(`${vendor} ${JSON.stringify(scoped)}`);
    await injectFaults(t, vendor, [scoped]);
  }
}

describe(`vendors killed and stalled at random points ${SEEDED}`, () => {
  it('during activation: after recovery every activation is active with the fault-free effects and links', () =>
    withSeed(async () => {
      await using _wf = await fastWorkflows();
      // Outages that last trip the outage rule: the cron's re-test (every 5 minutes in production) resumes.
      await using _cron = cronRetests();
      const r = rng('random-faults-activation');
      const base = await newTenant();
      await activate(base, GLOBEX);
      const baseView = await waitForActivation(base, GLOBEX);
      const baseEffects = await allWriteEffects(base);

      const n = runs(3);
      const tenants = await Promise.all(Array.from({ length: n }, () => newTenant()));
      const logs = tenants.map(() => [] as string[]);
      const plans = tenants.map(() => ({ events: intIn(r, 1, 4), seed: Math.floor(r() * 2 ** 31) }));
      await Promise.all(
        tenants.map(async (t, i) => {
          const local = rng(`activation-${i}`, plans[i]!.seed);
          const faults = chaos(t, local, plans[i]!.events, VENDORS, logs[i]!);
          await activate(t, GLOBEX);
          await faults;
        }),
      );
      let hits = 0;
      for (const [i, t] of tenants.entries()) {
        const view = await waitForActivation(t, GLOBEX, undefined, 90_000);
        const fired = await faultsFired(t);
        hits += fired.salesforce! + fired.netsuite! + fired.kantata!;
        const label = `tenant ${i}, faults:\n${logs[i]!.join('\n')}`;
        expect(view.status, `${label}\n${JSON.stringify(view.steps)}`).toBe('active');
        expect(await allWriteEffects(t), label).toEqual(baseEffects);
        expect(await linkSet(t, view), label).toEqual(await linkSet(base, baseView));
        // One activation, clicked again after recovery, is still the same one.
        const again = await activate(t, GLOBEX);
        expect(again.status, label).toBe(200);
        console.log(`activation chaos ${SEEDED} tenant ${i}: fired ${JSON.stringify(fired)}`);
      }
      expect(hits, `no injected fault hit any activation:\n${logs.flat().join('\n')}`).toBeGreaterThan(0);
    }));

  it('during posting: after recovery 0 lost, 0 duplicates, every entry posted once', () =>
    withSeed(async () => {
      await using _wf = await fastWorkflows();
      // Outages that last trip the outage rule: the cron's re-test (every 5 minutes in production) resumes.
      await using _cron = cronRetests();
      const r = rng('random-faults-posting');
      const t = await newTenant();
      await activate(t, GLOBEX);
      const ws = psaProjectIdOf(await waitForActivation(t, GLOBEX));
      const actor = kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken);
      const dev = (await findUserByEmail(actor, 'dev.patel@lumenpartners.example'))!;
      await staffPerson(actor, ws, dev, 'Analyst');
      const n = runs(12);
      const log: string[] = [];
      // Entries arrive in waves; the ERP and the PSA fail at random moments while they are polled and posted.
      const faults = chaos(t, r, intIn(r, 3, 6), ['netsuite', 'kantata'], log, false);
      const entryIds: string[] = [];
      while (entryIds.length < n) {
        const size = Math.min(n - entryIds.length, intIn(r, 1, 5));
        const ids = await logApprovedTime(
          actor,
          Array.from({ length: size }, (_, i) => ({
            workspaceId: ws,
            userId: dev,
            date: `2026-11-${String(2 + ((entryIds.length + i) % 26)).padStart(2, '0')}`,
            minutes: 30 * intIn(r, 1, 8),
          })),
        );
        entryIds.push(...ids);
        await syncNow(t).catch(() => undefined);
        await sleep(intIn(r, 0, 400));
      }
      await faults;
      // Recovery: vendors are back; the cron poll runs; whatever exhausted its retries is retried by a person.
      // Let Handoff work through the entries under the remaining faults before they are lifted.
      const busyUntil = Date.now() + 30_000;
      while (Date.now() < busyUntil) {
        const c = (await readinessOf(t, ws)).counts;
        // Every fault ends by itself (windows close, counted rules run out): wait until nothing is in flight.
        if (c.posted + c.held >= n && c.pending === 0) break;
        await syncNow(t).catch(() => undefined);
        await sleep(300);
      }
      const fired = await faultsFired(t);
      await clearFaults(t, 'netsuite');
      await clearFaults(t, 'kantata');
      const label = `faults:\n${log.join('\n')}`;
      expect(
        fired.netsuite! + fired.kantata!,
        `no injected fault hit Handoff's calls\n${label}`,
      ).toBeGreaterThan(0);
      const deadline = Date.now() + 60_000;
      let readiness = await readinessOf(t, ws);
      for (;;) {
        await syncNow(t);
        await sleep(500);
        readiness = await readinessOf(t, ws);
        for (const ex of readiness.exceptions) {
          await adminCall(t, 'POST', `/v1/exceptions/${ex.id}/retry`, {
            actor: 'finance@lumenpartners.example',
          });
        }
        if (
          readiness.counts.posted === n &&
          readiness.counts.pending === 0 &&
          readiness.exceptions.length === 0
        )
          break;
        if (Date.now() > deadline)
          throw new Error(`not all posted: ${JSON.stringify(readiness.counts)}\n${label}`);
      }
      expect(readiness.counts.held, label).toBe(0);
      const ns = await effects(t, 'netsuite');
      expect(ns['timeBill.create'], `${label}\n${JSON.stringify(ns)}`).toBe(n);
      console.log(
        `posting chaos ${SEEDED}: ${n} entries, fired ${JSON.stringify(fired)}, ${JSON.stringify(ns)}`,
      );
    }));
});
