import { SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConnectedTenant } from '../support/connect-tenant';
import { adminCall, type Json, json, newTenant } from './harness';
import { ago, seedExceptions } from './workbench-fixture';

let a: ConnectedTenant;
let b: ConnectedTenant;
const N = 260;
let aIds: string[] = [];

const get = async (t: ConnectedTenant, path: string, key: 'admin' | 'crm' | 'psa' = 'admin') =>
  SELF.fetch(`http://handoff${path}`, { headers: { authorization: `Bearer ${t.keys[key]}` } });

/** Every page of a listing, following nextCursor; `between` runs after each page (new exceptions arriving). */
async function allPages(t: ConnectedTenant, query: string, between?: (page: number) => Promise<void>) {
  const ids: string[] = [];
  const totals: number[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const res = await get(t, `/v1/exceptions?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await json(res);
    ids.push(...body.exceptions.map((e: Json) => e.id));
    totals.push(body.total);
    cursor = body.nextCursor;
    if (!cursor) return { ids, totals, body };
    await between?.(page);
  }
  throw new Error('more than 100 pages');
}

beforeAll(async () => {
  [a, b] = await Promise.all([newTenant(), newTenant()]);
  // Firm A: a backlog of N over the last days, finance and delivery, two systems; some resolved. Many share a
  // creation time (the order must still be total: created_at, then id).
  const rows = Array.from({ length: N }, (_, i) => ({
    id: `exc_wbA${String(i).padStart(4, '0')}`,
    createdAt: ago(60 * 72 - Math.floor(i / 3) * 30 - 15),
    owner: i % 4 === 0 ? 'delivery-ops' : 'finance-ops',
    code: i % 4 === 0 ? 'rate-mismatch' : 'POSTING_RETRIES_EXHAUSTED',
    system: i % 4 === 0 ? 'kantata' : 'netsuite',
    source: i % 4 === 0 ? 'delivery' : 'posting',
    status: i % 10 === 9 ? ('resolved' as const) : ('open' as const),
    projectKey: i % 2 ? '006000000000002AAA' : '006000000000001AAA',
    title: i === 7 ? 'Ben Okafor, 7.5 h on 2026-11-18 as Senior Consultant' : undefined,
  }));
  aIds = rows.map((r) => r.id);
  await seedExceptions(a.tenantId, rows);
  // Firm B: the same kinds of rows, at the same times, that A must never see.
  await seedExceptions(
    b.tenantId,
    rows.slice(0, 50).map((r) => ({ ...r, id: r.id.replace('wbA', 'wbB') })),
  );
}, 60_000);

describe('the exceptions workbench list', () => {
  it("pages newest first with a cursor: every row A's own, no duplicates or gaps while new exceptions arrive", async () => {
    let arrived = 0;
    const { ids, totals } = await allPages(a, 'limit=37', async (page) => {
      // New exceptions arrive between pages (now, so newer than every page already read).
      await seedExceptions(a.tenantId, [
        {
          id: `exc_wbNew${page}`,
          createdAt: ago(0, page),
          status: 'skipped',
          owner: 'sales-ops',
          code: 'ARRIVED',
          system: 'salesforce',
          projectKey: 'arrivals',
        },
      ]);
      arrived += 1;
    });
    expect(new Set(ids).size, 'a row came twice').toBe(ids.length);
    expect([...ids].sort()).toEqual([...aIds].sort());
    expect(ids.some((id) => id.includes('wbB'))).toBe(false);
    // The order is the list's: created_at then id, descending, the same on every page.
    expect(ids).toEqual([...aIds].reverse());
    expect(totals[0]).toBe(N);
    expect(totals.at(-1)).toBe(N + arrived);
  });

  it('filters: status, owner, code, system, project, age, text; each combines with AND and total counts them', async () => {
    const q = async (query: string) => json(await get(a, `/v1/exceptions?limit=200&${query}`));
    const open = await q('status=open');
    expect(open.total).toBe(N - N / 10);
    expect(open.exceptions.every((e: Json) => e.status === 'open')).toBe(true);
    const delivery = await q('owner=delivery-ops&system=kantata');
    expect(delivery.total).toBe(N / 4);
    expect(delivery.exceptions.every((e: Json) => e.code === 'rate-mismatch')).toBe(true);
    const both = await q('code=rate-mismatch,POSTING_RETRIES_EXHAUSTED&status=open,resolved,skipped');
    expect(both.total).toBe(N);
    const project = await q('projectKey=006000000000002AAA&owner=finance-ops');
    expect(project.exceptions.every((e: Json) => e.projectKey === '006000000000002AAA')).toBe(true);
    expect(project.total).toBe(N / 2);
    // Created between 71.75 h and 28.75 h ago, three every 30 minutes: 48 threes are older than 48 h.
    const old = await q('olderThanHours=48');
    expect(old.total).toBe(48 * 3);
    const text = await q('q=Ben%20Okafor');
    expect(text.exceptions.map((e: Json) => e.id)).toEqual(['exc_wbA0007']);
    expect(text.exceptions[0].title).toBe('Ben Okafor, 7.5 h on 2026-11-18 as Senior Consultant');
    expect((await q('q=exc_wbA0100')).exceptions.map((e: Json) => e.id)).toEqual(['exc_wbA0100']);
    // B's ids are no text to A.
    expect((await q('q=exc_wbB0001')).total).toBe(0);
  });

  it('answers each bad filter with 400, the field and its fix', async () => {
    const cases: [string, string][] = [
      ['status=bogus', 'status'],
      ['olderThanHours=-3', 'olderThanHours'],
      ['overdue=maybe', 'overdue'],
      ['cursor=not-a-cursor', 'cursor'],
      ['tag=%20spaced%20', 'tag'],
      ['owner=a;drop', 'owner'],
      ['limit=500', 'limit'],
    ];
    for (const [query, field] of cases) {
      const res = await get(a, `/v1/exceptions?${query}`);
      expect(res.status, query).toBe(400);
      const { error } = await json(res);
      const detail = error.details.find((d: Json) => d.field === field);
      expect(detail, `${query}: ${JSON.stringify(error)}`).toBeDefined();
      expect(detail.fix, query).toBeTruthy();
    }
  });

  it('facets count what the filters match, by owner, code, system and status', async () => {
    const f = await json(await get(a, '/v1/exceptions/facets?projectKey=006000000000001AAA'));
    expect(f.byOwner).toEqual({ 'delivery-ops': N / 4, 'finance-ops': N / 4 });
    expect(f.bySystem).toEqual({ kantata: N / 4, netsuite: N / 4 });
    expect(f.byCode).toEqual({ 'rate-mismatch': N / 4, POSTING_RETRIES_EXHAUSTED: N / 4 });
    expect(f.byStatus.open + (f.byStatus.resolved ?? 0)).toBe(N / 2);
    const ofB = await json(await get(b, '/v1/exceptions/facets'));
    expect(Object.values(ofB.byStatus).reduce((s: number, n) => s + (n as number), 0)).toBe(50);
  });

  it('SLA: due times per owner from the firm policy (default finance 24 h, delivery 48 h), overdue follows a change', async () => {
    const policy = await json(await get(a, '/v1/console/sla'));
    expect(policy).toEqual({
      owners: { 'finance-ops': 24, 'delivery-ops': 48, 'sales-ops': 48, 'integration-admin': 24 },
      defaultHours: 48,
    });
    const [row] = (await json(await get(a, '/v1/exceptions?q=exc_wbA0000'))).exceptions;
    expect(row.owner).toBe('delivery-ops');
    expect(Date.parse(row.slaDueAt) - Date.parse(row.createdAt)).toBe(48 * 3_600_000);
    expect(row.overdue).toBe(true);
    // Every open row is older than 28 h: finance (24 h) ones are all overdue, delivery (48 h) only the old.
    const ours = 'code=rate-mismatch,POSTING_RETRIES_EXHAUSTED';
    const overdue = await json(await get(a, `/v1/exceptions?${ours}&overdue=true&limit=1`));
    const notOverdue = await json(await get(a, `/v1/exceptions?${ours}&overdue=false&limit=200`));
    // Open finance rows (24 h, all older) and open delivery rows older than 48 h are overdue.
    const openFinance = (N * 3) / 4 - aIds.filter((_id, i) => i % 4 !== 0 && i % 10 === 9).length;
    const oldDelivery = aIds.filter((_, i) => i % 4 === 0 && i % 10 !== 9 && Math.floor(i / 3) < 48).length;
    expect(overdue.total).toBe(openFinance + oldDelivery);
    expect(overdue.total + notOverdue.total).toBe(N);
    expect(notOverdue.exceptions.every((e: Json) => !e.overdue)).toBe(true);
    // Give delivery 100 hours: none of theirs is overdue any more.
    const put = await adminCall(a, 'PUT', '/v1/console/sla', {
      owners: { 'delivery-ops': 100, 'finance-ops': 24 },
    });
    expect(put.status, await put.clone().text()).toBe(200);
    const after = await json(await get(a, '/v1/exceptions?overdue=true&owner=delivery-ops'));
    expect(after.total).toBe(0);
    expect((await json(await get(b, '/v1/console/sla'))).owners['delivery-ops']).toBe(48);
    const bad = await adminCall(a, 'PUT', '/v1/console/sla', { owners: { 'finance-ops': 0 } });
    expect(bad.status).toBe(400);
  });
});

describe('assign and tags', () => {
  it('assigns and tags, audited with the principal; the detail shows them in its history; filters find them', async () => {
    const id = 'exc_wbA0011';
    const assigned = await adminCall(a, 'POST', `/v1/exceptions/${id}/assign`, {
      assignee: 'emma.lindqvist@lumenpartners.example',
    });
    expect(assigned.status, await assigned.clone().text()).toBe(200);
    expect(await json(assigned)).toEqual({
      id,
      assignee: 'emma.lindqvist@lumenpartners.example',
      changed: true,
    });
    const tagged = await adminCall(a, 'POST', `/v1/exceptions/${id}/tags`, { add: ['month-end', 'triage'] });
    expect((await json(tagged)).tags).toEqual(['month-end', 'triage']);
    const untagged = await adminCall(a, 'POST', `/v1/exceptions/${id}/tags`, { remove: ['triage'] });
    expect((await json(untagged)).tags).toEqual(['month-end']);

    const byAssignee = await json(
      await get(a, '/v1/exceptions?assignee=emma.lindqvist@lumenpartners.example'),
    );
    expect(byAssignee.exceptions.map((e: Json) => e.id)).toEqual([id]);
    expect(byAssignee.exceptions[0].tags).toEqual(['month-end']);
    expect((await json(await get(a, '/v1/exceptions?tag=month-end'))).total).toBe(1);
    expect((await json(await get(a, '/v1/exceptions?tag=triage'))).total).toBe(0);
    expect((await json(await get(b, '/v1/exceptions?tag=month-end'))).total).toBe(0);

    const detail = await json(await get(a, `/v1/exceptions/${id}`));
    expect(detail.exception.assignee).toBe('emma.lindqvist@lumenpartners.example');
    expect(detail.rule).toMatchObject({
      code: 'POSTING_RETRIES_EXHAUSTED',
      fix: 'Check the ERP, then retry.',
    });
    const history = detail.history.map((h: Json) => [h.action, h.actor]);
    expect(history.map((h: string[]) => h[0])).toEqual([
      'exception.assigned',
      'exception.tagged',
      'exception.tagged',
    ]);
    for (const h of detail.history) {
      expect(h.actor).toMatch(/^key:/);
      expect(h.detail.principal).toMatchObject({ type: 'api-key', scope: 'admin' });
    }
    expect(detail.history[0].detail.before).toEqual({ assignee: null });
    expect(detail.history[2].detail.removed).toEqual(['triage']);
    // Unassign; the other firm cannot read or act on it.
    const none = await adminCall(a, 'POST', `/v1/exceptions/${id}/assign`, { assignee: null });
    expect((await json(none)).changed).toBe(true);
    expect((await get(b, `/v1/exceptions/${id}`)).status).toBe(404);
    expect((await adminCall(b, 'POST', `/v1/exceptions/${id}/assign`, { assignee: 'x' })).status).toBe(404);
  });

  it('refuses bad tags and assignees with the field and fix', async () => {
    const res = await adminCall(a, 'POST', '/v1/exceptions/exc_wbA0012/tags', { add: ['no spaces please'] });
    expect(res.status).toBe(400);
    expect((await json(res)).error.details[0].field).toBe('add.0');
    const both = await adminCall(a, 'POST', '/v1/exceptions/exc_wbA0012/tags', { add: ['x'], remove: ['x'] });
    expect(both.status).toBe(400);
    const who = await adminCall(a, 'POST', '/v1/exceptions/exc_wbA0012/assign', { assignee: '<script>' });
    expect(who.status).toBe(400);
  });
});

describe('who may use the workbench (API keys today; console roles once sessions exist)', () => {
  it('the CRM key still lists; it cannot act or start a job; the PSA key cannot list; no key is 401', async () => {
    expect((await get(a, '/v1/exceptions?limit=1', 'crm')).status).toBe(200);
    expect((await get(a, '/v1/exceptions?limit=1', 'psa')).status).toBe(403);
    const crm = (method: string, path: string, body: unknown) =>
      SELF.fetch(`http://handoff${path}`, {
        method,
        headers: { authorization: `Bearer ${a.keys.crm}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const job = await crm('POST', '/v1/exception-jobs', {
      action: 'skip',
      reason: 'not ours',
      selection: { ids: [aIds[0]] },
    });
    expect(job.status).toBe(403);
    expect((await crm('POST', `/v1/exceptions/${aIds[0]}/assign`, { assignee: 'me' })).status).toBe(403);
    expect((await crm('POST', `/v1/exceptions/${aIds[0]}/skip`, { reason: 'not ours at all' })).status).toBe(
      403,
    );
    expect((await SELF.fetch('http://handoff/v1/exceptions/facets')).status).toBe(401);
    expect((await SELF.fetch('http://handoff/v1/exception-jobs')).status).toBe(401);
  });
});
