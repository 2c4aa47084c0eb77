import { describe, expect, it } from 'vitest';
import { fastWorkflows, newTenant, waitForActivation, workerFetch } from '../../worker/harness';
import { intIn, pick, rng, runs, SEEDED, withSeed } from '../seed';
import { GLOBEX, NORTHWIND } from './support';

/**
 * Random sequences of (tenant, key, body) against POST /v1/activations, checked against a model of the
 * Idempotency-Key rules: missing → 400; a key reused with another body → 422; a key reused with the same
 * (canonically equal) body → the first response again, byte for byte; a key is never shared across tenants.
 */
const BODIES = [
  { canon: 'nw', raw: `{"crmRecordId":"${NORTHWIND}"}` },
  { canon: 'nw', raw: `{ "crmRecordId" :\n "${NORTHWIND}" }` }, // same JSON, other bytes: same fingerprint
  { canon: 'gx', raw: `{"crmRecordId":"${GLOBEX}"}` },
  { canon: 'bad', raw: '{"crmRecordId":""}' },
];

describe(`Idempotency-Key properties on POST /v1/activations ${SEEDED}`, () => {
  it('random (tenant, key, body) sequences follow the rules; no replay crosses tenants', () =>
    withSeed(async () => {
      await using _wf = await fastWorkflows();
      const tenants = [await newTenant(), await newTenant()];
      const r = rng('idempotency');
      const keys = Array.from({ length: 4 }, () => crypto.randomUUID());
      // (tenant index, key) → the first completed request's body class and response.
      const first = new Map<string, { canon: string; status: number; text: string }>();
      const steps = runs(40);
      const trace: string[] = [];
      for (let i = 0; i < steps; i += 1) {
        const ti = intIn(r, 0, 1);
        const t = tenants[ti]!;
        const body = pick(r, BODIES);
        const missing = r() < 0.1;
        const key = pick(r, keys);
        trace.push(`${i}: tenant ${ti} key ${missing ? '-' : keys.indexOf(key)} body ${body.canon}`);
        const res = await workerFetch('http://handoff/v1/activations', {
          method: 'POST',
          headers: {
            authorization: `Bearer ${t.keys.crm}`,
            'content-type': 'application/json',
            'x-handoff-user': '005000000000001AAA',
            ...(missing ? {} : { 'idempotency-key': key }),
          },
          body: body.raw,
        });
        const text = await res.text();
        const where = `step ${trace.at(-1)} → ${res.status} ${text.slice(0, 200)}\n${trace.join('\n')}`;
        if (missing) {
          expect(res.status, where).toBe(400);
          expect(JSON.parse(text).error.code, where).toBe('IDEMPOTENCY_KEY_REQUIRED');
          continue;
        }
        const seen = first.get(`${ti}|${key}`);
        const replayed = res.headers.get('idempotent-replayed') === 'true';
        if (!seen) {
          // A key this tenant never used: a fresh answer even if the other tenant used it.
          expect(replayed, where).toBe(false);
          expect(res.status, where).not.toBe(422);
          expect([200, 202, 400], where).toContain(res.status);
          if (res.status < 300) expect(JSON.parse(text).id, where).toMatch(/^act_/);
          first.set(`${ti}|${key}`, { canon: body.canon, status: res.status, text });
        } else if (seen.canon !== body.canon) {
          expect(res.status, where).toBe(422);
          expect(JSON.parse(text).error.code, where).toBe('IDEMPOTENCY_KEY_REUSED');
        } else {
          expect(replayed, where).toBe(true);
          expect(res.status, where).toBe(seen.status);
          expect(text, where).toBe(seen.text);
        }
      }
      // Never a replay across tenants: each tenant's activations are its own.
      for (const [k, v] of first) {
        const other = first.get(`${k.startsWith('0') ? '1' : '0'}${k.slice(1)}`);
        if (other && v.status < 300 && other.status < 300)
          expect(JSON.parse(v.text).id).not.toBe(JSON.parse(other.text).id);
      }
      // Every activation started by the sequence finishes once (no stray workflows left behind).
      for (const [ti, t] of tenants.entries())
        for (const [canon, opp] of [
          ['nw', NORTHWIND],
          ['gx', GLOBEX],
        ] as const)
          if (
            [...first.entries()].some(
              ([k, v]) => k.startsWith(`${ti}|`) && v.canon === canon && v.status < 300,
            )
          )
            expect((await waitForActivation(t, opp)).status).toBe('active');
    }));
});
