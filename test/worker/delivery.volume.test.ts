import { describe, expect, it } from 'vitest';
import {
  findUserByEmail,
  logApprovedTime,
  staffPerson,
  type TimeInput,
} from '../emulators/kantata/demo-actions';
import { kantataActor } from '../support/delivery-demo';
import {
  activate,
  effects,
  emulatorState,
  fastWorkflows,
  injectFaults,
  newTenant,
  psaProjectIdOf,
  syncNow,
  testEnv,
  waitForActivation,
  waitForReadiness,
} from './harness';

const GLOBEX = '006000000000002AAA';
/** 10,000 by default; HANDOFF_VOLUME (e.g. 100000) for a longer run. */
const N = Number((testEnv as unknown as { HANDOFF_VOLUME?: string }).HANDOFF_VOLUME ?? 10_000);

describe('month-end volume under faults', () => {
  it(`${N} approved entries with an ERP outage and 20% of responses dropped after commit: exactly ${N} ERP records, none lost`, async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant({ erpConcurrencyLimit: 10 });
    await activate(t, GLOBEX);
    const view = await waitForActivation(t, GLOBEX);
    const ws = psaProjectIdOf(view);
    const actor = kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken);
    const dev = (await findUserByEmail(actor, 'dev.patel@lumenpartners.example'))!;
    await staffPerson(actor, ws, dev, 'Analyst');
    // One-minute entries (USD 2.00 each at the Analyst rate) stay well under the T&M cap.
    const entries: TimeInput[] = Array.from({ length: N }, (_, i) => ({
      workspaceId: ws,
      userId: dev,
      date: new Date(Date.parse('2026-11-02T00:00:00Z') + (i % 28) * 86_400_000).toISOString().slice(0, 10),
      minutes: 1,
      notes: `entry ${i}`,
    }));
    await logApprovedTime(actor, entries);

    // The ERP is down for its first 300 record calls, and throughout drops one answer in five after committing the write.
    await injectFaults(t, 'netsuite', [
      { kind: 'outage', path: '/record/v1/', mode: 'reset', times: 300 },
      { kind: 'drop_after_commit', method: 'PUT', path: 'timebill', probability: 0.2 },
    ]);
    await syncNow(t);
    const r = await waitForReadiness(t, ws, (x) => x.counts.posted === N || x.counts.held > 0, 600_000);
    expect(r.counts.held).toBe(0);
    expect(r.counts.posted).toBe(N);
    expect(r.totals.unbilledTime.amountMinor).toBe(N * 200);

    // The faults really happened: the outage refused calls and about a fifth of the writes lost their answer.
    const { faults } = (await (await fetch(`${t.control.netsuite}/faults`)).json()) as {
      faults: { kind: string; fired: number }[];
    };
    expect(faults.find((f) => f.kind === 'outage')!.fired).toBeGreaterThan(0);
    expect(faults.find((f) => f.kind === 'drop_after_commit')!.fired).toBeGreaterThan(N * 0.15);
    const ns = await effects(t, 'netsuite');
    expect(ns['timeBill.create']).toBe(N);
    const state = await emulatorState<{
      records: { timeBill?: Record<string, unknown>; timebill?: Record<string, unknown> };
    }>(t, 'netsuite');
    const stored = Object.keys(state.records.timeBill ?? state.records.timebill ?? {}).length;
    expect(stored).toBe(N);
  }, 900_000);
});
