/**
 * Fair intake: one firm's flood of PSA change notifications waits in its own project's lane and never in
 * front of another firm's. Firm B's webhook-to-ingested time while firm A floods stays within 2× of B's idle
 * figure (here at small size: 300 notifications against a PSA answering in 40 ms, about 12 s of A's work).
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { IntakeLane } from '../../worker/durable-objects/intake-lane';
import { findUserByEmail, logApprovedTime, staffPerson } from '../emulators/kantata/demo-actions';
import type { ConnectedTenant } from '../support/connect-tenant';
import { kantataActor } from '../support/delivery-demo';
import {
  activate,
  fastWorkflows,
  newTenant,
  psaProjectIdOf,
  readinessOf,
  waitForActivation,
  workerFetch,
} from './harness';
import { kantataSignature } from './security/firms';

const GLOBEX = '006000000000002AAA';
const lanes = (env as unknown as { INTAKE_LANES: DurableObjectNamespace<IntakeLane> }).INTAKE_LANES;

async function liveFirm(latencyMs = 0) {
  const t = await newTenant({ latencyMs: { kantata: latencyMs } });
  await activate(t, GLOBEX);
  const ws = psaProjectIdOf(await waitForActivation(t, GLOBEX));
  const actor = kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken);
  const dev = (await findUserByEmail(actor, 'dev.patel@lumenpartners.example'))!;
  await staffPerson(actor, ws, dev, 'Analyst');
  return { t, ws, actor, dev };
}

function notification(subjectId: string, ws: string, n: number) {
  return JSON.stringify({
    id: `evt_${n}_${subjectId}`,
    event_type: 'time_entry:updated',
    subject_type: 'TimeEntry',
    subject_id: subjectId,
    current_payload: { workspace_id: ws },
  });
}

/** Sends one notification as Kantata would: a 503 (the database busy a moment) is sent again after Retry-After. */
async function notify(t: ConnectedTenant, body: string) {
  for (let attempt = 1; ; attempt++) {
    const res = await workerFetch(`http://handoff/v1/webhooks/kantata/${t.tenantId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await kantataSignature({ t } as never, body)) },
      body,
    });
    if (res.status === 202) return;
    if (res.status !== 503 || attempt === 5) throw new Error(`webhook: ${res.status} ${await res.text()}`);
    await res.body?.cancel();
    await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
  }
}

/** Logs one approved entry in the PSA, sends its notification, and times until Handoff has ingested it. */
async function webhookToIngested(firm: Awaited<ReturnType<typeof liveFirm>>, day: number): Promise<number> {
  const before = await readinessOf(firm.t, firm.ws);
  const seen = before.counts.posted + before.counts.pending + before.counts.held;
  const [entryId] = await logApprovedTime(firm.actor, [
    { workspaceId: firm.ws, userId: firm.dev, date: `2026-11-${String(day).padStart(2, '0')}`, minutes: 60 },
  ]);
  const started = Date.now();
  await notify(firm.t, notification(entryId!, firm.ws, day));
  for (;;) {
    const r = await readinessOf(firm.t, firm.ws);
    if (r.counts.posted + r.counts.pending + r.counts.held > seen) return Date.now() - started;
    if (Date.now() - started > 60_000) throw new Error('entry never ingested');
    await new Promise((res) => setTimeout(res, 20));
  }
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

describe('fair intake', () => {
  it("keeps firm B's webhook-to-ingested time within 2x of its idle figure while firm A floods", async () => {
    await using _wf = await fastWorkflows();
    const [a, b] = await Promise.all([liveFirm(40), liveFirm()]);
    const idle = median([
      await webhookToIngested(b, 2),
      await webhookToIngested(b, 3),
      await webhookToIngested(b, 4),
    ]);

    // A's flood: 300 changes in its project, each a 40 ms read from its PSA.
    for (let i = 0; i < 300; i += 20)
      await Promise.all(
        Array.from({ length: 20 }, (_, j) => notify(a.t, notification(String(900_000 + i + j), a.ws, i + j))),
      );
    const laneA = lanes.get(lanes.idFromName(`${a.t.tenantId}:${a.ws}`));
    const backlog = (await laneA.stats()).pending;

    // B's best of five during the flood: a B queued behind A's backlog (300 × 40 ms) would wait seconds in
    // every one of them, while a moment of load from elsewhere on the machine slows only some.
    const during: number[] = [];
    for (const day of [9, 10, 11, 12, 13]) during.push(await webhookToIngested(b, day));
    const flooded = Math.min(...during);
    const stillWaiting = (await laneA.stats()).pending;

    // The measurement overlapped A's flood: A's lane had a backlog before and still had one after.
    expect(backlog).toBeGreaterThan(100);
    expect(stillWaiting).toBeGreaterThan(0);
    // 250 ms of slack: the readiness poll's own granularity and one extra round trip.
    expect(flooded, `idle ${idle} ms, during A's flood ${during.join(', ')} ms`).toBeLessThanOrEqual(
      2 * idle + 250,
    );
  });

  it('takes an entry notified ten times at once exactly once', async () => {
    const firm = await liveFirm();
    const [entryId] = await logApprovedTime(firm.actor, [
      { workspaceId: firm.ws, userId: firm.dev, date: '2026-11-17', minutes: 90 },
    ]);
    // Ten distinct notifications (ten webhook ids) of the same change, at once.
    await Promise.all(
      Array.from({ length: 10 }, (_, n) => notify(firm.t, notification(entryId!, firm.ws, n))),
    );
    for (;;) {
      const r = await readinessOf(firm.t, firm.ws);
      if (r.counts.posted + r.counts.pending === 1) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    await new Promise((res) => setTimeout(res, 500));
    const r = await readinessOf(firm.t, firm.ws);
    expect(r.counts.timeEntries).toBe(1);
    expect(r.counts.posted + r.counts.pending).toBe(1);
  });
});
