import { describe, expect, it } from 'vitest';
import type { CoreSystem } from '../support/connect-tenant';
import { activate, fastWorkflows, newTenant, waitForActivation } from './harness';

const NORTHWIND = '006000000000001AAA';

async function callLog(control: string): Promise<string[]> {
  return ((await (await fetch(`${control}/requests`)).json()) as { log: string[] }).log;
}

/** The calls one activation makes, per vendor, with the ids and keys taken out. */
async function calls(t: Awaited<ReturnType<typeof newTenant>>, vendor: CoreSystem) {
  return (await callLog(t.control[vendor])).map((c) =>
    c
      .replace(/\/eid:[^/]+$/, '/eid:…')
      .replace(/\/\d+$/, '/:id')
      .replace(/\/[0-9A-Za-z]{18}$/, '/:id'),
  );
}

describe('API calls of one activation (every call counts against the customer’s limits)', () => {
  it('reads the deal once, writes each record once, and shares tokens and reference data between steps', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    // Connecting the CRM asked Salesforce which org the credentials reach; the activation's calls follow.
    const atConnect = (await calls(t, 'salesforce')).length;
    await activate(t, NORTHWIND);
    expect((await waitForActivation(t, NORTHWIND)).status).toBe('active');

    // Salesforce: at most one token for the whole activation (none if the connection's is still fresh),
    // one Composite read, one write-back.
    const sf = (await calls(t, 'salesforce')).slice(atConnect);
    expect(sf.filter((c) => c === 'POST /services/oauth2/token').length).toBeLessThanOrEqual(1);
    expect(sf.filter((c) => c !== 'POST /services/oauth2/token')).toEqual([
      'POST /services/data/v62.0/composite',
      'PATCH /services/data/v62.0/sobjects/Opportunity/:id',
    ]);

    // NetSuite: one token, the currency and subsidiary ids once, one PUT per record (no lookup first),
    // and the billing schedule attached to the project.
    const ns = await calls(t, 'netsuite');
    expect(ns.filter((c) => c.includes('/oauth2/'))).toHaveLength(1);
    expect(ns.filter((c) => c.includes('/suiteql'))).toHaveLength(2);
    expect(ns.filter((c) => c.startsWith('GET '))).toEqual([]);
    expect(ns.filter((c) => c.startsWith('PUT ')).sort()).toEqual([
      'PUT /services/rest/record/v1/billingSchedule/eid:…',
      'PUT /services/rest/record/v1/customer/eid:…',
      'PUT /services/rest/record/v1/job/eid:…',
    ]);
    expect(ns).toHaveLength(7);

    // Kantata: the WBS and milestones in one bulk create per level (not one call per story), and the
    // links to the other systems written side by side.
    const kt = await calls(t, 'kantata');
    expect(kt.filter((c) => c === 'POST /api/v1/workspaces')).toHaveLength(1);
    expect(kt.filter((c) => c === 'POST /api/v1/stories')).toHaveLength(2);
    expect(kt.filter((c) => c.endsWith('/external_references/create_or_update'))).toHaveLength(4);
    expect(kt.length).toBeLessThanOrEqual(17);
  });
});
