/**
 * Per-firm request budgets, with the small budgets of this project (vitest.config.ts SMALL_BUDGETS: 40 API
 * requests, 30 webhooks and 3 syncs per firm and surface per minute). One firm over its budget gets 429 with
 * Retry-After in the error envelope; the other firm, and the first firm's other surfaces, are untouched.
 */
import { describe, expect, it } from 'vitest';
import { json, newTenant, workerFetch } from '../worker/harness';
import { kantataSignature } from '../worker/security/firms';

/**
 * Budgets are counted in windows aligned to the clock (60 s here): start each test early in a window, so
 * its whole burst falls into one.
 */
async function earlyInAWindow() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 15_000) await new Promise((r) => setTimeout(r, left + 100));
}

const get = (key: string) =>
  workerFetch('http://handoff/v1/exceptions', { headers: { authorization: `Bearer ${key}` } });

describe('per-firm request budgets', () => {
  it('refuses a firm over its API budget with 429 + Retry-After, and leaves the other firm alone', async () => {
    const [a, b] = await Promise.all([newTenant(), newTenant()]);
    await earlyInAWindow();
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) statuses.push((await get(a.keys.admin)).status);
    // Connecting the firm spent a few admin calls of this window already (or none, in a new window).
    const served = statuses.indexOf(429);
    expect(served).toBeGreaterThanOrEqual(36);
    expect(served).toBeLessThanOrEqual(40);
    expect(statuses.slice(0, served).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(served).every((s) => s === 429)).toBe(true);
    const refused = await get(a.keys.admin);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = await json(refused);
    expect(body.error.code).toBe('RATE_LIMITED');
    expect(body.error.details[0].fix).toMatch(/Retry-After/);
    // The other firm, and the same firm's CRM surface, still have their own budgets.
    expect((await get(b.keys.admin)).status).toBe(200);
    expect((await get(a.keys.crm)).status).toBe(200);
  });

  it('counts only verified webhooks against a firm: forgeries naming it spend nothing', async () => {
    const t = await newTenant();
    await earlyInAWindow();
    const firm = { t } as Parameters<typeof kantataSignature>[0];
    const send = async (headers: Record<string, string>, body: string) =>
      workerFetch(`http://handoff/v1/webhooks/kantata/${t.tenantId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const event = (n: number) =>
      JSON.stringify({
        id: `evt_${n}`,
        event_type: 'updated',
        subject_type: 'TimeEntry',
        subject_id: `9${n}`,
        current_payload: { workspace_id: '1' },
      });
    for (let i = 0; i < 60; i++) {
      const forged = await send(
        {
          'webhook-id': `msg_forged_${i}`,
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
          'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
        },
        event(i),
      );
      expect(forged.status).toBe(401);
    }
    const accepted: number[] = [];
    for (let i = 0; i < 32; i++) {
      const body = event(1000 + i);
      accepted.push((await send(await kantataSignature(firm, body), body)).status);
    }
    expect(accepted.slice(0, 30)).toEqual(Array(30).fill(202));
    expect(accepted.slice(30)).toEqual([429, 429]);
  });

  it('limits syncs separately from reads', async () => {
    const t = await newTenant();
    await earlyInAWindow();
    const sync = () =>
      workerFetch('http://handoff/v1/admin/sync', {
        method: 'POST',
        headers: { authorization: `Bearer ${t.keys.admin}` },
      });
    expect([(await sync()).status, (await sync()).status, (await sync()).status]).toEqual([202, 202, 202]);
    const over = await sync();
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('60');
    expect((await get(t.keys.admin)).status).toBe(200);
  });
});
