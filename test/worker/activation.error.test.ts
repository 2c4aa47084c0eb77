import { describe, expect, it } from 'vitest';
import { activate, effects, fastWorkflows, json, newTenant, waitForActivation, workerFetch } from './harness';

const INITECH = '006000000000004AAA';
const NORTHWIND = '006000000000001AAA';
const NOT_SIGNED = '006000000000005AAA';

describe('activation: bad input is refused before anything is written', () => {
  it('an incomplete, inconsistent contract needs fixes, lists every field with where to fix it, and writes nothing to PSA or ERP', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    await activate(t, INITECH);
    const view = await waitForActivation(t, INITECH);
    expect(view.status).toBe('needs_fixes');
    const fields = view.problems.map((p) => p.field);
    expect(fields).toEqual(
      expect.arrayContaining(['customer.taxRegistration.number', 'customer.billingAddress.postalCode']),
    );
    for (const p of view.problems) {
      expect(p.fix.length).toBeGreaterThan(10);
    }
    const tax = view.problems.find((p) => p.field === 'customer.taxRegistration.number');
    expect(tax?.source?.field).toMatch(/Account\.Handoff_Tax_Number__c/);
    expect(tax?.source?.recordId).toMatch(/^001/);

    expect(Object.keys(await effects(t, 'netsuite')).filter((k) => !k.startsWith('oauth'))).toEqual([]);
    expect(await effects(t, 'kantata')).toEqual({});
    // The CRM card's record says what to fix.
    const sf = await (
      await fetch(`${t.instances.salesforce.baseUrl}/lightning/r/Opportunity/${INITECH}/view`)
    ).text();
    expect(sf).toContain('Needs fixes');
  });

  it('a deal that is not signed is refused with the reason', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    await activate(t, NOT_SIGNED);
    const view = await waitForActivation(t, NOT_SIGNED);
    expect(view.status).toBe('needs_fixes');
    expect(view.problems.map((p) => p.field)).toContain('status');
  });

  it('validates the request at the edge with field-level reasons in one envelope', async () => {
    const t = await newTenant();
    const bad = await workerFetch('http://handoff/v1/activations', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${t.keys.crm}`,
        'content-type': 'application/json',
        'idempotency-key': crypto.randomUUID(),
      },
      body: JSON.stringify({ crmRecordId: 'not-an-id' }),
    });
    expect(bad.status).toBe(400);
    const body = await json(bad);
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.requestId).toMatch(/[0-9a-f-]{36}/);
    expect(body.error.details[0].field).toBe('crmRecordId');
  });
});

describe('idempotency keys (SPECS: 400 / 422 / 409 / replay)', () => {
  it('requires a key, refuses its reuse with another body, and replays the first answer', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    const noKey = await workerFetch('http://handoff/v1/activations', {
      method: 'POST',
      headers: { authorization: `Bearer ${t.keys.crm}`, 'content-type': 'application/json' },
      body: JSON.stringify({ crmRecordId: NORTHWIND }),
    });
    expect(noKey.status).toBe(400);
    expect((await json(noKey)).error.code).toBe('IDEMPOTENCY_KEY_REQUIRED');

    const key = crypto.randomUUID();
    const first = await activate(t, NORTHWIND, key);
    const firstBody = await first.text();
    const replay = await activate(t, NORTHWIND, key);
    expect(replay.status).toBe(first.status);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.text()).toBe(firstBody);

    const reused = await activate(t, INITECH, key);
    expect(reused.status).toBe(422);
    expect((await json(reused)).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    await waitForActivation(t, NORTHWIND);
  });

  it("never replays one tenant's answer to another tenant using the same key", async () => {
    await using _wf = await fastWorkflows();
    const [a, b] = await Promise.all([newTenant(), newTenant()]);
    const key = crypto.randomUUID();
    const ra = await json(await activate(a, NORTHWIND, key));
    const rb = await activate(b, NORTHWIND, key);
    expect(rb.headers.get('idempotent-replayed')).toBeNull();
    expect((await json(rb)).id).not.toBe(ra.id);
    await Promise.all([waitForActivation(a, NORTHWIND), waitForActivation(b, NORTHWIND)]);
  });
});
