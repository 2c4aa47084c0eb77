import { describe, expect, it } from 'vitest';
import { activate, fastWorkflows, json, newTenant, waitForActivation, workerFetch } from './harness';

const NORTHWIND = '006000000000001AAA';

describe('every request is authenticated for its surface and scoped to its tenant', () => {
  it('refuses a missing or unknown key with 401', async () => {
    const none = await workerFetch('http://handoff/v1/activations?crmRecordId=006000000000001AAA');
    expect(none.status).toBe(401);
    expect((await json(none)).error.code).toBe('UNAUTHORIZED');
    const forged = await workerFetch('http://handoff/v1/activations?crmRecordId=006000000000001AAA', {
      headers: { authorization: 'Bearer hk_crm_forged' },
    });
    expect(forged.status).toBe(401);
  });

  it('keeps the CRM key out of admin endpoints and tenants out of each other', async () => {
    await using _wf = await fastWorkflows();
    const [a, b] = await Promise.all([newTenant(), newTenant()]);
    const adminWithCrmKey = await workerFetch('http://handoff/v1/admin/connections', {
      headers: { authorization: `Bearer ${a.keys.crm}` },
    });
    expect(adminWithCrmKey.status).toBe(403);
    const tenantWithoutPlatform = await workerFetch('http://handoff/v1/admin/tenants', {
      method: 'POST',
      headers: { authorization: `Bearer ${a.keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(tenantWithoutPlatform.status).toBe(403);

    const started = await json(await activate(a, NORTHWIND));
    await waitForActivation(a, NORTHWIND);
    const peek = await workerFetch(`http://handoff/v1/activations/${started.id}`, {
      headers: { authorization: `Bearer ${b.keys.crm}` },
    });
    expect(peek.status).toBe(404);
  });

  it('never returns connection secrets, and refuses non-https tenant URLs', async () => {
    const t = await newTenant();
    const list = await (
      await workerFetch('http://handoff/v1/admin/connections', {
        headers: { authorization: `Bearer ${t.keys.admin}` },
      })
    ).text();
    expect(list).not.toMatch(/PRIVATE KEY|clientSecret|accessToken/);
    const res = await workerFetch('http://handoff/v1/admin/connections/psa', {
      method: 'PUT',
      headers: { authorization: `Bearer ${t.keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        system: 'kantata',
        config: { baseUrl: 'http://10.0.0.5/api/v1' },
        secrets: { accessToken: 'x' },
      }),
    });
    expect(res.status).toBe(422);
    expect((await json(res)).error.details.map((d: { field: string }) => d.field)).toContain('baseUrl');
  });

  it('publishes the OpenAPI document and a readable reference', async () => {
    const doc = await json(await workerFetch('http://handoff/openapi.json'));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/activations', '/v1/activations/{id}', '/v1/admin/connections/{role}']),
    );
    const html = await (await workerFetch('http://handoff/docs')).text();
    expect(html).toContain('POST');
    expect(html).toContain('/v1/activations');
  });
});
