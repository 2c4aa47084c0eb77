import { describe, expect, it } from 'vitest';
import { adminCall, type Json, newTenant, testEnv, workerFetch } from './harness';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

const asKey = (key: string, method: string, path: string, body?: unknown) =>
  workerFetch(`http://handoff${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('tenant API keys: list, create, rotate with an overlap, revoke', () => {
  it('shows keys without secrets, rotates with overlap, revokes at once, and keeps the last admin key', async () => {
    const t = await newTenant();
    const listed = (await (await adminCall(t, 'GET', '/v1/admin/api-keys')).json()) as Json;
    expect(listed.keys.map((k: Json) => k.scope).sort()).toEqual(['admin', 'crm', 'psa']);
    const text = JSON.stringify(listed);
    for (const secret of Object.values(t.keys)) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/keyHash|key_hash/);
    const admin = listed.keys.find((k: Json) => k.scope === 'admin');
    expect(admin).toMatchObject({ status: 'active', label: 'Admin', expiresAt: null, revokedAt: null });
    expect(admin.prefix).toBe(t.keys.admin.slice(0, 10));
    // Used just now (this very call), recorded to the hour.
    expect(admin.lastUsedAt).not.toBeNull();

    // Create: the secret is shown once and works at once for its surface only.
    const created = await adminCall(t, 'POST', '/v1/admin/api-keys', {
      scope: 'psa',
      label: 'Second PSA host',
    });
    expect(created.status).toBe(201);
    const psa2 = (await created.json()) as Json;
    expect(psa2.secret).toMatch(/^hk_psa_/);
    expect((await asKey(psa2.secret, 'GET', '/v1/admin/api-keys')).status).toBe(403);
    const again = (await (await adminCall(t, 'GET', '/v1/admin/api-keys')).json()) as Json;
    expect(JSON.stringify(again)).not.toContain(psa2.secret);
    expect(again.keys.find((k: Json) => k.id === psa2.id)).toMatchObject({ scope: 'psa', status: 'active' });

    // Bad input answers 4xx in the envelope.
    for (const body of [{ scope: 'root', label: 'x' }, { scope: 'crm', label: '' }, { scope: 'crm' }]) {
      const res = await adminCall(t, 'POST', '/v1/admin/api-keys', body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as Json).error.details.length).toBeGreaterThan(0);
    }
    const badOverlap = await adminCall(t, 'POST', `/v1/admin/api-keys/${psa2.id}/rotate`, {
      overlapMinutes: 99_999,
    });
    expect(badOverlap.status).toBe(400);
    expect((await adminCall(t, 'POST', '/v1/admin/api-keys/key_nope/rotate', {})).status).toBe(404);
    expect((await adminCall(t, 'POST', '/v1/admin/api-keys/not-a-key/revoke')).status).toBe(400);

    // Rotate the admin key with a 0-minute overlap: the old key is refused at once, the new one works.
    const rotated = await asKey(t.keys.admin, 'POST', `/v1/admin/api-keys/${admin.id}/rotate`, {
      overlapMinutes: 0,
    });
    expect(rotated.status).toBe(200);
    const r = (await rotated.json()) as Json;
    expect(r.key).toMatchObject({ scope: 'admin', label: 'Admin', status: 'active' });
    expect(r.previous).toMatchObject({ id: admin.id, replacedBy: r.key.id });
    const old = await asKey(t.keys.admin, 'GET', '/v1/admin/api-keys');
    expect(old.status).toBe(401);
    expect(((await old.json()) as Json).error.code).toBe('UNAUTHORIZED');
    const newAdmin = r.key.secret as string;
    expect((await asKey(newAdmin, 'GET', '/v1/admin/api-keys')).status).toBe(200);
    // An expired or rotated key cannot be rotated again (its replacement can).
    const twice = await asKey(newAdmin, 'POST', `/v1/admin/api-keys/${admin.id}/rotate`, {});
    expect(twice.status).toBe(409);
    expect(((await twice.json()) as Json).error.details[0].fix).toContain(r.key.id);

    // With the default overlap, the old key keeps working (24 h) beside the new one.
    const crm = listed.keys.find((k: Json) => k.scope === 'crm');
    const crmRes = await asKey(newAdmin, 'POST', `/v1/admin/api-keys/${crm.id}/rotate`);
    expect(crmRes.status, await crmRes.clone().text()).toBe(200);
    const crmRotated = (await crmRes.json()) as Json;
    const overlapMs = Date.parse(crmRotated.previous.expiresAt) - Date.now();
    expect(overlapMs).toBeGreaterThan(23.9 * 3600_000);
    expect(overlapMs).toBeLessThanOrEqual(24 * 3600_000);
    for (const key of [t.keys.crm, crmRotated.key.secret])
      expect((await asKey(key, 'GET', '/v1/activations?crmRecordId=006000000000001AAA')).status).toBe(404);

    // Revoke: immediate, even during an overlap.
    expect((await asKey(newAdmin, 'POST', `/v1/admin/api-keys/${crm.id}/revoke`)).status).toBe(200);
    expect((await asKey(t.keys.crm, 'GET', '/v1/activations?crmRecordId=006000000000001AAA')).status).toBe(
      401,
    );
    expect((await asKey(newAdmin, 'POST', `/v1/admin/api-keys/${crm.id}/revoke`)).status).toBe(409);

    // The last lasting admin key cannot be revoked; once there is another, it can.
    const last = await asKey(newAdmin, 'POST', `/v1/admin/api-keys/${r.key.id}/revoke`);
    expect(last.status).toBe(409);
    const lastBody = (await last.json()) as Json;
    expect(lastBody.error.details[0]).toMatchObject({ field: 'id', message: 'last admin key' });
    expect(lastBody.error.details[0].fix).toMatch(/Create another admin key/);
    const second = (await (
      await asKey(newAdmin, 'POST', '/v1/admin/api-keys', { scope: 'admin', label: 'Break glass' })
    ).json()) as Json;
    expect((await asKey(newAdmin, 'POST', `/v1/admin/api-keys/${r.key.id}/revoke`)).status).toBe(200);
    expect((await asKey(newAdmin, 'GET', '/v1/admin/api-keys')).status).toBe(401);
    expect((await asKey(second.secret, 'GET', '/v1/admin/api-keys')).status).toBe(200);

    // Another tenant's keys are out of reach.
    const other = await newTenant();
    expect((await asKey(other.keys.admin, 'POST', `/v1/admin/api-keys/${second.id}/revoke`)).status).toBe(
      404,
    );
    expect((await asKey(other.keys.admin, 'POST', `/v1/admin/api-keys/${second.id}/rotate`, {})).status).toBe(
      404,
    );
    const theirs = (await (await asKey(other.keys.admin, 'GET', '/v1/admin/api-keys')).json()) as Json;
    expect(theirs.keys.map((k: Json) => k.id)).not.toContain(second.id);
    // Operator-only endpoints refuse tenant keys, and tenant endpoints refuse the operator token.
    expect((await asKey(second.secret, 'GET', '/v1/admin/platform/keys')).status).toBe(403);
    expect((await asKey(testEnv.PLATFORM_ADMIN_TOKEN, 'GET', '/v1/admin/api-keys')).status).toBe(401);
  });
});

describe('connection config refuses what belongs in secrets', () => {
  it('answers 422 with a fix for each secret-looking setting, by name or by value, and saves nothing', async () => {
    const t = await newTenant();
    const base = {
      system: 'kantata',
      config: {
        baseUrl: `${t.instances.kantata.baseUrl}/api/v1`,
        uiBaseUrl: `${t.instances.kantata.baseUrl}/ui`,
      },
      secrets: {
        accessToken: t.emulatorSecrets.kantataToken,
        webhookSecret: t.emulatorSecrets.kantataWebhookSecret,
      },
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ accessToken: 'abc123' }, 'config.accessToken'],
      [{ webhookSecret: 'x' }, 'config.webhookSecret'],
      [{ auth: { clientSecret: 's3cr3t' } }, 'config.auth.clientSecret'],
      [{ password: 'hunter2' }, 'config.password'],
      [{ api_key: 'k' }, 'config.api_key'],
      [{ refresh_token: 'r' }, 'config.refresh_token'],
      [{ hmacKeys: ['k'] }, 'config.hmacKeys'],
      [{ signing: { privateKeyPem: 'x' } }, 'config.signing.privateKeyPem'],
      [{ note: PEM }, 'config.note'],
      [{ relay: { header: t.emulatorSecrets.kantataWebhookSecret } }, 'config.relay.header'],
      [{ extra: [JWT] }, 'config.extra.0'],
    ];
    for (const [extra, field] of cases) {
      const res = await adminCall(t, 'PUT', '/v1/admin/connections/psa', {
        ...base,
        config: { ...base.config, ...extra },
      });
      expect(res.status, field).toBe(422);
      const body = (await res.json()) as Json;
      expect(body.error.code).toBe('VALIDATION_FAILED');
      const detail = body.error.details.find((d: Json) => d.field === field);
      expect(detail, `${field} in ${JSON.stringify(body.error.details)}`).toBeDefined();
      expect(detail.fix).toMatch(/move it under secrets/i);
      expect(detail.fix).toContain(`secrets.${field.slice('config.'.length)}`);
    }
    // Names that only describe a secret, or ids, stay allowed.
    const fine = await adminCall(t, 'PUT', '/v1/admin/connections/psa', {
      ...base,
      config: { ...base.config, tokenRefreshSkewSeconds: 60, serviceName: 'Handoff', keyId: 'k1' },
    });
    expect(fine.status, await fine.clone().text()).toBe(200);
    const list = (await (await adminCall(t, 'GET', '/v1/admin/connections')).json()) as Json;
    const text = JSON.stringify(list);
    for (const secret of ['hunter2', 's3cr3t', 'BEGIN PRIVATE KEY', JWT]) expect(text).not.toContain(secret);
  });
});
