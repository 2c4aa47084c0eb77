/**
 * One Salesforce org belongs to one Handoff tenant (Microsoft 365 organisations: identity.microsoft.test.ts). A second claim answers 409
 * with the field and the fix, never 500: checked before writing, and the unique index's refusal mapped when
 * two claims race past the check. Names must say something.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../worker/db/client';
import { tenantsTable } from '../../worker/db/schema';
import { uniqueViolation } from '../../worker/db/unique-violation';
import { createTenant as createTenantVerb } from '../../worker/domain/tenancy/create-tenant';
import type { Env } from '../../worker/env';
import { ApiError } from '../../worker/http/api-error';
import { adminCall, type Json, newTenant, PEOPLE, testEnv, workerFetch } from './harness';

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

const policy = { milestoneApprover: PEOPLE.ava };

describe('a Salesforce org is claimed once', () => {
  it('answers 409 with the field and the fix for an org id another tenant has', async () => {
    const org = randomOrgId();
    expect((await createTenant({ name: 'Globex Consulting', salesforceOrgId: org })).status).toBe(201);
    const again = await createTenant({ name: 'Globex Consulting (2)', salesforceOrgId: org });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
    expect(again.body.error.details[0]).toMatchObject({ field: 'salesforceOrgId' });
    expect(again.body.error.details[0].fix).toMatch(/Company Information/);
  });

  it('lets exactly one of many simultaneous claims in; the others get 409, none 500', async () => {
    const org = randomOrgId();
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => createTenant({ name: `Racer ${i}`, salesforceOrgId: org })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
  });

  it('maps the unique index refusal when two claims pass the check at once (in one isolate)', async () => {
    const db = getDb(env as unknown as Env);
    const org = randomOrgId();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) =>
        createTenantVerb(
          db,
          { name: `Racer ${i}`, salesforceOrgId: org },
          { who: OPERATOR, correlationId: `race-${i}` },
        ),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(o.reason).toBeInstanceOf(ApiError);
      expect(o.reason.code).toBe('CONFLICT');
      expect(o.reason.details[0].field).toBe('salesforceOrgId');
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

  it('refuses a blank or whitespace-only name, and a malformed org id (400)', async () => {
    for (const name of ['', '   ', '\t\n']) {
      const r = await createTenant({ name });
      expect(r.status, JSON.stringify(name)).toBe(400);
      expect(r.body.error.details[0].field).toBe('name');
    }
    const bad = await createTenant({ name: 'Initech', salesforceOrgId: '001000000000001AAA' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('salesforceOrgId');
  });

  it('stores the name trimmed', async () => {
    const r = await createTenant({ name: '  Initech  ' });
    expect(r.status).toBe(201);
    expect(r.body.name).toBe('Initech');
  });
});

describe('the approvals policy', () => {
  it('refuses a Teams tenant id (it must be proven), blank names and negative thresholds (400)', async () => {
    const t = await newTenant();
    const cases: [Record<string, unknown>, string][] = [
      [{ teamsTenantId: 'contoso', policy }, 'teamsTenantId'],
      [{ policy: { milestoneApprover: { ...PEOPLE.ava, name: '  ' } } }, 'policy.milestoneApprover.name'],
      [{ policy: { approveAboveMinor: -1 } }, 'policy.approveAboveMinor'],
      [{ policy: { approveAboveMinor: 10.5 } }, 'policy.approveAboveMinor'],
      [{ policy: { people: [{ ...PEOPLE.ava, aadObjectId: 'ava' }] } }, 'policy.people.0.aadObjectId'],
    ];
    for (const [body, field] of cases) {
      const res = await adminCall(t, 'PUT', '/v1/admin/approvals-policy', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const fields = ((await res.json()) as Json).error.details.map((d: { field: string }) => d.field);
      expect(fields, JSON.stringify(body)).toContain(field);
    }
  });
});
