import { env } from 'cloudflare:workers';
import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../worker/db/client';
import { activationsTable, approvalsTable, auditLogTable, exceptionsTable } from '../../worker/db/schema';
import type { Env } from '../../worker/env';
import { adminCall, type Json, newTenant, PEOPLE, testEnv, workerFetch } from './harness';

const workerEnv = env as unknown as Env;
const db = () => getDb(workerEnv);

async function auditRows(tenantId: string, action?: string) {
  const rows = await db()
    .select()
    .from(auditLogTable)
    .where(
      action
        ? and(eq(auditLogTable.tenantId, tenantId), eq(auditLogTable.action, action))
        : eq(auditLogTable.tenantId, tenantId),
    )
    .orderBy(asc(auditLogTable.id));
  return rows as ((typeof rows)[number] & { detail: Json })[];
}

/** The one row of `action` written by the request that answered with this correlation id. */
async function rowOf(tenantId: string, action: string, res: Response) {
  const correlationId = res.headers.get('x-correlation-id')!;
  const rows = (await auditRows(tenantId, action)).filter((r) => r.correlationId === correlationId);
  expect(rows, `${action} rows for ${correlationId}`).toHaveLength(1);
  return rows[0]!;
}

const asKey = (key: string, method: string, path: string, body?: unknown) =>
  workerFetch(`http://handoff${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('admin actions are audited with the authenticated principal, before/after, secrets redacted', () => {
  it('writes exactly one row per action, actor from authentication, and no secret anywhere in the audit table', async () => {
    const t = await newTenant();
    const keys = ((await (await adminCall(t, 'GET', '/v1/admin/api-keys')).json()) as Json).keys as Json[];
    const adminKey = keys.find((k) => k.scope === 'admin');
    const adminPrincipal = { type: 'api-key', keyId: adminKey.id, scope: 'admin', label: 'Admin' };
    const secrets: string[] = [
      ...Object.values(t.keys),
      ...Object.values(t.emulatorSecrets),
      workerEnv.SECRETS_KEY,
      workerEnv.EMBED_SIGNING_KEY!,
    ];

    // Tenant creation: by the operator, with the keys it issued (ids and prefixes, never secrets).
    const [created] = await auditRows(t.tenantId, 'tenant.created');
    expect(created).toMatchObject({ actor: 'operator', subjectType: 'tenant', subjectId: t.tenantId });
    expect(created!.detail.principal).toEqual({ type: 'operator' });
    expect(created!.detail.before).toBeNull();
    expect(created!.detail.after.issued.map((k: Json) => k.id).sort()).toEqual(keys.map((k) => k.id).sort());

    // Connections: created by the admin key, secrets only by path.
    const connected = await auditRows(t.tenantId, 'connection.created');
    expect(connected.map((r) => r.subjectId).sort()).toEqual(['clm', 'crm', 'erp', 'psa']);
    for (const r of connected) {
      expect(r.actor).toBe(`key:${adminKey.id}`);
      expect(r.detail.principal).toEqual(adminPrincipal);
    }
    const psaCreated = connected.find((r) => r.subjectId === 'psa')!;
    expect(psaCreated.detail.after.secretPaths).toEqual(['accessToken', 'webhookSecret']);
    expect(psaCreated.detail.secretPathsChanged.added).toEqual(['accessToken', 'webhookSecret']);

    // A connection update: before/after settings; which secret changed, not what it was or became.
    const newToken = `kt-rotated-${crypto.randomUUID()}`;
    secrets.push(newToken);
    const psaConfig = {
      baseUrl: `${t.instances.kantata.baseUrl}/api/v1`,
      uiBaseUrl: `${t.instances.kantata.baseUrl}/ui`,
    };
    const updated = await adminCall(t, 'PUT', '/v1/admin/connections/psa', {
      system: 'kantata',
      config: { ...psaConfig, serviceName: 'Handoff EU' },
      secrets: { accessToken: newToken, webhookSecret: t.emulatorSecrets.kantataWebhookSecret },
    });
    expect(updated.status).toBe(200);
    const upd = await rowOf(t.tenantId, 'connection.updated', updated);
    expect(upd).toMatchObject({ actor: `key:${adminKey.id}`, subjectType: 'connection', subjectId: 'psa' });
    expect(upd.detail.before.config).toEqual(psaConfig);
    expect(upd.detail.after.config).toEqual({ ...psaConfig, serviceName: 'Handoff EU' });
    expect(upd.detail.secretPathsChanged).toEqual({
      added: [],
      changed: ['accessToken'],
      unchanged: ['webhookSecret'],
      removed: [],
    });

    // Approvals policy: created, then updated with before/after.
    const policy = {
      milestoneApprover: PEOPLE.ava,
      changeOrderApprover: PEOPLE.ava,
      exceptionOwners: { 'finance-ops': PEOPLE.emma },
      people: Object.values(PEOPLE),
    };
    const p1 = await adminCall(t, 'PUT', '/v1/admin/approvals-policy', { policy });
    expect(p1.status).toBe(200);
    const policyCreated = await rowOf(t.tenantId, 'approvals_policy.created', p1);
    expect(policyCreated.detail.before).toBeNull();
    expect(policyCreated.detail.after).toMatchObject({ policy: { milestoneApprover: PEOPLE.ava } });
    const p2 = await adminCall(t, 'PUT', '/v1/admin/approvals-policy', {
      policy: { ...policy, milestoneApprover: PEOPLE.emma },
    });
    expect(p2.status).toBe(200);
    const policyUpdated = await rowOf(t.tenantId, 'approvals_policy.updated', p2);
    expect(policyUpdated.actor).toBe(`key:${adminKey.id}`);
    expect(policyUpdated.detail.before.policy.milestoneApprover).toEqual(PEOPLE.ava);
    expect(policyUpdated.detail.after.policy.milestoneApprover).toEqual(PEOPLE.emma);

    // A sync.
    const sync = await adminCall(t, 'POST', '/v1/admin/sync');
    expect(sync.status).toBe(202);
    expect(await rowOf(t.tenantId, 'sync.requested', sync)).toMatchObject({
      actor: `key:${adminKey.id}`,
      subjectId: t.tenantId,
      detail: { projects: 0, principal: adminPrincipal },
    });

    // API keys: created, rotated, revoked; the audit row has the key's view, never its secret.
    const made = await adminCall(t, 'POST', '/v1/admin/api-keys', { scope: 'crm', label: 'Sandbox org' });
    const madeKey = (await made.json()) as Json;
    secrets.push(madeKey.secret);
    const createdRow = await rowOf(t.tenantId, 'api_key.created', made);
    expect(createdRow).toMatchObject({ actor: `key:${adminKey.id}`, subjectId: madeKey.id });
    expect(createdRow.detail.after).toMatchObject({ id: madeKey.id, scope: 'crm', label: 'Sandbox org' });
    const rot = await adminCall(t, 'POST', `/v1/admin/api-keys/${madeKey.id}/rotate`, { overlapMinutes: 30 });
    const rotKey = (await rot.json()) as Json;
    secrets.push(rotKey.key.secret);
    const rotRow = await rowOf(t.tenantId, 'api_key.rotated', rot);
    expect(rotRow.detail.before).toMatchObject({ id: madeKey.id, status: 'active', expiresAt: null });
    expect(rotRow.detail.after).toMatchObject({
      id: madeKey.id,
      status: 'expiring',
      replacedBy: rotKey.key.id,
    });
    expect(rotRow.detail.replacement).toMatchObject({ id: rotKey.key.id, scope: 'crm' });
    expect(rotRow.detail.overlapMinutes).toBe(30);
    const rev = await adminCall(t, 'POST', `/v1/admin/api-keys/${rotKey.key.id}/revoke`);
    const revRow = await rowOf(t.tenantId, 'api_key.revoked', rev);
    expect(revRow.detail.before.revokedAt).toBeNull();
    expect(revRow.detail.after.status).toBe('revoked');
    // A refused action writes nothing.
    const before = (await auditRows(t.tenantId)).length;
    expect((await adminCall(t, 'POST', `/v1/admin/api-keys/${rotKey.key.id}/revoke`)).status).toBe(409);
    expect(await auditRows(t.tenantId)).toHaveLength(before);

    // Exception skip and retry, and an approval decision: the actor is the key, never the typed name.
    const [ex1, ex2] = [`exc_${crypto.randomUUID()}`, `exc_${crypto.randomUUID()}`];
    await db()
      .insert(activationsTable)
      .values({
        id: `act_${crypto.randomUUID()}`,
        tenantId: t.tenantId,
        opportunityId: '006000000000009AAA',
        crmRecordId: '006000000000009AAA',
        status: 'active',
        workflowInstanceId: 'wf',
        correlationId: 'seed',
      });
    const exception = (id: string, source: string) => ({
      id,
      tenantId: t.tenantId,
      correlationId: 'seed',
      source,
      subjectType: 'opportunity',
      subjectId: '006000000000009AAA',
      code: 'TEST',
      reason: 'seeded',
      owner: 'finance-ops',
      suggestedFix: 'none',
    });
    await db()
      .insert(exceptionsTable)
      .values([exception(ex1, 'manual'), exception(ex2, 'activation')]);
    const skip = await adminCall(t, 'POST', `/v1/exceptions/${ex1}/skip`, {
      actor: 'ceo@lumenpartners.example',
      reason: 'Handled by hand in NetSuite',
    });
    expect(skip.status).toBe(200);
    const skipRow = await rowOf(t.tenantId, 'exception.skipped', skip);
    expect(skipRow.actor).toBe(`key:${adminKey.id}`);
    expect(skipRow.detail).toMatchObject({
      reason: 'Handled by hand in NetSuite',
      before: { status: 'open' },
      after: { status: 'skipped' },
      principal: adminPrincipal,
      note: { statedBy: 'ceo@lumenpartners.example', verified: false },
    });
    const retry = await adminCall(t, 'POST', `/v1/exceptions/${ex2}/retry`, {});
    expect(retry.status).toBe(200);
    const retryRow = await rowOf(t.tenantId, 'exception.retried', retry);
    expect(retryRow.actor).toBe(`key:${adminKey.id}`);
    expect(retryRow.detail.note).toBeUndefined();

    const approvalId = `apr_${crypto.randomUUID()}`;
    await db().insert(approvalsTable).values({
      id: approvalId,
      tenantId: t.tenantId,
      kind: 'milestone',
      contractKey: '006000000000009AAA',
      subjectKey: 'discovery',
      state: 'requested',
      correlationId: 'seed',
    });
    const decision = await adminCall(t, 'POST', `/v1/approvals/${approvalId}/decision`, {
      decision: 'reject',
      comment: 'Deliverables need another review',
      decidedBy: 'someone-important@lumenpartners.example',
    });
    expect(decision.status).toBe(200);
    expect(((await decision.json()) as Json).decidedBy).toBe(`key:${adminKey.id}`);
    const decisionRow = await rowOf(t.tenantId, 'milestone.rejected', decision);
    expect(decisionRow.actor).toBe(`key:${adminKey.id}`);
    expect(decisionRow.detail).toMatchObject({
      before: { state: 'requested' },
      after: { state: 'rejected', decidedBy: `key:${adminKey.id}` },
      principal: adminPrincipal,
      note: { statedBy: 'someone-important@lumenpartners.example', verified: false },
    });
    // No audit row of this tenant names a typed-in person as its actor.
    for (const r of await auditRows(t.tenantId))
      expect(r.actor).toMatch(/^(operator|key:key_[\w-]+|system)$/);

    // The operator's data-key rotation, audited platform-wide with key ids only.
    const rotateData = await asKey(
      testEnv.PLATFORM_ADMIN_TOKEN,
      'POST',
      '/v1/admin/platform/rotate-data-key',
      {},
    );
    expect(rotateData.status).toBe(200);
    const dataRow = await rowOf('*', 'data_key.rotated', rotateData);
    expect(dataRow).toMatchObject({ actor: 'operator', subjectType: 'data_key', subjectId: 'test-2' });
    expect(dataRow.detail.keyIds).toEqual({ current: 'test-2', previous: ['test-1'] });
    const rotateEmbed = await asKey(
      testEnv.PLATFORM_ADMIN_TOKEN,
      'POST',
      '/v1/admin/platform/rotate-embed-key',
    );
    // Recorded once per database (the libsql suite shares one with the rotation test).
    if (rotateEmbed.status === 200) {
      const embedRow = await rowOf('*', 'embed_key.rotated', rotateEmbed);
      expect(embedRow).toMatchObject({ actor: 'operator', subjectId: 'embed-2' });
      expect(embedRow.detail.after).toEqual({ currentKeyId: 'embed-2', previousKeyIds: ['embed-1'] });
    } else expect(rotateEmbed.status).toBe(409);

    // Not one secret value in any audit row of the whole table.
    const everything = JSON.stringify(await db().select().from(auditLogTable));
    for (const secret of secrets)
      expect(everything, 'a secret reached the audit table').not.toContain(secret);
    expect(everything).not.toContain('PRIVATE KEY');
    expect(everything).not.toMatch(/hk_(crm|psa|admin)_[A-Za-z0-9_-]{20,}/);
  });

  it('redacts secret-looking detail even when a caller puts it where a note goes', async () => {
    const t = await newTenant();
    const redactId = `exc_${crypto.randomUUID()}`;
    await db().insert(exceptionsTable).values({
      id: redactId,
      tenantId: t.tenantId,
      correlationId: 'seed',
      source: 'manual',
      subjectType: 'opportunity',
      subjectId: '006000000000009AAA',
      code: 'TEST',
      reason: 'seeded',
      owner: 'finance-ops',
      suggestedFix: 'none',
    });
    const res = await adminCall(t, 'POST', `/v1/exceptions/${redactId}/skip`, {
      actor: t.emulatorSecrets.kantataWebhookSecret,
      reason: 'Pasted by mistake into the wrong box',
    });
    expect(res.status).toBe(200);
    const row = await rowOf(t.tenantId, 'exception.skipped', res);
    expect(row.detail.note.statedBy).toBe('[redacted]');
    expect(JSON.stringify(row)).not.toContain(t.emulatorSecrets.kantataWebhookSecret);
  });
});
