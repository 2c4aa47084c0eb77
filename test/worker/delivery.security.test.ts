import { env } from 'cloudflare:workers';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { embedKeyring } from '../../worker/domain/keyring';
import { findUserByEmail, logApprovedTime, staffPerson } from '../emulators/kantata/demo-actions';
import { kantataActor } from '../support/delivery-demo';
import {
  activate,
  embedToken,
  fastWorkflows,
  newTenant,
  psaProjectIdOf,
  waitForActivation,
  waitForReadiness,
  workerFetch,
} from './harness';

const GLOBEX = '006000000000002AAA';
const embedRing = embedKeyring(env as never);

async function standardWebhook(
  secret: string,
  id: string,
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
) {
  const key = await crypto.subtle.importKey(
    'raw',
    Uint8Array.from(atob(secret.slice('whsec_'.length)), (ch) => ch.charCodeAt(0)),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const sig = new Uint8Array(
    await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${timestamp}.${body}`)),
  );
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${btoa(String.fromCharCode(...sig))}`,
    'content-type': 'application/json',
  };
}

async function liveGlobex() {
  const t = await newTenant();
  await activate(t, GLOBEX);
  const ws = psaProjectIdOf(await waitForActivation(t, GLOBEX));
  return { t, ws };
}

describe('PSA change notifications (webhooks)', () => {
  it('a signed notification is taken once, processed without waiting for the poll, and forgeries are refused', async () => {
    await using _wf = await fastWorkflows();
    const { t, ws } = await liveGlobex();
    const actor = kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken);
    const dev = (await findUserByEmail(actor, 'dev.patel@lumenpartners.example'))!;
    await staffPerson(actor, ws, dev, 'Analyst');
    const [entryId] = await logApprovedTime(actor, [
      { workspaceId: ws, userId: dev, date: '2026-11-19', minutes: 120 },
    ]);
    const body = JSON.stringify({
      id: 'evt-1',
      event_type: 'time_entry:updated',
      subject_type: 'TimeEntry',
      subject_id: entryId,
    });
    const url = `http://handoff/v1/webhooks/kantata/${t.tenantId}`;
    const secret = t.emulatorSecrets.kantataWebhookSecret;

    const first = await workerFetch(url, {
      method: 'POST',
      headers: await standardWebhook(secret, 'wh-1', body),
      body,
    });
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ accepted: true, duplicate: false });
    const again = await workerFetch(url, {
      method: 'POST',
      headers: await standardWebhook(secret, 'wh-1', body),
      body,
    });
    expect(await again.json()).toEqual({ accepted: true, duplicate: true });
    const r = await waitForReadiness(t, ws, (x) => x.counts.posted === 1);
    expect(r.totals.unbilledTime).toEqual({ amountMinor: 24_000, currency: 'USD' });

    const tampered = await workerFetch(url, {
      method: 'POST',
      headers: await standardWebhook(secret, 'wh-2', body),
      body: body.replace('TimeEntry', 'Expense'),
    });
    expect(tampered.status).toBe(401);
    const stale = await workerFetch(url, {
      method: 'POST',
      headers: await standardWebhook(secret, 'wh-3', body, Math.floor(Date.now() / 1000) - 600),
      body,
    });
    expect(stale.status).toBe(401);
    const wrongSecret = await workerFetch(url, {
      method: 'POST',
      headers: await standardWebhook(`whsec_${btoa('not-the-secret')}`, 'wh-4', body),
      body,
    });
    expect(wrongSecret.status).toBe(401);
    const unknownTenant = await workerFetch('http://handoff/v1/webhooks/kantata/ten_nobody', {
      method: 'POST',
      headers: await standardWebhook(secret, 'wh-5', body),
      body,
    });
    expect(unknownTenant.status).toBe(401);
  });
});

describe('the sidebar API: short-lived embed tokens scoped to tenant and project', () => {
  it('serves readiness with an ETag, and refuses forged, expired and other tenants’ tokens', async () => {
    await using _wf = await fastWorkflows();
    const { t, ws } = await liveGlobex();
    const token = await embedToken(t, ws);
    const ok = await workerFetch('http://handoff/v1/sidebar/readiness', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ok.status).toBe(200);
    const etag = ok.headers.get('etag')!;
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
    const unchanged = await workerFetch('http://handoff/v1/sidebar/readiness', {
      headers: { authorization: `Bearer ${token}`, 'if-none-match': etag },
    });
    expect(unchanged.status).toBe(304);

    const forged = await new SignJWT({ tid: t.tenantId, prj: ws })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('handoff')
      .setAudience('handoff-sidebar')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode('guessed-key'));
    expect(
      (
        await workerFetch('http://handoff/v1/sidebar/readiness', {
          headers: { authorization: `Bearer ${forged}` },
        })
      ).status,
    ).toBe(401);
    const expired = await new SignJWT({ tid: t.tenantId, prj: ws })
      .setProtectedHeader({ alg: 'HS256', kid: embedRing.currentId })
      .setIssuer('handoff')
      .setAudience('handoff-sidebar')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 1200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 600)
      .sign(embedRing.keys.get(embedRing.currentId)!);
    const expiredRes = await workerFetch('http://handoff/v1/sidebar/readiness', {
      headers: { authorization: `Bearer ${expired}` },
    });
    expect(expiredRes.status).toBe(401);
    expect(((await expiredRes.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');

    // Another tenant cannot mint a token for this project, nor use its CRM key to mint.
    const other = await newTenant();
    const mint = (key: string) =>
      workerFetch('http://handoff/v1/embed-tokens', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ psaProjectId: ws, user: 'x' }),
      });
    expect((await mint(other.keys.psa)).status).toBe(404);
    expect((await mint(t.keys.crm)).status).toBe(403);
  });
});
