import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../../shared/model/money';
import { type ProjectSpec, ProjectSpecSchema } from '../../../shared/model/project';
import { ConnectorError } from '../../../worker/connectors/errors';
import { createKantataConnector } from '../../../worker/connectors/kantata';
import { EMULATOR_OUTBOUND } from '../../support/outbound';
import type { FaultRule } from '../kit/emulator';
import { createKantataEmulator } from './emulator';
import type { KantataState } from './state';

const TOKEN = 'tok-northwind-1';
const emulator = createKantataEmulator();
let server: Awaited<ReturnType<typeof emulator.listen>>;

beforeAll(async () => {
  server = await emulator.listen(0);
});
afterAll(async () => {
  await server.close();
});

let instanceCount = 0;
async function newInstance() {
  instanceCount += 1;
  const id = `acme${instanceCount}`;
  const res = await fetch(`${server.url}/__emulator/instances`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, seed: 'demo', config: { options: { accessTokens: [TOKEN] } } }),
  });
  const { baseUrl } = (await res.json()) as { baseUrl: string };
  const connector = (opts: { token?: string; timeoutMs?: number } = {}) =>
    createKantataConnector(
      {
        baseUrl: `${baseUrl}/api/v1`,
        accessToken: opts.token ?? TOKEN,
        uiBaseUrl: `${baseUrl}/ui`,
        timeoutMs: opts.timeoutMs ?? 3000,
      },
      { outbound: EMULATOR_OUTBOUND },
    );
  const control = `${server.url}/__emulator/instances/${id}`;
  return {
    baseUrl,
    connector,
    effects: async () =>
      ((await (await fetch(`${control}/effects`)).json()) as { effects: Record<string, number> }).effects,
    state: async () => (await (await fetch(`${control}/state`)).json()) as KantataState,
    faults: async (rules: FaultRule[]) => {
      await fetch(`${control}/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rules }),
      });
    },
  };
}

const spec: ProjectSpec = ProjectSpecSchema.parse({
  name: 'Acme Corp – Data Platform Modernisation',
  template: 'fixed-fee-delivery',
  startDate: '2026-03-02',
  endDate: '2026-09-30',
  budget: money(48_000_050, 'USD'),
  description: 'SOW-2026-014 signed 2026-02-20.',
  wbs: [
    {
      key: 'wbs-1',
      name: 'Discovery',
      children: [
        { key: 'wbs-1.1', name: 'Stakeholder interviews' },
        { key: 'wbs-1.2', name: 'Current-state assessment' },
      ],
    },
    {
      key: 'wbs-2',
      name: 'Build',
      children: [
        { key: 'wbs-2.1', name: 'Data pipelines', children: [{ key: 'wbs-2.1.1', name: 'Ingestion' }] },
      ],
    },
  ],
  milestones: [
    {
      key: 'a0M001',
      name: 'Discovery sign-off',
      amount: money(12_000_050, 'USD'),
      dueDate: '2026-04-15',
      clause: 'SOW §4.1',
      deliverables: ['Assessment report'],
    },
    { key: 'a0M002', name: 'Go-live', amount: money(36_000_000, 'USD'), dueDate: '2026-09-30' },
  ],
  rateCard: {
    name: 'Acme 2026 rates',
    currency: 'USD',
    rates: [
      { role: 'Senior Consultant', rate: money(25_000, 'USD'), unit: 'hour', effectiveFrom: '2026-01-01' },
      { role: 'Analyst', rate: money(14_050, 'USD'), unit: 'hour', effectiveFrom: '2026-01-01' },
    ],
  },
  team: [
    { role: 'Engagement Lead' },
    { role: 'Senior Consultant' },
    { role: 'senior consultant' },
    { role: 'Analyst' },
  ],
});
const STORY_COUNT = 6 + 2; // WBS nodes + milestones

async function rejection(p: Promise<unknown>): Promise<ConnectorError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ConnectorError);
  return e as ConnectorError;
}

describe('Kantata connector against the Kantata emulator', () => {
  it('creates one workspace for one key, however often it is asked', async () => {
    const k = await newInstance();
    const psa = k.connector();
    const first = await psa.createProject(spec, 'act-1:create-psa-project');
    const again = await psa.createProject(spec, 'act-1:create-psa-project');
    expect(first.created).toBe(true);
    expect(again).toEqual({ ...first, created: false });
    expect(first.url).toBe(`${k.baseUrl}/ui/workspaces/${first.id}`);
    expect((await k.effects())['workspace.create']).toBe(1);
    const ws = (await k.state()).workspaces[first.id]!;
    // The budget keeps its cents; the template was applied.
    expect(ws).toMatchObject({
      title: spec.name,
      price_in_cents: 48_000_050,
      currency: 'USD',
      start_date: '2026-03-02',
      due_date: '2026-09-30',
    });
    expect(ws.project_tracker_template_id).not.toBeNull();
    // Another key is another project.
    const other = await psa.createProject(spec, 'act-2:create-psa-project');
    expect(other.id).not.toBe(first.id);
  });

  it('does not create a second workspace when the create response is lost after commit', async () => {
    const k = await newInstance();
    const psa = k.connector();
    await k.faults([{ kind: 'drop_after_commit', method: 'POST', path: '^/api/v1/workspaces$', times: 1 }]);
    const lost = await rejection(psa.createProject(spec, 'act-3:create-psa-project'));
    expect(lost.retryable).toBe(true);
    const retried = await psa.createProject(spec, 'act-3:create-psa-project');
    expect(retried.created).toBe(false);
    expect((await k.effects())['workspace.create']).toBe(1);
    expect(Object.keys((await k.state()).workspaces)).toEqual([retried.id]);
  });

  it('re-adopts a workspace whose Handoff reference was removed, by the marker in its description', async () => {
    const k = await newInstance();
    const psa = k.connector();
    const first = await psa.createProject(spec, 'act-4:create-psa-project');
    const ref = Object.values((await k.state()).externalReferences).find((r) => r.subject_id === first.id)!;
    await fetch(`${k.baseUrl}/api/v1/external_references/${ref.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const again = await psa.createProject(spec, 'act-4:create-psa-project');
    expect(again).toMatchObject({ id: first.id, created: false });
    expect((await k.effects())['workspace.create']).toBe(1);
    expect(
      Object.values((await k.state()).externalReferences).some(
        (r) => r.subject_id === first.id && r.service_name === 'Handoff',
      ),
    ).toBe(true);
  });

  it('creates the WBS and milestones once, nested and dated, even across a lost response', async () => {
    const k = await newInstance();
    const psa = k.connector();
    const { id } = await psa.createProject(spec, 'act-5:create-psa-project');
    await k.faults([{ kind: 'drop_after_commit', method: 'POST', path: '^/api/v1/stories$', times: 1 }]);
    expect((await rejection(psa.ensureWbsAndMilestones(id, spec, 'act-5:wbs'))).retryable).toBe(true);
    const ids = await psa.ensureWbsAndMilestones(id, spec, 'act-5:wbs');
    const again = await psa.ensureWbsAndMilestones(id, spec, 'act-5:wbs');
    expect(again).toEqual(ids);
    expect((await k.effects())['story.create']).toBe(STORY_COUNT);
    const stories = (await k.state()).stories;
    expect(stories[ids['wbs-1']!]).toMatchObject({
      story_type: 'deliverable',
      parent_id: null,
      workspace_id: id,
    });
    expect(stories[ids['wbs-2.1.1']!]).toMatchObject({
      story_type: 'task',
      parent_id: ids['wbs-2.1'],
      ancestry_depth: 2,
    });
    expect(stories[ids.a0M001!]).toMatchObject({
      story_type: 'milestone',
      due_date: '2026-04-15',
      budget_estimate_in_cents: 12_000_050,
    });
  });

  it('attaches the rate card with its role rates once', async () => {
    const k = await newInstance();
    const psa = k.connector();
    const { id } = await psa.createProject(spec, 'act-6:create-psa-project');
    const card = await psa.ensureRateCard(id, spec.rateCard!, 'act-6:rate-card');
    const again = await psa.ensureRateCard(id, spec.rateCard!, 'act-6:rate-card');
    expect(card.created).toBe(true);
    expect(again).toEqual({ ...card, created: false });
    const effects = await k.effects();
    expect(effects).toMatchObject({
      'rate_card.create': 1,
      'rate_card_role.create': 2,
      'rate_card_set.create': 1,
      'rate_card_set_version.publish': 1,
    });
    const s = await k.state();
    expect(s.workspaces[id]!.rate_card_id).toBe(card.id);
    const rates = Object.values(s.rateCardRoles).map((r) => [s.roles[r.role_id]!.name, r.rate]);
    expect(rates.sort()).toEqual([
      ['Analyst', 14_050],
      ['Senior Consultant', 25_000],
    ]);
  });

  it('adds one unnamed resource per missing role and nothing on a re-run', async () => {
    const k = await newInstance();
    const psa = k.connector();
    const { id } = await psa.createProject(spec, 'act-7:create-psa-project');
    await psa.ensureTeam(id, spec.team, 'act-7:team');
    await psa.ensureTeam(id, spec.team, 'act-7:team');
    expect((await k.effects())['workspace_resource.create']).toBe(3);
    const s = await k.state();
    const team = Object.values(s.workspaceResources).map((r) => [s.roles[r.role_id!]!.name, r.user_id]);
    expect(team.sort()).toEqual([
      ['Analyst', null],
      ['Engagement Lead', null],
      ['Senior Consultant', null],
    ]);
    const missing = await rejection(psa.ensureTeam(id, [{ role: 'Data Wrangler' }], 'act-7:team'));
    expect(missing).toMatchObject({ retryable: false, code: 'ROLE_NOT_FOUND' });
    expect(missing.fix).toContain('Data Wrangler');
  });

  it('links ERP ids as external references, idempotently, and the UI page shows the whole project', async () => {
    const k = await newInstance();
    const psa = k.connector();
    const { id, url } = await psa.createProject(spec, 'act-8:create-psa-project');
    await psa.ensureWbsAndMilestones(id, spec, 'act-8:wbs');
    await psa.ensureRateCard(id, spec.rateCard!, 'act-8:rate-card');
    await psa.ensureTeam(id, spec.team, 'act-8:team');
    const links = [
      {
        system: 'netsuite',
        kind: 'customer',
        externalId: '4711',
        url: 'https://1234.app.netsuite.com/app/common/entity/custjob.nl?id=4711',
      },
      {
        system: 'netsuite',
        kind: 'project',
        externalId: '981',
        url: 'https://1234.app.netsuite.com/app/accounting/project/project.nl?id=981',
      },
    ];
    await psa.linkExternal(id, links, 'act-8:links');
    await psa.linkExternal(id, links, 'act-8:links');
    const effects = await k.effects();
    expect(effects['external_reference.create']).toBe(1 + STORY_COUNT + 1 + 2); // project marker, stories, rate card, links
    expect(effects['external_reference.update'] ?? 0).toBe(0);
    await psa.linkExternal(id, [{ ...links[1]!, externalId: '982' }], 'act-8:links');
    expect((await k.effects())['external_reference.update']).toBe(1);

    const page = await fetch(url!);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const text of [
      spec.name,
      '$480,000.50',
      'Discovery sign-off',
      '$120,000.50',
      'Ingestion',
      'Senior Consultant',
      '$140.50 / hour',
      'Unnamed resource',
      'netsuite/project',
      '982',
    ]) {
      expect(html).toContain(text.replace('&', '&amp;'));
    }
  });

  it('reports a rejected token as a permanent error with a fix', async () => {
    const k = await newInstance();
    const e = await rejection(
      k.connector({ token: 'revoked' }).createProject(spec, 'act-9:create-psa-project'),
    );
    expect(e).toMatchObject({ retryable: false, status: 401, code: 'UNAUTHORIZED', system: 'kantata' });
    expect(e.fix).toMatch(/reconnect/i);
  });

  it('reports 429 and 503 as retryable with the Retry-After delay, and a timeout as retryable', async () => {
    const k = await newInstance();
    const psa = k.connector({ timeoutMs: 300 });
    await k.faults([
      { kind: 'rate_limit', path: '^/api/v1/external_references', times: 1, retryAfterSeconds: 7 },
    ]);
    expect(await rejection(psa.createProject(spec, 'act-10:create-psa-project'))).toMatchObject({
      retryable: true,
      status: 429,
      code: 'RATE_LIMITED',
      retryAfterMs: 7000,
    });
    await k.faults([{ kind: 'outage', mode: '503', times: 1 }]);
    expect(await rejection(psa.createProject(spec, 'act-10:create-psa-project'))).toMatchObject({
      retryable: true,
      status: 503,
      code: 'UNAVAILABLE',
      retryAfterMs: 2000,
    });
    await k.faults([{ kind: 'timeout', ms: 1500, times: 1 }]);
    expect(await rejection(psa.createProject(spec, 'act-10:create-psa-project'))).toMatchObject({
      retryable: true,
      code: 'TIMEOUT',
    });
    // Nothing was half-created along the way.
    expect((await k.effects())['workspace.create'] ?? 0).toBe(0);
  });

  it('turns Kantata validation errors and setup gaps into permanent errors naming the field', async () => {
    const k = await newInstance();
    const psa = k.connector();
    const noTemplate = await rejection(
      psa.createProject({ ...spec, template: 'agile-sprints' }, 'act-11:create-psa-project'),
    );
    expect(noTemplate).toMatchObject({
      retryable: false,
      code: 'TEMPLATE_NOT_FOUND',
      field: 'projectTemplate',
    });
    expect(noTemplate.fix).toContain('Fixed Fee Delivery');
    const { id } = await psa.createProject(spec, 'act-11:create-psa-project');
    // A EUR rate card on a USD project: Kantata refuses the workspace's rate_card_id with a 422.
    const eur = {
      name: 'EU rates',
      currency: 'EUR' as const,
      rates: [
        { role: 'Analyst', rate: money(12_000, 'EUR'), unit: 'hour' as const, effectiveFrom: '2026-01-01' },
      ],
    };
    const refused = await rejection(psa.ensureRateCard(id, eur, 'act-11:rate-card'));
    expect(refused).toMatchObject({
      retryable: false,
      status: 422,
      code: 'VALIDATION',
      field: 'rate_card_id',
    });
    expect(refused.fix).toMatch(/currency/);
  });
});
