import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../../worker/env';
import worker from '../../../worker/index';
import { adminCall, clearFaults, effects, fastWorkflows, injectFaults, testEnv } from '../../worker/harness';
import { intIn, rng, runs, SEEDED, withSeed } from '../seed';
import { itemStates, projectWithQueuedItems } from './delivery-fixture';
import { sleep } from './support';

const MAX_RETRIES = 8; // wrangler.toml, handoff-posting

interface Delivery {
  id: string;
  body: unknown;
  attempts: number;
}

/**
 * An env whose D1 dies after `okCalls` statements: the consumer dies at a random point (reading items,
 * loading the tenant's connectors, or storing outcomes after the ERP answered, before it acks).
 */
function envThatDiesAfter(okCalls: number): Env {
  const real = (env as unknown as Env).DB;
  let calls = 0;
  const DB = new Proxy(real, {
    get(target, p) {
      const v = Reflect.get(target, p);
      if (typeof v !== 'function') return v;
      if (p === 'prepare' || p === 'batch' || p === 'exec')
        return (...args: unknown[]) => {
          calls += 1;
          if (calls > okCalls) throw new Error('injected: the isolate died');
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      return v.bind(target);
    },
  });
  return { ...(env as unknown as Env), DB };
}

describe(`queue chaos on the posting consumer ${SEEDED}`, () => {
  it('duplicates, redeliveries, ERP faults and batches that die midway: effects = unique items, nothing lost', () =>
    withSeed(async () => {
      await using _wf = await fastWorkflows();
      const r = rng('queue-chaos');
      const n = runs(40);
      const { t, ids } = await projectWithQueuedItems(n, 'qc');
      await injectFaults(t, 'netsuite', [
        { kind: 'error', status: 500, path: 'timeBill', probability: 0.2 },
        { kind: 'drop_after_commit', path: 'timeBill', probability: 0.2 },
        { kind: 'rate_limit', path: 'timeBill', probability: 0.1, retryAfterSeconds: 0 },
      ]);
      const body = (itemId: string) => ({ tenantId: t.tenantId, itemId, correlationId: 'chaos' });
      let seq = 0;
      const mid = () => {
        seq += 1;
        return `m${seq}`;
      };
      // Every item's message, some twice (producer retried the send), some already near their last attempt,
      // and two malformed ones.
      const pending: Delivery[] = [];
      for (const id of ids) {
        pending.push({ id: mid(), body: body(id), attempts: r() < 0.15 ? MAX_RETRIES - 1 : 1 });
        if (r() < 0.3) pending.push({ id: mid(), body: body(id), attempts: 1 });
      }
      pending.push({ id: mid(), body: { nonsense: true }, attempts: 1 });
      pending.push({ id: mid(), body: { tenantId: t.tenantId }, attempts: 1 });
      const dlq: Delivery[] = [];
      const stats = {
        batches: 0,
        injected: 0,
        died: 0,
        acked: 0,
        retried: 0,
        redelivered: 0,
        deadLettered: 0,
      };
      const canDie = testEnv.DB_DRIVER === 'd1';

      for (let round = 0; pending.length > 0; round += 1) {
        expect(round, 'the queue never drained').toBeLessThan(2000);
        // Take a random batch (Queues batches up to 100; small ones mix duplicates into one batch).
        for (let i = pending.length - 1; i > 0; i -= 1) {
          const j = intIn(r, 0, i);
          [pending[i], pending[j]] = [pending[j]!, pending[i]!];
        }
        const taken = pending.splice(0, intIn(r, 1, 8));
        const die = canDie && r() < 0.25;
        if (die) stats.injected += 1;
        const batch = createMessageBatch(
          'handoff-posting',
          taken.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts, body: m.body })),
        );
        const ctx = createExecutionContext();
        let threw = false;
        try {
          await worker.queue(
            batch,
            die ? envThatDiesAfter(r() < 0.4 ? 0 : intIn(r, 1, 8)) : (env as unknown as Env),
          );
        } catch {
          threw = true;
        }
        const res = await getQueueResult(batch, ctx);
        stats.batches += 1;
        if (threw) stats.died += 1;
        expect(threw && !die, 'the consumer threw without an injected failure').toBe(false);
        const acked = new Set(res.explicitAcks);
        const retried = new Set(res.retryMessages.map((m) => m.msgId));
        for (const m of taken) {
          if (acked.has(m.id)) {
            stats.acked += 1;
            // At-least-once: an acked message is sometimes delivered again anyway.
            if (r() < 0.1) {
              stats.redelivered += 1;
              pending.push({ ...m, attempts: m.attempts + 1 });
            }
            continue;
          }
          // Not acked: it must have been retried explicitly, unless the whole invocation died.
          if (!threw) expect(retried.has(m.id), `message ${m.id} neither acked nor retried`).toBe(true);
          stats.retried += 1;
          if (m.attempts >= MAX_RETRIES) {
            stats.deadLettered += 1;
            dlq.push(m);
          } else pending.push({ ...m, attempts: m.attempts + 1 });
        }
        if (dlq.length && (pending.length === 0 || r() < 0.3)) {
          const dead = dlq.splice(0);
          const b = createMessageBatch(
            'handoff-posting-dlq',
            dead.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts, body: m.body })),
          );
          const c = createExecutionContext();
          await worker.queue(b, env as unknown as Env);
          expect((await getQueueResult(b, c)).explicitAcks.sort()).toEqual(dead.map((m) => m.id).sort());
        }
      }

      // Nothing lost: every item is posted, or held with an open exception (dead-lettered or refused).
      let states = await itemStates(t.tenantId, ids);
      expect(states.filter((s) => s.state === 'queued').map((s) => s.id)).toEqual([]);
      const held = states.filter((s) => s.state === 'held');
      for (const h of held) expect(h.exceptionId, h.id).toBeTruthy();
      // A person retries the held ones after the ERP is healthy: each posts once.
      await clearFaults(t, 'netsuite');
      for (const h of held) {
        const res = await adminCall(t, 'POST', `/v1/exceptions/${h.exceptionId}/retry`, {
          actor: 'finance@lumenpartners.example',
        });
        expect(res.status, await res.clone().text()).toBe(200);
      }
      const deadline = Date.now() + 30_000;
      for (;;) {
        states = await itemStates(t.tenantId, ids);
        if (states.every((s) => s.state === 'posted') || Date.now() > deadline) break;
        await sleep(200);
      }
      expect(states.filter((s) => s.state !== 'posted').map((s) => `${s.id}:${s.state}:${s.rule}`)).toEqual(
        [],
      );
      // Effects = unique items: one ERP time bill per item (plus the one posted during setup), whatever
      // was duplicated, redelivered, dropped after commit or died midway.
      const ns = await effects(t, 'netsuite');
      expect(ns['timeBill.create'], JSON.stringify({ stats, ns })).toBe(n + 1);
      expect(new Set(states.map((s) => s.erpId)).size).toBe(n);
      console.log(`queue chaos ${SEEDED}: ${JSON.stringify({ items: n, held: held.length, ...stats, ns })}`);
    }));
});
