/**
 * One Salesforce org belongs to one Handoff tenant, and a firm claims it only by proof (the CRM's own answer
 * for the org; Microsoft 365 organisations: identity.microsoft.test.ts). A second claim answers 409 with the field and the fix, never
 * 500: checked before writing, and the unique index's refusal mapped when two claims race past the check.
 */
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../worker/db/client';
import { tenantsTable } from '../../worker/db/schema';
import { uniqueViolation } from '../../worker/db/unique-violation';
import { claimCrmOrg } from '../../worker/domain/tenancy/claim-crm-org';
import type { Env } from '../../worker/env';
import { ApiError } from '../../worker/http/api-error';
import type { ConnectedTenant } from '../support/connect-tenant';
import { adminCall, type Json, newTenant, testEnv, workerFetch } from './harness';

const OPERATOR = { actor: 'operator', principal: { type: 'operator' as const } };

const randomOrgId = () =>
  `00D${Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'[b % 34]).join('')}`;

async function createTenant(body: unknown) {
  const res = await workerFetch('http://handoff/v1/admin/tenants', {
    method: 'POST',
    headers: { authorization: `Bearer ${testEnv.PLATFORM_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

describe('a Salesforce org is proven by the CRM itself, and claimed once', () => {
  const orgOf = async (tenantId: string) => {
    const [row] = await getDb(env as unknown as Env)
      .select({ org: tenantsTable.salesforceOrgId })
      .from(tenantsTable)
      .where(eq(tenantsTable.id, tenantId));
    return row?.org ?? null;
  };
  const emulatedOrg = async (t: ConnectedTenant) =>
    ((await (await fetch(`${t.control.salesforce}/state`)).json()) as { orgId: string }).orgId;
  const connectCrm = (t: ConnectedTenant, instanceUrl: string, clientSecret: string) =>
    adminCall(t, 'PUT', '/v1/admin/connections/crm', {
      system: 'salesforce',
      config: { instanceUrl, auth: { clientId: 'handoff-connected-app' } },
      secrets: { auth: { clientSecret } },
    });

  it('records the org Salesforce says the connection reaches, never one the firm states', async () => {
    const t = await newTenant();
    expect(await orgOf(t.tenantId)).toBe(await emulatedOrg(t));
    const stated = await createTenant({ name: 'Globex Consulting', salesforceOrgId: randomOrgId() });
    expect(stated.status).toBe(400);
    expect(stated.body.error.details[0].message).toMatch(/Send only the name.*proven by connecting the CRM/);
  });

  it('answers 409 when a second firm connects an org another firm has, and stores nothing', async () => {
    const [a, b] = await Promise.all([newTenant(), newTenant()]);
    const bOrg = await orgOf(b.tenantId);
    const res = await connectCrm(b, a.instances.salesforce.baseUrl, a.emulatorSecrets.salesforceClientSecret);
    expect(res.status).toBe(409);
    const body = (await res.json()) as Json;
    expect(body.error.code).toBe('CONFLICT');
    expect(body.error.details[0]).toMatchObject({ field: 'config.instanceUrl' });
    expect(body.error.details[0].fix).toMatch(/other Handoff tenant/);
    expect(await orgOf(b.tenantId)).toBe(bOrg);
    const conns = (await (await adminCall(b, 'GET', '/v1/admin/connections')).json()) as Json;
    const crm = conns.connections.find((c: Json) => c.role === 'crm');
    expect(crm.config.instanceUrl).toBe(b.instances.salesforce.baseUrl);
  });

  it('answers 422 with the CRM’s reason for credentials that reach no org, and stores nothing', async () => {
    const t = await newTenant();
    const res = await connectCrm(t, t.instances.salesforce.baseUrl, 'not-the-secret');
    expect(res.status).toBe(422);
    const body = (await res.json()) as Json;
    expect(body.error.message).toMatch(/could not verify the salesforce connection/i);
    expect(body.error.details[0].field).toBe('secrets.auth');
    expect(await orgOf(t.tenantId)).toBe(await emulatedOrg(t));
  });

  it('lets exactly one of simultaneous claims of one org in (the unique index refusal mapped to 409)', async () => {
    const db = getDb(env as unknown as Env);
    const firms = await Promise.all(Array.from({ length: 4 }, () => newTenant()));
    const org = randomOrgId();
    const outcomes = await Promise.allSettled(
      firms.map((f, i) =>
        claimCrmOrg(
          db,
          { tenantId: f.tenantId, orgId: org, orgName: 'Contested' },
          { who: OPERATOR, correlationId: `race-${i}` },
        ),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(o.reason).toBeInstanceOf(ApiError);
      expect(o.reason.code).toBe('CONFLICT');
    }
  });

  it('recognises the database refusal a race produces (the path the check cannot cover)', async () => {
    const db = getDb(env as unknown as Env);
    const org = randomOrgId();
    await db
      .insert(tenantsTable)
      .values({ id: `ten_${crypto.randomUUID()}`, name: 'A', salesforceOrgId: org });
    const err = await db
      .insert(tenantsTable)
      .values({ id: `ten_${crypto.randomUUID()}`, name: 'B', salesforceOrgId: org })
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(err).toBeDefined();
    expect(uniqueViolation(err)).toContain('tenants.salesforce_org_id');
    expect(uniqueViolation(new Error('no such table: tenants'))).toBeUndefined();
  });

  it('refuses a blank or whitespace-only name (400)', async () => {
    for (const name of ['', '   ', '\t\n']) {
      const r = await createTenant({ name });
      expect(r.status, JSON.stringify(name)).toBe(400);
      expect(r.body.error.details[0].field).toBe('name');
    }
  });

  it('stores the name trimmed', async () => {
    const r = await createTenant({ name: '  Initech  ' });
    expect(r.status).toBe(201);
    expect(r.body.name).toBe('Initech');
  });
});
