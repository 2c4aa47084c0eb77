import { describe, expect, it } from 'vitest';
import { ACTIVATION_STEPS, type ActivationStepName } from '../../../shared/api/activation-steps';
import type { ConnectedTenant, CoreSystem } from '../../support/connect-tenant';
import {
  activate,
  cronRetests,
  fastWorkflows,
  injectFaults,
  newTenant,
  waitForActivation,
} from '../../worker/harness';
import { intIn, pick, rng, SCALE, SEEDED, withSeed } from '../seed';
import { allWriteEffects, effectDiff, GLOBEX, linkSet } from './support';

/**
 * Each external step of the activation workflow and the vendor call it makes (emulator path after the
 * instance prefix). `gate`: the step shares its path with an earlier step, so the fault is injected only
 * once the workflow is held (by latency, which changes nothing) inside the step before it. A step that
 * makes more than one write has one entry per write: a fault on the second must not redo the first.
 */
interface StepCall {
  vendor: CoreSystem;
  method: string;
  path: string;
  gate?: { vendor: CoreSystem; method: string; path: string; step: ActivationStepName };
}
const STEP_CALLS: Record<Exclude<ActivationStepName, 'validate-contract'>, StepCall | StepCall[]> = {
  'load-contract': { vendor: 'salesforce', method: 'POST', path: '/composite$' },
  'upsert-erp-customer': { vendor: 'netsuite', method: 'PUT', path: '/record/v1/customer/' },
  'create-psa-project': { vendor: 'kantata', method: 'POST', path: '/workspaces$' },
  'ensure-psa-wbs': { vendor: 'kantata', method: 'POST', path: '/stories$' },
  'ensure-psa-rate-card': { vendor: 'kantata', method: 'POST', path: '/rate_card' },
  'ensure-psa-team': { vendor: 'kantata', method: 'POST', path: '/workspace_resources$' },
  'upsert-erp-project': { vendor: 'netsuite', method: 'PUT', path: '/record/v1/job/' },
  'upsert-erp-billing-schedule': [
    { vendor: 'netsuite', method: 'PUT', path: '/record/v1/billingSchedule/' },
    // Attaching the saved schedule to its project (its own durable step).
    { vendor: 'netsuite', method: 'PATCH', path: '/record/v1/job/' },
  ],
  'link-records': {
    vendor: 'kantata',
    method: 'POST',
    path: '/external_references/create_or_update$',
    gate: {
      vendor: 'netsuite',
      method: 'PUT',
      path: '/record/v1/billingSchedule/',
      step: 'upsert-erp-billing-schedule',
    },
  },
  'write-back-crm': { vendor: 'salesforce', method: 'PATCH', path: '/sobjects/' },
};

type Kind = 'drop_after_commit' | 'outage';

async function firedCount(t: ConnectedTenant, vendor: CoreSystem): Promise<number> {
  const res = await fetch(`${t.control[vendor]}/faults`);
  const { faults } = (await res.json()) as { faults: { kind: string; fired: number }[] };
  return faults.filter((f) => f.kind !== 'latency').reduce((a, f) => a + f.fired, 0);
}

async function runWithFault(call: StepCall, kind: Kind, r: () => number) {
  const t = await newTenant();
  const rule =
    kind === 'drop_after_commit'
      ? { kind, method: call.method, path: call.path, times: 1 }
      : {
          kind,
          method: call.method,
          path: call.path,
          mode: pick(r, ['reset', '503'] as const),
          times: intIn(r, 1, 6),
        };
  if (call.gate) {
    const g = call.gate;
    await injectFaults(t, g.vendor, [
      { kind: 'latency', method: g.method, path: g.path, ms: 1500, times: 1 },
    ]);
    await activate(t, GLOBEX);
    await waitForActivation(t, GLOBEX, (v) => v.steps.find((s) => s.name === g.step)?.status === 'running');
    await injectFaults(t, call.vendor, [rule]);
  } else {
    await injectFaults(t, call.vendor, [rule]);
    await activate(t, GLOBEX);
  }
  const view = await waitForActivation(t, GLOBEX);
  return { t, view, rule, fired: await firedCount(t, call.vendor) };
}

describe(`a fault at every activation step boundary ${SEEDED}`, () => {
  it('drop-after-commit or an outage on exactly one step: each effect once, end state = a fault-free run', () =>
    withSeed(async () => {
      await using _wf = await fastWorkflows();
      // Outages that last trip the outage rule: the cron's re-test (every 5 minutes in production) resumes.
      await using _cron = cronRetests();
      const r = rng('step-faults');
      const base = await newTenant();
      await activate(base, GLOBEX);
      const baseView = await waitForActivation(base, GLOBEX);
      expect(baseView.status).toBe('active');
      const baseEffects = await allWriteEffects(base);
      const baseLinks = await linkSet(base, baseView);

      // Scale 1: one seeded fault kind per step; scale ≥ 2: both kinds on every step.
      const cases: { step: keyof typeof STEP_CALLS; call: StepCall; kind: Kind }[] = [];
      for (const s of ACTIVATION_STEPS) {
        if (s.name === 'validate-contract') continue;
        for (const call of [STEP_CALLS[s.name]].flat()) {
          const kinds: Kind[] =
            SCALE >= 2
              ? ['drop_after_commit', 'outage']
              : [pick(r, ['drop_after_commit', 'outage'] as const)];
          for (const kind of kinds) cases.push({ step: s.name, call, kind });
        }
      }
      const failures: string[] = [];
      const rewritten: string[] = [];
      const parallel = 4;
      for (let i = 0; i < cases.length; i += parallel) {
        await Promise.all(
          cases.slice(i, i + parallel).map(async ({ step, call, kind }) => {
            const { t, view, rule, fired } = await runWithFault(call, kind, r);
            const label = `${step} ${JSON.stringify(rule)}`;
            try {
              expect(fired, `${label}: the fault never fired`).toBeGreaterThan(0);
              expect(view.status, `${label}: ${JSON.stringify(view.steps)}`).toBe('active');
              // Every record is created exactly once. The one allowed difference: a response lost after
              // commit makes the retry re-send its idempotent upsert (NetSuite PUT by external id,
              // Salesforce PATCH), which the vendor counts as an update of the same record, at most once per
              // dropped response, and only on the faulted step's own vendor.
              const diff = effectDiff(await allWriteEffects(t), baseEffects);
              const rewrites = diff.filter(
                (d) =>
                  kind === 'drop_after_commit' && d.startsWith(`${call.vendor}.`) && /\.update: /.test(d),
              );
              const extra = rewrites.reduce((a, d) => {
                const [, got, want] = /got (\d+), fault-free (\d+)/.exec(d)!;
                return a + Number(got) - Number(want);
              }, 0);
              expect(
                diff.filter((d) => !rewrites.includes(d)),
                `${label}: ${diff.join('; ')}`,
              ).toEqual([]);
              expect(extra, `${label}: ${diff.join('; ')}`).toBeLessThanOrEqual(fired);
              if (rewrites.length) rewritten.push(`${step}: ${rewrites.join('; ')}`);
              const links = await linkSet(t, view);
              expect(
                links,
                `${label}: links ${JSON.stringify(links)} vs fault-free ${JSON.stringify(baseLinks)}`,
              ).toEqual(baseLinks);
              expect(view.steps.find((s) => s.name === step)?.status, label).toBe('done');
            } catch (e) {
              failures.push((e as Error).message);
            }
          }),
        );
      }
      expect(failures, failures.join('\n\n')).toEqual([]);
      console.log(
        `step faults ${SEEDED}: ${cases.length} cases; idempotent rewrites after a lost response: ${rewritten.join(' | ') || 'none'}`,
      );
    }));
});
