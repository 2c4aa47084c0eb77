import { env } from 'cloudflare:workers';
import { and, eq } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../worker/db/client';
import { apiKeysTable, connectionsTable } from '../../worker/db/schema';
import { decryptSecret, encryptSecret } from '../../worker/domain/crypto';
import { mintEmbedToken } from '../../worker/domain/embed-tokens';
import { dataKeyring, embedKeyring, type Keyring, keyringFrom } from '../../worker/domain/keyring';
import type { Env } from '../../worker/env';
import { findUserByEmail, logApprovedTime, staffPerson } from '../emulators/kantata/demo-actions';
import { kantataActor } from '../support/delivery-demo';
import {
  activate,
  adminCall,
  embedToken,
  fastWorkflows,
  type Json,
  newTenant,
  psaProjectIdOf,
  testEnv,
  waitForActivation,
  waitForReadiness,
  workerFetch,
} from './harness';

const GLOBEX = '006000000000002AAA';
const BRANDT_CONTRACT = '800000000000002AAA';
const workerEnv = env as unknown as Env;

/** The keyring a deployment had before this rotation: today's previous key was then the current one. */
function previousRing(ring: Keyring, name: string): Keyring {
  const [kid, key] = [...ring.keys].find(([id]) => id !== ring.currentId)!;
  return keyringFrom(name, btoa(String.fromCharCode(...key)), kid, undefined);
}

async function signedWebhook(secret: string, id: string, body: string) {
  const key = await crypto.subtle.importKey(
    'raw',
    Uint8Array.from(atob(secret.slice('whsec_'.length)), (ch) => ch.charCodeAt(0)),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const ts = Math.floor(Date.now() / 1000);
  const sig = new Uint8Array(
    await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${ts}.${body}`)),
  );
  return {
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': `v1,${btoa(String.fromCharCode(...sig))}`,
    'content-type': 'application/json',
  };
}

const operator = (method: 'GET' | 'POST', path: string, body?: unknown) =>
  workerFetch(`http://handoff${path}`, {
    method,
    headers: { authorization: `Bearer ${testEnv.PLATFORM_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('rotating the data key, the embed key and an API key under live traffic', () => {
  it('loses no request: every secret still decrypts, old tokens and keys work through their overlap, new ones at once', async () => {
    await using _wf = await fastWorkflows();
    const db = getDb(workerEnv);
    const t = await newTenant();
    expect((await activate(t, GLOBEX)).status).toBe(202);
    const ws = psaProjectIdOf(await waitForActivation(t, GLOBEX));
    const kantata = kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken);
    const dev = (await findUserByEmail(kantata, 'dev.patel@lumenpartners.example'))!;
    await staffPerson(kantata, ws, dev, 'Analyst');
    const [entryId] = await logApprovedTime(kantata, [
      { workspaceId: ws, userId: dev, date: '2026-11-19', minutes: 120 },
    ]);

    // The state before the deploy that made today's keys current: the tenant's secrets under the previous
    // data key (the CRM's even from before key ids, without a prefix), and a sidebar token signed with the
    // previous embed key.
    const dataRing = dataKeyring(workerEnv);
    const oldDataRing = previousRing(dataRing, 'SECRETS_KEY');
    const rows = await db.select().from(connectionsTable).where(eq(connectionsTable.tenantId, t.tenantId));
    const plaintexts = new Map<string, string>();
    for (const row of rows) {
      const plain = await decryptSecret(dataRing, t.tenantId, row.secretCiphertext);
      plaintexts.set(row.role, plain);
      const old = await encryptSecret(oldDataRing, t.tenantId, plain);
      await db
        .update(connectionsTable)
        .set({ secretCiphertext: row.role === 'crm' ? old.slice(old.indexOf(':') + 1) : old })
        .where(and(eq(connectionsTable.tenantId, t.tenantId), eq(connectionsTable.role, row.role)));
    }
    const before = await db.select().from(connectionsTable).where(eq(connectionsTable.tenantId, t.tenantId));
    expect(before.map((r) => r.secretCiphertext.split(':')[0]).sort()).toEqual(
      before.map((r) => (r.role === 'crm' ? r.secretCiphertext.split(':')[0] : oldDataRing.currentId)).sort(),
    );
    expect(before.find((r) => r.role === 'crm')!.secretCiphertext).not.toContain(':');
    const status = (await (await operator('GET', '/v1/admin/platform/keys')).json()) as Json;
    expect(status.dataKey.current).toBe(dataRing.currentId);
    expect(status.dataKey.ciphertextsByKeyId[oldDataRing.currentId]).toBeGreaterThanOrEqual(3);
    expect(status.dataKey.ciphertextsByKeyId.legacy).toBeGreaterThanOrEqual(1);

    const embedRing = embedKeyring(workerEnv);
    const oldEmbedRing = previousRing(embedRing, 'EMBED_SIGNING_KEY');
    const oldToken = (
      await mintEmbedToken(oldEmbedRing, { tenantId: t.tenantId, psaProjectId: ws, user: 'pm' })
    ).token;

    const keys = (await (await adminCall(t, 'GET', '/v1/admin/api-keys')).json()) as Json;
    const crmKey = keys.keys.find((k: Json) => k.scope === 'crm');
    let newCrmKey: string | undefined;

    // Live traffic, until the rotations are done: each kind of request that needs a key being rotated.
    const failures: string[] = [];
    const counts: Record<string, number> = {};
    let stop = false;
    let n = 0;
    const expectOk = async (what: string, res: Promise<Response>, ok = [200, 202]) => {
      const r = await res;
      counts[what] = (counts[what] ?? 0) + 1;
      if (!ok.includes(r.status)) failures.push(`${what}: ${r.status} ${await r.text()}`);
      else await r.body?.cancel();
    };
    const loop = async (step: () => Promise<void>) => {
      while (!stop) {
        await step();
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const traffic = Promise.all([
      // A Contract record is resolved through the CRM connector in the request: the CRM secret is decrypted.
      loop(() =>
        expectOk(
          'activate (CRM secret)',
          workerFetch('http://handoff/v1/activations', {
            method: 'POST',
            headers: {
              authorization: `Bearer ${t.keys.crm}`,
              'content-type': 'application/json',
              'idempotency-key': crypto.randomUUID(),
            },
            body: JSON.stringify({ crmRecordId: BRANDT_CONTRACT }),
          }),
        ),
      ),
      // The webhook's signature is checked with the PSA's decrypted secret; the intake consumer then
      // decrypts the PSA and ERP secrets to fetch and post the entry.
      loop(async () => {
        const body = JSON.stringify({
          id: `evt-${n}`,
          event_type: 'time_entry:updated',
          subject_type: 'TimeEntry',
          subject_id: entryId,
        });
        await expectOk(
          'webhook (PSA secret)',
          workerFetch(`http://handoff/v1/webhooks/kantata/${t.tenantId}`, {
            method: 'POST',
            headers: await signedWebhook(t.emulatorSecrets.kantataWebhookSecret, `wh-${n++}`, body),
            body,
          }),
        );
      }),
      // The sidebar with a token of the previous embed key and with fresh ones.
      loop(() =>
        expectOk(
          'sidebar (previous embed key)',
          workerFetch('http://handoff/v1/sidebar/readiness', {
            headers: { authorization: `Bearer ${oldToken}` },
          }),
        ),
      ),
      loop(async () =>
        expectOk(
          'sidebar (current embed key)',
          workerFetch('http://handoff/v1/sidebar/readiness', {
            headers: { authorization: `Bearer ${await embedToken(t, ws)}` },
          }),
        ),
      ),
      // The CRM key being rotated, and its replacement as soon as there is one.
      loop(async () => {
        await expectOk(
          'activation read (old CRM key)',
          workerFetch(`http://handoff/v1/activations?crmRecordId=${GLOBEX}`, {
            headers: { authorization: `Bearer ${t.keys.crm}` },
          }),
        );
        if (newCrmKey)
          await expectOk(
            'activation read (new CRM key)',
            workerFetch(`http://handoff/v1/activations?crmRecordId=${GLOBEX}`, {
              headers: { authorization: `Bearer ${newCrmKey}` },
            }),
          );
      }),
    ]);

    // Meanwhile: the operator re-encrypts a row at a time, the tenant rotates its CRM key and saves its PSA
    // connection again (a write racing the re-encryption), and the operator records the embed rotation.
    await new Promise((r) => setTimeout(r, 200));
    const rotated = await adminCall(t, 'POST', `/v1/admin/api-keys/${crmKey.id}/rotate`, {
      overlapMinutes: 60,
    });
    expect(rotated.status).toBe(200);
    const rotation = (await rotated.json()) as Json;
    newCrmKey = rotation.key.secret;
    expect(rotation.previous).toMatchObject({
      id: crmKey.id,
      status: 'expiring',
      replacedBy: rotation.key.id,
    });

    const tenantDone = async () =>
      (await db.select().from(connectionsTable).where(eq(connectionsTable.tenantId, t.tenantId))).every((r) =>
        r.secretCiphertext.startsWith(`${dataRing.currentId}:`),
      );
    let report: Json;
    let calls = 0;
    do {
      const res = await operator('POST', '/v1/admin/platform/rotate-data-key', { batchSize: 1, maxRows: 1 });
      expect(res.status).toBe(200);
      report = await res.json();
      expect(report.unreadable).toEqual([]);
      if (calls === 1) {
        const resave = await adminCall(t, 'PUT', '/v1/admin/connections/psa', {
          system: 'kantata',
          config: {
            baseUrl: `${t.instances.kantata.baseUrl}/api/v1`,
            uiBaseUrl: `${t.instances.kantata.baseUrl}/ui`,
          },
          secrets: JSON.parse(plaintexts.get('psa')!),
        });
        expect(resave.status).toBe(200);
      }
      await new Promise((r) => setTimeout(r, 50));
    } while (!(await tenantDone()) && ++calls < 100);
    expect(await tenantDone()).toBe(true);
    expect(report.reencrypted + report.conflicts).toBeGreaterThanOrEqual(0);
    // The rotation is recorded once per deployment: another test file on the same database (the libsql
    // suite shares one) may have recorded it already, and then it answers 409 and shows it as the last one.
    const embedRecorded = await operator('POST', '/v1/admin/platform/rotate-embed-key', {});
    if (embedRecorded.status === 409) {
      const keys = (await (await operator('GET', '/v1/admin/platform/keys')).json()) as Json;
      expect(keys.embedKey).toMatchObject({
        current: embedRing.currentId,
        previous: [oldEmbedRing.currentId],
        lastRotation: { keyId: embedRing.currentId },
      });
    } else {
      expect(embedRecorded.status).toBe(200);
      expect(await embedRecorded.json()).toMatchObject({
        currentKeyId: embedRing.currentId,
        previousKeyIds: [oldEmbedRing.currentId],
      });
    }
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await traffic;

    expect(failures).toEqual([]);
    for (const what of Object.keys(counts)) expect(counts[what], what).toBeGreaterThan(1);
    expect(Object.keys(counts)).toHaveLength(6);

    // Every secret is under the current key now, and still the same secret.
    const after = await db.select().from(connectionsTable).where(eq(connectionsTable.tenantId, t.tenantId));
    for (const row of after) {
      expect(row.secretCiphertext.startsWith(`${dataRing.currentId}:`), row.role).toBe(true);
      expect(await decryptSecret(dataRing, t.tenantId, row.secretCiphertext)).toBe(plaintexts.get(row.role));
      await expect(decryptSecret(oldDataRing, t.tenantId, row.secretCiphertext)).rejects.toThrow();
    }
    // The entry the webhooks named was posted once, however many notifications came.
    const r = await waitForReadiness(t, ws, (x) => x.counts.posted === 1);
    expect(r.counts.held).toBe(0);

    // The old embed token verifies until it expires; a key id the deployment no longer has does not.
    const forgedKid = await new SignJWT({ tid: t.tenantId, prj: ws })
      .setProtectedHeader({ alg: 'HS256', kid: 'embed-0' })
      .setIssuer('handoff')
      .setAudience('handoff-sidebar')
      .setExpirationTime('5m')
      .sign(oldEmbedRing.keys.get(oldEmbedRing.currentId)!);
    expect(
      (
        await workerFetch('http://handoff/v1/sidebar/readiness', {
          headers: { authorization: `Bearer ${forgedKid}` },
        })
      ).status,
    ).toBe(401);
    const wrongKeyForKid = await new SignJWT({ tid: t.tenantId, prj: ws })
      .setProtectedHeader({ alg: 'HS256', kid: embedRing.currentId })
      .setIssuer('handoff')
      .setAudience('handoff-sidebar')
      .setExpirationTime('5m')
      .sign(oldEmbedRing.keys.get(oldEmbedRing.currentId)!);
    expect(
      (
        await workerFetch('http://handoff/v1/sidebar/readiness', {
          headers: { authorization: `Bearer ${wrongKeyForKid}` },
        })
      ).status,
    ).toBe(401);

    // The old CRM key stops at the end of its overlap (brought forward here), the new one goes on.
    await db
      .update(apiKeysTable)
      .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
      .where(eq(apiKeysTable.id, crmKey.id));
    const expired = await workerFetch(`http://handoff/v1/activations?crmRecordId=${GLOBEX}`, {
      headers: { authorization: `Bearer ${t.keys.crm}` },
    });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as Json).error.message).toMatch(/rotated/);
    const fresh = await workerFetch(`http://handoff/v1/activations?crmRecordId=${GLOBEX}`, {
      headers: { authorization: `Bearer ${newCrmKey}` },
    });
    expect(fresh.status).toBe(200);
    const listed = (await (await adminCall(t, 'GET', '/v1/admin/api-keys')).json()) as Json;
    expect(listed.keys.find((k: Json) => k.id === crmKey.id).status).toBe('expired');
    expect(listed.keys.find((k: Json) => k.id === rotation.key.id)).toMatchObject({
      status: 'active',
      scope: 'crm',
    });
  });

  it('refuses to record an embed rotation twice, and reports secrets no configured key can read', async () => {
    // Recorded once (here or by the test above); a second record of the same key id is refused.
    expect([200, 409]).toContain((await operator('POST', '/v1/admin/platform/rotate-embed-key', {})).status);
    const again = await operator('POST', '/v1/admin/platform/rotate-embed-key', {});
    expect(again.status).toBe(409);
    expect(((await again.json()) as Json).error.details[0].fix).toMatch(/EMBED_SIGNING_KEY_PREVIOUS/);

    const t = await newTenant();
    const db = getDb(workerEnv);
    const lost = keyringFrom('SECRETS_KEY', btoa('x'.repeat(32)), 'lost-key', undefined);
    await db
      .update(connectionsTable)
      .set({ secretCiphertext: await encryptSecret(lost, t.tenantId, '{}') })
      .where(and(eq(connectionsTable.tenantId, t.tenantId), eq(connectionsTable.role, 'clm')));
    const res = await operator('POST', '/v1/admin/platform/rotate-data-key', {});
    expect(res.status).toBe(200);
    const report = (await res.json()) as Json;
    expect(report.unreadable).toContainEqual({ tenantId: t.tenantId, role: 'clm', keyId: 'lost-key' });
    expect(report.remaining).toBeGreaterThanOrEqual(1);
    // The worker suite shares one database on libsql: leave nothing unreadable behind for other files.
    await db
      .delete(connectionsTable)
      .where(and(eq(connectionsTable.tenantId, t.tenantId), eq(connectionsTable.role, 'clm')));
    // Only the operator may rotate.
    const tenantTry = await adminCall(t, 'POST', '/v1/admin/platform/rotate-data-key', {});
    expect(tenantTry.status).toBe(403);
  });
});
