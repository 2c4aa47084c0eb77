import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../../../shared/model/money';
import { type ProjectSpec, ProjectSpecSchema } from '../../../shared/model/project';
import {
  createKantataConnector,
  KantataWebhookError,
  parseKantataWebhook,
} from '../../../worker/connectors/kantata';
import { EMULATOR_OUTBOUND } from '../../support/outbound';
import * as act from './demo-actions';
import { createKantataEmulator } from './emulator';
import { DEMO_CONSULTANTS } from './seeds';
import type { KantataState } from './state';

const TOKEN = 'tok-lumen-1';
const emulator = createKantataEmulator();
let server: Awaited<ReturnType<typeof emulator.listen>>;

// A subscriber for the emulator's stand-in pushes: keeps raw bodies and headers.
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
let hookServer: Server;
let hookUrl = '';

beforeAll(async () => {
  server = await emulator.listen(0);
  hookServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
  const addr = hookServer.address();
  hookUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/hooks/kantata`;
});
afterAll(async () => {
  await server.close();
  await new Promise<void>((r) => hookServer.close(() => r()));
});

const spec: ProjectSpec = ProjectSpecSchema.parse({
  name: 'Acme Corp – Data Platform',
  template: 'time-and-materials',
  startDate: '2026-03-02',
  endDate: '2026-09-30',
  budget: money(48_000_000, 'USD'),
  wbs: [{ key: 'wbs-1', name: 'Discovery' }],
  milestones: [
    { key: 'a0M001', name: 'Discovery sign-off', amount: money(12_000_000, 'USD'), dueDate: '2026-04-15' },
    { key: 'a0M002', name: 'Go-live', amount: money(36_000_000, 'USD'), dueDate: '2026-09-30' },
  ],
  rateCard: {
    name: 'Acme 2026 rates',
    currency: 'USD',
    rates: [
      { role: 'Senior Consultant', rate: money(25_000, 'USD'), unit: 'hour', effectiveFrom: '2026-01-01' },
    ],
  },
  team: [{ role: 'Senior Consultant' }],
});

let count = 0;
async function setup() {
  count += 1;
  const id = `lumen${count}`;
  const res = await fetch(`${server.url}/__emulator/instances`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, seed: 'demo', config: { options: { accessTokens: [TOKEN] } } }),
  });
  const { baseUrl } = (await res.json()) as { baseUrl: string };
  const psa = createKantataConnector(
    {
      baseUrl: `${baseUrl}/api/v1`,
      accessToken: TOKEN,
      uiBaseUrl: `${baseUrl}/ui`,
    },
    { outbound: EMULATOR_OUTBOUND },
  );
  const project = await psa.createProject(spec, `act-${id}:project`);
  const ids = await psa.ensureWbsAndMilestones(project.id, spec, `act-${id}:wbs`);
  await psa.ensureRateCard(project.id, spec.rateCard!, `act-${id}:rates`);
  const actor: act.KantataActor = { apiBase: `${baseUrl}/api/v1`, token: TOKEN };
  const people: Record<string, string> = {};
  for (const c of DEMO_CONSULTANTS) {
    const userId = await act.findUserByEmail(actor, c.email);
    if (!userId) throw new Error(`seed lacks ${c.email}`);
    await act.staffPerson(actor, project.id, userId, c.role);
    people[c.name] = userId;
  }
  const control = `${server.url}/__emulator/instances/${id}`;
  return {
    baseUrl,
    psa,
    actor,
    people,
    workspaceId: project.id,
    milestoneIds: ids,
    effects: async () =>
      ((await (await fetch(`${control}/effects`)).json()) as { effects: Record<string, number> }).effects,
    state: async () => (await (await fetch(`${control}/state`)).json()) as KantataState,
    faults: async (rules: Record<string, unknown>[]) => {
      const res = await fetch(`${control}/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rules }),
      });
      if (!res.ok) throw new Error(`faults: ${res.status}`);
    },
  };
}

const days = (n: number) => {
  const d = new Date(Date.UTC(2026, 2, 2 + (n % 150)));
  return d.toISOString().slice(0, 10);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Kantata delivery: approved time and expenses', () => {
  it('lists every approved entry across pages, only approved ones, and only what changed since', async () => {
    const k = await setup();
    const ben = k.people['Ben Ortiz']!;
    const entries = Array.from({ length: 450 }, (_, i) => ({
      workspaceId: k.workspaceId,
      userId: ben,
      date: days(i),
      minutes: 60 + (i % 4) * 15,
      notes: `Pipeline work ${i}`,
    }));
    await act.logApprovedTime(k.actor, entries);
    // Not approved: one logged only, one submitted and waiting for the approver.
    const draft = await act.logTime(k.actor, {
      workspaceId: k.workspaceId,
      userId: ben,
      date: days(3),
      minutes: 30,
    });
    const pending = await act.logTime(k.actor, {
      workspaceId: k.workspaceId,
      userId: ben,
      date: days(4),
      minutes: 45,
    });
    await act.submitTimesheet(k.actor, k.workspaceId, [pending]);

    const all = (await k.psa.listApprovedTimeEntries(k.workspaceId)).items;
    expect(all).toHaveLength(450);
    expect(new Set(all.map((t) => t.psaId)).size).toBe(450);
    expect(all.map((t) => t.psaId)).not.toContain(draft);
    expect(all.map((t) => t.psaId)).not.toContain(pending);
    const first = all.find((t) => t.notes === 'Pipeline work 0')!;
    expect(first).toMatchObject({
      psaProjectId: k.workspaceId,
      personName: 'Ben Ortiz',
      personEmail: 'ben.ortiz@lumenpartners.example',
      role: 'Senior Consultant',
      minutes: 60,
      billable: true,
      approved: true,
      // The contract's Senior Consultant rate, from the rate card Handoff attached.
      psaRate: { amountMinor: 25_000, currency: 'USD' },
    });

    const since = new Date().toISOString();
    await sleep(5);
    const later = await act.logApprovedTime(k.actor, [
      { workspaceId: k.workspaceId, userId: k.people['Dev Patel']!, date: days(10), minutes: 90 },
    ]);
    await act.approveTimesheet(k.actor, await act.submitTimesheet(k.actor, k.workspaceId, [draft]));
    const changed = (await k.psa.listApprovedTimeEntries(k.workspaceId, since)).items;
    expect(changed.map((t) => t.psaId).sort()).toEqual([...later, draft].sort());
    expect(changed.find((t) => t.psaId === later[0])).toMatchObject({
      role: 'Analyst',
      personName: 'Dev Patel',
    });

    expect(await k.psa.getTimeEntry(pending)).toMatchObject({ psaId: pending, approved: false, minutes: 45 });
    expect(await k.psa.getTimeEntry('999999')).toBeNull();
    const effects = await k.effects();
    expect(effects['time_entry.create']).toBe(453);
    expect(effects['time_entry.approve']).toBe(452);
  });

  it('lists approved expenses in the project currency and flags travel', async () => {
    const k = await setup();
    const ava = k.people['Ava Chen']!;
    const flight = await act.logExpense(k.actor, {
      workspaceId: k.workspaceId,
      userId: ava,
      date: '2026-03-10',
      category: 'Travel',
      amountInCents: 48_250,
      notes: 'Flight to kickoff',
    });
    const lunch = await act.logExpense(k.actor, {
      workspaceId: k.workspaceId,
      userId: ava,
      date: '2026-03-11',
      category: 'Food',
      amountInCents: 3_120,
      billable: false,
    });
    const unsubmitted = await act.logExpense(k.actor, {
      workspaceId: k.workspaceId,
      userId: ava,
      date: '2026-03-12',
      category: 'Lodging',
      amountInCents: 21_000,
    });
    await act.approveExpenseReport(k.actor, await act.submitExpenseReport(k.actor, [flight, lunch]));

    const approved = (await k.psa.listApprovedExpenses(k.workspaceId)).items;
    expect(approved.map((e) => e.psaId).sort()).toEqual([flight, lunch].sort());
    expect(approved.find((e) => e.psaId === flight)).toMatchObject({
      psaProjectId: k.workspaceId,
      category: 'Travel',
      isTravel: true,
      amount: { amountMinor: 48_250, currency: 'USD' },
      billable: true,
      approved: true,
      personName: 'Ava Chen',
    });
    expect(approved.find((e) => e.psaId === lunch)).toMatchObject({ isTravel: false, billable: false });
    expect(await k.psa.getExpense(unsubmitted)).toMatchObject({ approved: false, isTravel: true });
    expect(await k.psa.getExpense(flight)).toMatchObject({ approved: true });
  });

  it('reads every other record of a page when one comes in a shape it cannot read, naming its field', async () => {
    const k = await setup();
    const ava = k.people['Ava Chen']!;
    const expense = (amountInCents: number, date: string) =>
      act.logExpense(k.actor, {
        workspaceId: k.workspaceId,
        userId: ava,
        date,
        category: 'Travel',
        amountInCents,
      });
    const [good, bad, alsoGood] = [
      await expense(10_000, '2026-03-10'),
      await expense(20_000, '2026-03-11'),
      await expense(30_000, '2026-03-12'),
    ];
    await act.approveExpenseReport(k.actor, await act.submitExpenseReport(k.actor, [good, bad, alsoGood]));
    // Kantata sends one expense with an amount that is not a number and another in a currency Handoff
    // does not know: each is set aside with its field; the third is read.
    await k.faults([
      {
        kind: 'malform',
        path: '^/api/v1/expenses',
        set: {
          [`expenses.${bad}.amount_in_cents`]: 'twenty thousand',
          [`expenses.${alsoGood}.currency`]: 'ZZZ',
        },
      },
    ]);
    const listing = await k.psa.listApprovedExpenses(k.workspaceId);
    expect(listing.items.map((e) => e.psaId)).toEqual([good]);
    expect(listing.rejected).toEqual([
      expect.objectContaining({ id: bad, field: 'expenses.amount_in_cents' }),
      expect.objectContaining({ id: alsoGood, field: 'expenses.currency' }),
    ]);
    expect(listing.rejected[1]!.reason).toMatch(/ZZZ/);
    // Read on its own (a webhook's fetch), the same record is a connector error naming the vendor's field.
    const refused = await k.psa.getExpense(bad).catch((e: unknown) => e);
    expect(refused).toMatchObject({
      name: 'ConnectorError',
      code: 'UNEXPECTED_RESPONSE',
      retryable: false,
      field: 'expenses.amount_in_cents',
    });
  });

  it('refuses time from someone who is not on the project, as Kantata does', async () => {
    const k = await setup();
    const s = await k.state();
    const outsider = Object.values(s.users).find((u) => u.full_name === 'Priya Raman')!;
    await expect(
      act.logTime(k.actor, {
        workspaceId: k.workspaceId,
        userId: outsider.id,
        date: '2026-03-03',
        minutes: 60,
      }),
    ).rejects.toThrow(/422.*participant/);
  });
});

describe('Kantata delivery: milestones and billing status', () => {
  it('returns milestones with their canonical keys, states and deliverables', async () => {
    const k = await setup();
    const m1 = k.milestoneIds.a0M001!;
    const report = await act.addDeliverable(k.actor, k.workspaceId, m1, 'Assessment report');
    await act.addDeliverable(k.actor, k.workspaceId, m1, 'Roadmap');
    await act.setStoryState(k.actor, report, 'completed');
    await act.setStoryState(k.actor, m1, 'completed');
    await act.setStoryState(k.actor, k.milestoneIds.a0M002!, 'started');

    const milestones = await k.psa.getMilestones(k.workspaceId);
    expect(milestones).toHaveLength(2);
    const first = milestones.find((m) => m.key === 'a0M001')!;
    expect(first).toMatchObject({ psaId: m1, name: 'Discovery sign-off', state: 'completed' });
    expect(first.completedAt).toEqual(expect.any(String));
    expect(first.deliverables).toEqual([
      { psaId: report, name: 'Assessment report', done: true },
      { psaId: expect.any(String), name: 'Roadmap', done: false },
    ]);
    expect(milestones.find((m) => m.key === 'a0M002')).toMatchObject({
      state: 'in_progress',
      deliverables: [],
    });
  });

  it('publishes billing status once: the same status again writes nothing', async () => {
    const k = await setup();
    const status = {
      billed: money(1_200_000, 'USD'),
      paid: money(1_200_000, 'USD'),
      unbilled: money(350_000, 'USD'),
      invoices: [
        {
          number: 'INV-1001',
          status: 'paid',
          total: money(1_200_000, 'USD'),
          url: 'https://erp.example/inv/1',
        },
      ],
    };
    const before = await k.effects();
    await k.psa.publishBillingStatus(k.workspaceId, status, 'bill-1');
    const once = await k.effects();
    await k.psa.publishBillingStatus(k.workspaceId, status, 'bill-1');
    const twice = await k.effects();
    expect((once['external_reference.create'] ?? 0) - (before['external_reference.create'] ?? 0)).toBe(2);
    expect(twice).toEqual(once);

    const refs = Object.values((await k.state()).externalReferences).filter(
      (r) => r.subject_type === 'Workspace' && r.subject_id === k.workspaceId,
    );
    const summary = refs.find((r) => r.service_name === 'Handoff billing')!;
    expect(summary.external_status).toBe('partially billed');
    expect(summary.external_message).toContain('INV-1001 paid');
    expect(summary.external_message).toContain('Unbilled $3,500.00');
    expect(refs.find((r) => r.service_name === 'Handoff invoice INV-1001')).toMatchObject({
      external_status: 'paid',
      external_link: 'https://erp.example/inv/1',
    });

    // A change (the rest got invoiced) updates in place: no new references.
    await k.psa.publishBillingStatus(k.workspaceId, { ...status, unbilled: money(0, 'USD') }, 'bill-2');
    const after = await k.effects();
    expect(after['external_reference.create']).toBe(once['external_reference.create']);
    expect(after['external_reference.update']).toBe((once['external_reference.update'] ?? 0) + 1);
  });
});

describe('Kantata change events (stand-in pushes, signed per Standard Webhooks)', () => {
  it('delivers a verifiable event and refuses a tampered body or an old timestamp', async () => {
    const k = await setup();
    const sub = await act.subscribeStandInWebhooks(k.baseUrl, TOKEN, hookUrl, ['time_entry:created']);
    const start = received.length;
    const entry = await act.logTime(k.actor, {
      workspaceId: k.workspaceId,
      userId: k.people['Chloe Martin']!,
      date: '2026-03-05',
      minutes: 120,
    });
    for (let i = 0; i < 50 && received.length === start; i += 1) await sleep(20);
    const delivery = received.slice(start).find((d) => d.body.includes(`"subject_id":${entry}`));
    expect(delivery).toBeDefined();
    const headers = delivery!.headers as Record<string, string>;

    const event = await parseKantataWebhook(headers, delivery!.body, sub.secret);
    expect(event).toMatchObject({
      event: 'time_entry:created',
      subjectType: 'TimeEntry',
      subjectId: entry,
      workspaceId: k.workspaceId,
    });
    expect(event.id).toBe(headers['webhook-id']);

    const tampered = delivery!.body.replace('"time_in_minutes":120', '"time_in_minutes":900');
    expect(tampered).not.toBe(delivery!.body);
    await expect(parseKantataWebhook(headers, tampered, sub.secret)).rejects.toMatchObject({
      code: 'BAD_SIGNATURE',
    });
    const late = Number(headers['webhook-timestamp']) + 6 * 60;
    await expect(
      parseKantataWebhook(headers, delivery!.body, sub.secret, { nowSeconds: late }),
    ).rejects.toBeInstanceOf(KantataWebhookError);
    await expect(
      parseKantataWebhook(headers, delivery!.body, sub.secret, { nowSeconds: late }),
    ).rejects.toMatchObject({ code: 'STALE' });
    await expect(
      parseKantataWebhook(headers, delivery!.body, 'whsec_b3RoZXIgc2VjcmV0'),
    ).rejects.toMatchObject({
      code: 'BAD_SIGNATURE',
    });

    // The documented pull feed has the same change.
    const events = await k.psa.listSubscribedEvents(new Date(Date.now() - 60_000).toISOString(), [
      'time_entry:created',
    ]);
    expect(events.map((e) => e.subject_id)).toContain(entry);
  });
});
