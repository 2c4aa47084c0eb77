import { createExecutionContext, createMessageBatch, getQueueResult, SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../worker/env';
import worker from '../../worker/index';
import { findUserByEmail, logApprovedTime, staffPerson } from '../emulators/kantata/demo-actions';
import { kantataActor } from '../support/delivery-demo';
import {
  activate,
  adminCall,
  clearFaults,
  effects,
  fastWorkflows,
  injectFaults,
  type Json,
  json,
  newTenant,
  psaProjectIdOf,
  runCron,
  syncNow,
  waitFor,
  waitForActivation,
  waitForReadiness,
} from './harness';

const GLOBEX = '006000000000002AAA';

async function globexWithAnalyst() {
  const t = await newTenant();
  await activate(t, GLOBEX);
  const view = await waitForActivation(t, GLOBEX);
  expect(view.status).toBe('active');
  const ws = psaProjectIdOf(view);
  const actor = kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken);
  const dev = (await findUserByEmail(actor, 'dev.patel@lumenpartners.example'))!;
  await staffPerson(actor, ws, dev, 'Analyst');
  return { t, ws, actor, dev };
}

const letters = async (t: Awaited<ReturnType<typeof newTenant>>, query = '') =>
  json(await adminCall(t, 'GET', `/v1/dead-letters${query}`));

/** A message the dead-letter queue receives as it is (the queue hands over what exhausted its retries). */
async function deadLetter(body: unknown) {
  const batch = createMessageBatch('handoff-posting-dlq', [
    { id: `m-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 9, body },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env as unknown as Env);
  await getQueueResult(batch, ctx);
}

describe('dead letters: what exhausted its retries, why, and replay exactly once', () => {
  it('records each dead letter with its reason and exception; a replay (twice, or after an exception retry posted the entry) posts each entry once', async () => {
    await using _wf = await fastWorkflows();
    const { t, ws, actor, dev } = await globexWithAnalyst();
    // NetSuite answers, but refuses every time bill with a 500: the messages exhaust their retries.
    await injectFaults(t, 'netsuite', [{ kind: 'error', status: 500, path: 'timeBill' }]);
    await logApprovedTime(actor, [
      { workspaceId: ws, userId: dev, date: '2026-11-17', minutes: 60 },
      { workspaceId: ws, userId: dev, date: '2026-11-18', minutes: 90 },
      { workspaceId: ws, userId: dev, date: '2026-11-19', minutes: 120 },
    ]);
    await syncNow(t);
    const page = await waitFor(
      () => letters(t, '?state=waiting'),
      // The page and its total are two reads: a letter landing between them shows in the total first.
      (p: Json) => p.total === 3 && p.deadLetters.length === 3,
      90_000,
    );
    for (const l of page.deadLetters) {
      expect(l.queue).toBe('handoff-posting');
      expect(l.attempts).toBeGreaterThanOrEqual(8);
      expect(l.reason).toContain('500');
      expect(l.exceptionId).toMatch(/^exc_/);
      expect(l.itemId).toMatch(/^time:/);
    }
    // Keyset pages: one letter each, the total on every one, no letter twice.
    const first = await letters(t, '?state=waiting&limit=1');
    expect(first.total).toBe(3);
    const second = await letters(t, `?state=waiting&limit=1&cursor=${encodeURIComponent(first.nextCursor)}`);
    expect(second.total).toBe(3);
    const third = await letters(t, `?state=waiting&limit=2&cursor=${encodeURIComponent(second.nextCursor)}`);
    expect(third.nextCursor).toBeNull();
    expect(third.deadLetters).toHaveLength(1);
    expect(new Set([first, second, third].map((p) => p.deadLetters[0].id)).size).toBe(3);
    const bad = await adminCall(t, 'GET', '/v1/dead-letters?cursor=not-a-cursor');
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details[0].field).toBe('cursor');

    const [one, two, three] = [first.deadLetters[0], second.deadLetters[0], third.deadLetters[0]];
    const detail = await json(await adminCall(t, 'GET', `/v1/dead-letters/${one.id}`));
    expect(detail.message).toMatchObject({ tenantId: t.tenantId, itemId: one.itemId });
    expect(detail.item).toMatchObject({ id: one.itemId, state: 'held' });

    await clearFaults(t, 'netsuite');
    // The second letter's entry is settled through its exception first: retried, and posted.
    expect((await adminCall(t, 'POST', `/v1/exceptions/${two.exceptionId}/retry`, {})).status).toBe(200);
    await waitForReadiness(t, ws, (r) => r.counts.posted === 1);

    // Two replays of the first letter at once, and one of the second: only one of the first is sent.
    const [r1, r2] = await Promise.all([
      adminCall(t, 'POST', '/v1/dead-letters/replay', { ids: [one.id] }),
      adminCall(t, 'POST', '/v1/dead-letters/replay', { ids: [one.id] }),
    ]);
    const answers = [await json(r1), await json(r2)];
    expect(answers.map((a) => a.results[0].outcome).sort()).toEqual(['not-waiting', 'sent']);
    // Whichever of the two won the race is the one audited.
    const winner = answers[0].results[0].outcome === 'sent' ? r1 : r2;
    const again = await json(await adminCall(t, 'POST', '/v1/dead-letters/replay', { ids: [two.id] }));
    expect(again).toMatchObject({ sent: 0, results: [{ id: two.id, outcome: 'already-posted' }] });

    await waitForReadiness(t, ws, (r) => r.counts.posted === 2 && r.counts.held === 1);
    expect((await effects(t, 'netsuite'))['timeBill.create']).toBe(2);
    expect((await letters(t, '?state=replayed')).total).toBe(2);
    // The third entry is settled through its exception; the cron then settles its letter too.
    expect((await adminCall(t, 'POST', `/v1/exceptions/${three.exceptionId}/retry`, {})).status).toBe(200);
    await waitForReadiness(t, ws, (r) => r.counts.posted === 3);
    await runCron();
    expect(await json(await adminCall(t, 'GET', `/v1/dead-letters/${three.id}`))).toMatchObject({
      state: 'replayed',
      outcome: 'already-posted',
      handledBy: 'handoff',
    });
    // Replaying everything now sends nothing: no letter waits.
    const all = await json(
      await adminCall(t, 'POST', '/v1/dead-letters/replay', { all: true, queue: 'handoff-posting' }),
    );
    expect(all).toEqual({ sent: 0, results: [], remaining: 0 });
    expect((await letters(t, '?state=replayed')).total).toBe(3);
    expect((await effects(t, 'netsuite'))['timeBill.create']).toBe(3);

    // Audited with the principal that replayed.
    const audit = await json(
      await adminCall(t, 'GET', `/v1/audit?correlationId=${winner.headers.get('x-correlation-id')}`),
    );
    const replayed = audit.entries.filter((e: Json) => e.action === 'dead_letter.replayed');
    expect(replayed.length).toBe(1);
    expect(replayed[0].actor).toMatch(/^key:/);
    expect(replayed[0].detail.principal.type).toBe('api-key');
  });

  it('an unreadable message is not replayable; it is discarded with a reason, once, and audited', async () => {
    const t = await newTenant();
    await deadLetter({ tenantId: t.tenantId, itemid: 'time:1', note: 'not a posting message' });
    const page = await letters(t);
    expect(page.total).toBe(1);
    const [letter] = page.deadLetters;
    expect(letter.reason).toMatch(/could not be read/);
    expect(letter.itemId).toBeNull();

    const replay = await json(await adminCall(t, 'POST', '/v1/dead-letters/replay', { ids: [letter.id] }));
    expect(replay.results).toEqual([{ id: letter.id, outcome: 'not-replayable' }]);
    expect((await letters(t, '?state=waiting')).total).toBe(1);

    const short = await adminCall(t, 'POST', `/v1/dead-letters/${letter.id}/discard`, { reason: 'no' });
    expect(short.status).toBe(400);
    const done = await adminCall(t, 'POST', `/v1/dead-letters/${letter.id}/discard`, {
      reason: 'A test message from the migration, nothing to post',
    });
    expect(done.status).toBe(200);
    const twice = await adminCall(t, 'POST', `/v1/dead-letters/${letter.id}/discard`, {
      reason: 'A test message from the migration, nothing to post',
    });
    expect(twice.status).toBe(409);
    const discarded = await json(await adminCall(t, 'GET', `/v1/dead-letters/${letter.id}`));
    expect(discarded).toMatchObject({ state: 'discarded', note: expect.stringContaining('migration') });
    expect(discarded.handledBy).toMatch(/^key:/);
    const audit = await json(
      await adminCall(t, 'GET', `/v1/audit?correlationId=${done.headers.get('x-correlation-id')}`),
    );
    expect(audit.entries.map((e: Json) => e.action)).toEqual(['dead_letter.discarded']);
  });

  it("one firm never sees or replays another firm's dead letters", async () => {
    const [a, b] = [await newTenant(), await newTenant()];
    await deadLetter({ tenantId: b.tenantId, itemId: 'time:404', correlationId: 'b-corr' });
    const [bLetter] = (await letters(b)).deadLetters;
    expect(bLetter.itemId).toBe('time:404');
    expect((await letters(a)).total).toBe(0);
    expect((await adminCall(a, 'GET', `/v1/dead-letters/${bLetter.id}`)).status).toBe(404);
    const replay = await adminCall(a, 'POST', '/v1/dead-letters/replay', { ids: [bLetter.id] });
    expect(replay.status).toBe(404);
    expect(await replay.text()).not.toContain('time:404');
    expect(
      (await adminCall(a, 'POST', `/v1/dead-letters/${bLetter.id}/discard`, { reason: 'not mine at all' }))
        .status,
    ).toBe(404);
    expect((await letters(b, '?state=waiting')).total).toBe(1);
    // The CRM key is not the console's: only an admin key or a console person may read them.
    const crm = await SELF.fetch('http://handoff/v1/dead-letters', {
      headers: { authorization: `Bearer ${b.keys.crm}` },
    });
    expect(crm.status).toBe(403);
  });
});
