/**
 * Two firms live the same story one after the other: the same deals (same opportunity ids), their own vendor
 * instances (which number records alike, so PSA entries, workspaces and ERP records have the same ids in
 * both), the same time, milestone, invoice, amendment, Teams decisions and exception actions. Every row of
 * firm B is read before firm A starts and must be exactly the same after A's whole story; A's story must end
 * exactly as B's did. A query that forgets its tenant filter shows up here: as a write to B's row with the
 * same id or key, or as A reading B's row (B's come first) and ending elsewhere.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import type { AnySQLiteColumn, AnySQLiteTable } from 'drizzle-orm/sqlite-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signConnectBody } from '../../../worker/connectors/docusign';
import { getDb } from '../../../worker/db/client';
import * as schema from '../../../worker/db/schema';
import { launchWorkflow, paramsOf } from '../../../worker/domain/activation/start-activation';
import { activationView, resetSteps } from '../../../worker/domain/activation/store';
import { decideChangeOrder } from '../../../worker/domain/teams/decide-change-order';
import { exceptionOwner } from '../../../worker/domain/teams/my-exceptions';
import { approvalCard, exceptionCardFor } from '../../../worker/domain/teams/views';
import type { Env } from '../../../worker/env';
import worker from '../../../worker/index';
import type { ConnectedTenant } from '../../support/connect-tenant';
import { completeMilestone, kantataActor, tmWeek } from '../../support/delivery-demo';
import {
  activate,
  adminCall,
  cardAction,
  connectTeams,
  effects,
  fastWorkflows,
  type Json,
  json,
  newTenant,
  PEOPLE,
  psaProjectIdOf,
  syncNow,
  testEnv,
  waitFor,
  waitForActivation,
  waitForReadiness,
  workerFetch,
} from '../harness';
import { GLOBEX, NORTHWIND } from './firms';

const WAIT = 30_000;
const B_THRESHOLD = 987_654_321;
const TAB_AUDIENCE = 'api://handoff.test/00000000-0000-4000-8000-00000000b07a';

function amendmentEnvelope(envelopeId: string, number = 1, rate = 18_000) {
  const now = new Date().toISOString();
  const field = (fieldId: string, name: string, value: string) => ({
    fieldId,
    name,
    value,
    show: 'false',
    required: 'false',
  });
  return JSON.stringify({
    event: 'envelope-completed',
    apiVersion: 'v2.1',
    uri: `/restapi/v2.1/accounts/acc-1/envelopes/${envelopeId}`,
    retryCount: 0,
    configurationId: 10501,
    generatedDateTime: now,
    data: {
      accountId: 'acc-1',
      userId: 'u-1',
      envelopeId,
      envelopeSummary: {
        status: 'completed',
        emailSubject: 'Globex data platform: amendment 1',
        envelopeId,
        createdDateTime: now,
        completedDateTime: now,
        statusChangedDateTime: now,
        recipients: {
          signers: [
            {
              recipientId: '1',
              name: 'Hank Scorpio',
              email: 'hank@globex.example',
              status: 'completed',
              signedDateTime: now,
            },
          ],
        },
        customFields: {
          textCustomFields: [
            field('1', 'handoff_contract_key', GLOBEX),
            field('2', 'amendment_number', String(number)),
            field('3', 'effective_date', '2026-11-17'),
            field(
              '4',
              'handoff_changes',
              JSON.stringify({
                rates: [
                  {
                    role: 'Consultant',
                    rate: { amountMinor: rate, currency: 'USD' },
                    effectiveFrom: '2026-11-17',
                  },
                ],
                notToExceed: { amountMinor: 30_000_000, currency: 'USD' },
              }),
            ),
          ],
        },
      },
    },
  });
}

const get = async (t: ConnectedTenant, path: string) => {
  const res = await adminCall(t, 'GET', path);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return json(res);
};

/** The whole story for one firm: activation, delivery, acceptance and invoice, amendment, exception actions. */
async function story(t: ConnectedTenant, policy: Record<string, unknown> = {}): Promise<string> {
  const tid = await connectTeams(t, policy);
  await activate(t, GLOBEX);
  await activate(t, NORTHWIND);
  const gx = psaProjectIdOf(await waitForActivation(t, GLOBEX));
  const nw = psaProjectIdOf(await waitForActivation(t, NORTHWIND));
  const actor = kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken);
  await tmWeek(actor, gx);
  await completeMilestone(actor, nw, 'Discovery');
  await syncNow(t);
  await waitForReadiness(t, gx, (r) => r.counts.posted === 4, WAIT);
  const m = await waitForReadiness(t, nw, (r) => r.milestones[0]?.state === 'awaiting_acceptance', WAIT);

  // Ava accepts the milestone on her card; the invoice follows.
  const accepted = await cardAction(tid, PEOPLE.ava, 'milestone.accept', {
    kind: 'milestoneAcceptance',
    approvalId: m.milestones[0]!.approvalId!,
  });
  expect(accepted.status).toBe(200);
  await waitForReadiness(t, nw, (r) => r.milestones[0]?.state === 'invoiced', WAIT);

  // A signed change order on Globex: approved on Ava's card, applied, time at the old rate held.
  const body = amendmentEnvelope('env-two-firms-1');
  const delivered = await workerFetch(`http://handoff/v1/webhooks/docusign/${t.tenantId}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-docusign-signature-1': await signConnectBody(t.emulatorSecrets.docusignHmacKey, body),
    },
    body,
  });
  expect(delivered.status).toBe(202);
  const changeOrder = await waitFor(
    async () => (await get(t, '/v1/approvals')).approvals.find((a: Json) => a.kind === 'change_order'),
    (a: Json) => a?.state === 'requested',
    WAIT,
  );
  const approved = await cardAction(tid, PEOPLE.ava, 'changeOrder.approve', {
    kind: 'changeOrder',
    changeOrderId: changeOrder.id,
  });
  expect(approved.status).toBe(200);
  await waitFor(
    () => get(t, `/v1/amendments?contractKey=${GLOBEX}`),
    (r: Json) => r.amendments[0]?.state === 'applied',
    WAIT,
  );
  await waitForReadiness(t, gx, (r) => r.exceptions.some((e) => e.rule === 'superseded-by-amendment'), WAIT);

  // The exception queue: the entry at a superseded rate is posted at the contract rate; the other stays open.
  const open = (await get(t, '/v1/exceptions?status=open&limit=200')).exceptions.filter(
    (e: Json) => e.subjectType !== 'activation',
  );
  expect(open.length).toBe(2);
  const stale = open.find((e: Json) => e.code === 'superseded-rate');
  expect(stale).toBeTruthy();
  const edited = await adminCall(t, 'POST', `/v1/exceptions/${stale.id}/edit-and-retry`, {
    changes: { postAtContractRate: true },
  });
  expect(edited.status, await edited.clone().text()).toBe(200);

  // And a last sync: invoices and billing status read back, cursors moved.
  await syncNow(t);
  return tid;
}

/** Tables that hold a firm's rows (every one with a tenant column). */
const TABLES = Object.entries(schema).filter(
  ([, table]) => typeof table === 'object' && table !== null && 'tenantId' in (table as object),
) as [string, typeof schema.exceptionsTable][];

/** Every row of the firm, table by table, in a stable order. */
async function rowsOf(tenantId: string): Promise<Record<string, unknown[]>> {
  const db = getDb(env as never);
  const out: Record<string, unknown[]> = {};
  for (const [name, table] of TABLES) {
    const rows = (await db.select().from(table).where(eq(table.tenantId, tenantId))) as Record<
      string,
      unknown
    >[];
    out[name] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

/** What the story left, without ids, times or anything else that differs between two runs of it. */
async function outcome(tenantId: string) {
  const db = getDb(env as never);
  const of = async <T extends AnySQLiteTable & { tenantId: AnySQLiteColumn }>(table: T) =>
    (await db
      .select()
      .from(table as never)
      .where(eq(table.tenantId, tenantId))) as T['$inferSelect'][];
  const count = (xs: string[]) =>
    Object.entries(
      xs.reduce<Record<string, number>>((m, x) => Object.assign(m, { [x]: (m[x] ?? 0) + 1 }), {}),
    ).sort();
  const t = schema;
  return {
    activations: count(
      (await of(t.activationsTable)).map((a) => `${a.opportunityId} ${a.status} ${a.contractNumber}`),
    ),
    steps: count((await of(t.activationStepsTable)).map((s) => `${s.name} ${s.status}`)),
    links: count((await of(t.linksTable)).map((l) => `${l.contractKey} ${l.role} ${l.kind}`)),
    contractVersions: count((await of(t.contractVersionsTable)).map((c) => `${c.contractKey} ${c.version}`)),
    items: count(
      (await of(t.deliveryItemsTable)).map((i) => `${i.contractKey} ${i.kind} ${i.state} ${i.rule}`),
    ),
    exceptions: count(
      (await of(t.exceptionsTable)).map((e) => `${e.code} ${e.source} ${e.status} ${e.owner}`),
    ),
    approvals: count((await of(t.approvalsTable)).map((a) => `${a.kind} ${a.contractKey} ${a.state}`)),
    invoices: count((await of(t.invoicesTable)).map((i) => `${i.contractKey} ${i.status}`)),
    amendments: count((await of(t.amendmentsTable)).map((a) => `${a.contractKey} ${a.number} ${a.state}`)),
    milestones: count(
      (await of(t.milestoneStatusTable)).map((m) =>
        JSON.stringify({ ...m, tenantId: 0, psaId: 0, updatedAt: 0 }),
      ),
    ),
    cards: (await of(t.teamsCardsTable)).length,
    conversations: (await of(t.teamsConversationsTable)).length,
    cursors: count((await of(t.syncCursorsTable)).map((c) => c.name.replace(/\d+/g, 'N'))),
    keys: count((await of(t.apiKeysTable)).map((k) => `${k.scope} ${k.revokedAt === null}`)),
    connections: count((await of(t.connectionsTable)).map((c) => c.role)),
    audit: count((await of(t.auditLogTable)).map((x) => x.action)),
  };
}

/** The firm's rows once its background work (queues, workflows, card refreshes) has gone quiet. */
async function settledRowsOf(tenantId: string): Promise<Record<string, unknown[]>> {
  let last = await rowsOf(tenantId);
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await rowsOf(tenantId);
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  throw new Error('the firm never went quiet');
}

let a: ConnectedTenant;
let b: ConnectedTenant;
let bBefore: Record<string, unknown[]>;
let aTid: string;

beforeAll(async () => {
  await using _wf = await fastWorkflows();
  [a, b] = await Promise.all([newTenant(), newTenant()]);
  // B's policy has a threshold of its own (it changes nothing in this story: rates always need approval).
  await story(b, {
    approveAboveMinor: B_THRESHOLD,
    exceptionOwners: { 'finance-ops': PEOPLE.emma, 'delivery-ops': PEOPLE.dev },
  });
  bBefore = await settledRowsOf(b.tenantId);
  aTid = await story(a);
}, 240_000);

describe('two firms, one story each, one after the other', () => {
  it('leaves every row of the firm that went first exactly as it was', async () => {
    expect(Object.values(bBefore).flat().length).toBeGreaterThan(50);
    const after = await rowsOf(b.tenantId);
    for (const [name] of TABLES) expect(after[name], name).toEqual(bBefore[name]);
  });

  it('ends the second firm exactly where the first one ended', async () => {
    const aRows = JSON.stringify(await settledRowsOf(a.tenantId));
    expect(await outcome(a.tenantId)).toEqual(await outcome(b.tenantId));
    expect(aRows, "B's own policy threshold in A's rows").not.toContain(String(B_THRESHOLD));
  });

  it("refuses one firm's people on the other firm's pending decisions and exceptions, and lists only their own", async () => {
    const sso = async (tid: string, person: { aadObjectId: string; name: string }) =>
      json(
        await fetch(`${testEnv.EMULATORS.entra}/__emulator/instances/entra/sso-token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ tid, oid: person.aadObjectId, name: person.name, aud: TAB_AUDIENCE }),
        }),
      ).then((r: Json) => r.token as string);
    const tab = async (tid: string, person: typeof PEOPLE.ava, path: string, body?: unknown) =>
      workerFetch(`http://handoff${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${await sso(tid, person)}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const idsOf = async (tenantId: string, table: typeof schema.exceptionsTable) =>
      (
        await getDb(env as never)
          .select({ id: table.id })
          .from(table)
          .where(eq(table.tenantId, tenantId))
      ).map((r) => r.id);

    // A's people see A's queue in the tab, and only it: A's exceptions are Emma's; Dev owns none in A
    // (in B he owns delivery-ops).
    const own = await idsOf(a.tenantId, schema.exceptionsTable);
    const mine = await json(await tab(aTid, PEOPLE.emma, '/v1/teams/me/exceptions'));
    expect(mine.items.length).toBeGreaterThan(0);
    for (const e of mine.items) expect(own, 'an exception of another firm in the tab').toContain(e.id);
    expect((await json(await tab(aTid, PEOPLE.dev, '/v1/teams/me/exceptions'))).items).toEqual([]);

    // A's amendments are A's.
    const aAmendments = (await get(a, `/v1/amendments?contractKey=${GLOBEX}`)).amendments;
    expect(aAmendments).toHaveLength(1);
    expect(await idsOf(a.tenantId, schema.amendmentsTable as never)).toContain(aAmendments[0].id);

    // B has a new change order waiting; B's exceptions are open.
    const body = amendmentEnvelope('env-two-firms-2', 2, 19_000);
    const delivered = await workerFetch(`http://handoff/v1/webhooks/docusign/${b.tenantId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-docusign-signature-1': await signConnectBody(b.emulatorSecrets.docusignHmacKey, body),
      },
      body,
    });
    expect(delivered.status).toBe(202);
    const pending: Json = await waitFor(
      async () =>
        (await get(b, '/v1/approvals')).approvals.find(
          (x: Json) => x.kind === 'change_order' && x.state === 'requested',
        ),
      Boolean,
      WAIT,
    );
    const bOpen = (await get(b, '/v1/exceptions?status=open&limit=200')).exceptions.filter(
      (e: Json) => e.subjectType !== 'activation',
    );
    expect(bOpen.length).toBeGreaterThan(0);
    const before = await rowsOf(b.tenantId);

    // A's approver and exception owner act on B's ids: on their cards, in their tab.
    // Each answer is the card of an unknown subject: nothing of B's shows, nothing is decided.
    const unknown = async (res: Response) => expect(await res.text()).toMatch(/no longer exists/);
    await unknown(
      await cardAction(aTid, PEOPLE.ava, 'changeOrder.approve', {
        kind: 'changeOrder',
        changeOrderId: pending.id,
      }),
    );
    for (const e of bOpen) {
      await unknown(
        await cardAction(aTid, PEOPLE.emma, 'exception.skip', {
          kind: 'exception',
          exceptionId: e.id,
          reason: 'no',
        }),
      );
      await unknown(
        await cardAction(aTid, PEOPLE.emma, 'exception.retry', { kind: 'exception', exceptionId: e.id }),
      );
      const r = await tab(aTid, PEOPLE.emma, `/v1/teams/me/exceptions/${e.id}/resolution`, {
        action: 'skip',
        reason: 'not ours either',
      });
      expect(r.status, await r.clone().text()).toBeGreaterThanOrEqual(400);
    }
    const decided = await tab(aTid, PEOPLE.ava, `/v1/teams/me/approvals/${pending.id}/decision`, {
      decision: 'accept',
    });
    expect(decided.status, await decided.clone().text()).toBe(404);

    // Keys and connections: A's admin sees and acts on A's only.
    const keyIds = async (tenantId: string) =>
      (
        await getDb(env as never)
          .select({ id: schema.apiKeysTable.id, scope: schema.apiKeysTable.scope })
          .from(schema.apiKeysTable)
          .where(eq(schema.apiKeysTable.tenantId, tenantId))
      ).map((k) => k);
    const aKeys = await keyIds(a.tenantId);
    const listed = await get(a, '/v1/admin/api-keys');
    expect(listed.keys.map((k: Json) => k.id).sort()).toEqual(aKeys.map((k) => k.id).sort());
    for (const k of await keyIds(b.tenantId)) {
      expect((await adminCall(a, 'POST', `/v1/admin/api-keys/${k.id}/revoke`)).status).toBe(404);
      expect((await adminCall(a, 'POST', `/v1/admin/api-keys/${k.id}/rotate`, {})).status).toBe(404);
    }
    // A's only admin key is its last one, whatever keys other firms have.
    const aAdmin = aKeys.filter((k) => k.scope === 'admin');
    expect(aAdmin).toHaveLength(1);
    expect((await adminCall(a, 'POST', `/v1/admin/api-keys/${aAdmin[0]!.id}/revoke`)).status).toBe(409);
    const connections = await get(a, '/v1/admin/connections');
    const aConnections = await getDb(env as never)
      .select({ role: schema.connectionsTable.role })
      .from(schema.connectionsTable)
      .where(eq(schema.connectionsTable.tenantId, a.tenantId));
    expect(connections.connections.map((c: Json) => c.role).sort()).toEqual(
      aConnections.map((c) => c.role).sort(),
    );

    // A skips its own open entry (B has an entry of the same id): only A's is skipped.
    const [aOpen] = (await get(a, '/v1/exceptions?status=open&limit=200')).exceptions.filter(
      (e: Json) => e.source === 'delivery',
    );
    expect(aOpen).toBeTruthy();
    const skipped = await adminCall(a, 'POST', `/v1/exceptions/${aOpen.id}/skip`, {
      reason: 'Billed by hand',
    });
    expect(skipped.status, await skipped.clone().text()).toBe(200);

    await new Promise((r) => setTimeout(r, 1000));
    const after = await rowsOf(b.tenantId);
    for (const name of [
      'approvalsTable',
      'exceptionsTable',
      'amendmentsTable',
      'deliveryItemsTable',
      'apiKeysTable',
      'connectionsTable',
    ])
      expect(after[name], name).toEqual(before[name]);
  });

  it("does nothing to either firm when work names one firm's tenant and the other firm's ids", async () => {
    await using _wf = await fastWorkflows();
    const db = getDb(env as never);
    const t = schema;
    const ofB = async <T extends AnySQLiteTable & { tenantId: AnySQLiteColumn }>(table: T) =>
      (await db
        .select()
        .from(table as never)
        .where(eq(table.tenantId, b.tenantId))) as T['$inferSelect'][];
    const bAmendment = (await ofB(t.amendmentsTable)).find((x) => x.state === 'awaiting_approval')!;
    const bMilestone = (await ofB(t.approvalsTable)).find((x) => x.kind === 'milestone')!;
    const bActivation = (await ofB(t.activationsTable)).find((x) => x.opportunityId === GLOBEX)!;
    // B has an entry waiting to be posted (as one does between its queueing and its posting), of an id only B has.
    const template = (await ofB(t.deliveryItemsTable)).find(
      (x) => x.kind === 'time' && x.state === 'posted',
    )!;
    const secret = `b-only-${crypto.randomUUID().slice(0, 8)}`;
    const bItem = {
      ...template,
      id: `time:${secret}`,
      state: 'queued' as const,
      note: `note of ${secret}`,
      exceptionId: null,
      erpId: null,
      postedAt: null,
    };
    await db.insert(t.deliveryItemsTable).values(bItem);
    // B's contract for the deal has a number of its own (the firms' CRMs number alike).
    await db
      .update(t.activationsTable)
      .set({ contractNumber: `${bActivation.contractNumber}-B` })
      .where(and(eq(t.activationsTable.tenantId, b.tenantId), eq(t.activationsTable.id, bActivation.id)));
    // And A has one waiting whose id B's PSA gave one of B's entries too (each firm's PSA numbers alike).
    const bIds = new Set((await ofB(t.deliveryItemsTable)).map((x) => x.id));
    const [shared] = (
      await db.select().from(t.deliveryItemsTable).where(eq(t.deliveryItemsTable.tenantId, a.tenantId))
    ).filter((x) => x.kind === 'time' && bIds.has(x.id));
    expect(shared).toBeTruthy();
    await db
      .update(t.deliveryItemsTable)
      .set({ state: 'queued' })
      .where(and(eq(t.deliveryItemsTable.tenantId, a.tenantId), eq(t.deliveryItemsTable.id, shared!.id)));
    expect([bAmendment, bMilestone, bActivation, bItem].every(Boolean)).toBe(true);
    const before = {
      b: await settledRowsOf(b.tenantId),
      ns: await effects(a, 'netsuite'),
      nsB: await effects(b, 'netsuite'),
    };

    const forged = `forged-${crypto.randomUUID().slice(0, 8)}`;
    const instances = [
      await (env as unknown as Env).AMENDMENT_WORKFLOW.create({
        id: `${forged}-amendment`,
        params: { tenantId: a.tenantId, amendmentId: bAmendment.id, correlationId: forged },
      }),
      await (env as unknown as Env).MILESTONE_INVOICE_WORKFLOW.create({
        id: `${forged}-invoice`,
        params: {
          tenantId: a.tenantId,
          approvalId: bMilestone.id,
          contractKey: bMilestone.contractKey,
          milestoneKey: bMilestone.subjectKey,
          correlationId: forged,
          actor: 'forged',
        },
      }),
      await (env as unknown as Env).ACTIVATION_WORKFLOW.create({
        id: `${forged}-activation`,
        params: {
          tenantId: a.tenantId,
          activationId: bActivation.id,
          opportunityId: GLOBEX,
          correlationId: forged,
          attempt: 1,
          actor: 'forged',
        },
      }),
    ];
    const message = { tenantId: a.tenantId, itemId: bItem.id, correlationId: forged };
    // A's own entry exhausts its retries: held in A, and only in A.
    const own = { tenantId: a.tenantId, itemId: shared!.id, correlationId: forged };
    for (const [queue, body] of [
      ['handoff-posting', message],
      ['handoff-posting-dlq', message],
      ['handoff-posting-dlq', own],
    ] as const) {
      const batch = createMessageBatch(queue, [
        { id: `${forged}-${queue}-${body.itemId}`, timestamp: new Date(), attempts: 1, body },
      ]);
      const ctx = createExecutionContext();
      await worker.queue(batch as never, env as never);
      await getQueueResult(batch, ctx);
    }
    // A replays its dead letters: its own entry goes back on its way (B has an entry of the same id), the one
    // naming B's entry is not A's to replay.
    const replay = await adminCall(a, 'POST', '/v1/dead-letters/replay', {
      all: true,
      queue: 'handoff-posting',
    });
    expect(replay.status).toBe(200);
    const replayed = await json(replay);
    const letters = (await json(await adminCall(a, 'GET', '/v1/dead-letters?limit=200')))
      .deadLetters as Json[];
    const outcomeOf = (itemId: string) =>
      replayed.results.find((r: Json) => r.id === letters.find((l) => l.itemId === itemId)?.id)?.outcome;
    expect(outcomeOf(shared!.id)).toBe('sent');
    expect(outcomeOf(bItem.id)).toBe('not-replayable');
    for (const i of instances)
      await waitFor(
        async () => (await i.status()).status,
        (s) => !['queued', 'running', 'waiting', 'waitingForPause', 'unknown'].includes(s),
        WAIT,
      ).catch(() => undefined);

    const after = {
      b: await settledRowsOf(b.tenantId),
      ns: await effects(a, 'netsuite'),
      nsB: await effects(b, 'netsuite'),
    };
    for (const [name] of TABLES) expect(after.b[name], name).toEqual(before.b[name]);
    // What A's own rows say about the forged work (an exception, an audit entry) names nothing A did not send.
    const aRows = JSON.stringify(await rowsOf(a.tenantId));
    expect(aRows).not.toContain(`note of ${secret}`);
    // The forged activation names A's own deal (its CRM's opportunity): it may touch A's customer and project.
    // Nothing may be billed or posted in A's ERP for B's approval or entry.
    for (const effect of ['invoice.create', 'timeBill.create', 'expenseReport.create'])
      expect(after.ns[effect] ?? 0, `firm A's ERP ${effect}`).toBe(before.ns[effect] ?? 0);
    expect(after.nsB, "firm B's ERP").toEqual(before.nsB);
  });

  it("answers nothing and changes nothing when a domain verb is asked by one firm about the other firm's ids", async () => {
    const db = getDb(env as never);
    const t = schema;
    const [bAct] = await db
      .select()
      .from(t.activationsTable)
      .where(and(eq(t.activationsTable.tenantId, b.tenantId), eq(t.activationsTable.opportunityId, GLOBEX)));
    const [bExc] = await db
      .select()
      .from(t.exceptionsTable)
      .where(eq(t.exceptionsTable.tenantId, b.tenantId));
    const [bChangeOrder] = await db
      .select()
      .from(t.approvalsTable)
      .where(
        and(
          eq(t.approvalsTable.tenantId, b.tenantId),
          eq(t.approvalsTable.kind, 'change_order'),
          eq(t.approvalsTable.state, 'requested'),
        ),
      );
    expect(bAct && bExc && bChangeOrder).toBeTruthy();
    // B's invoice for the same milestone of the same deal has a number of its own.
    const bInvoiceNumber = `B-${crypto.randomUUID().slice(0, 8)}`;
    await db
      .update(t.invoicesTable)
      .set({ number: bInvoiceNumber })
      .where(eq(t.invoicesTable.tenantId, b.tenantId));
    const [aMilestone] = await db
      .select()
      .from(t.approvalsTable)
      .where(and(eq(t.approvalsTable.tenantId, a.tenantId), eq(t.approvalsTable.kind, 'milestone')));
    // B's activation as it is between its click and its workflow's start.
    await db
      .update(t.activationsTable)
      .set({ workflowStarted: false })
      .where(and(eq(t.activationsTable.tenantId, b.tenantId), eq(t.activationsTable.id, bAct!.id)));
    const before = await settledRowsOf(b.tenantId);

    expect(await exceptionOwner(db, a.tenantId, bExc!.id)).toBeUndefined();
    expect(await approvalCard(db, a.tenantId, bChangeOrder!.id, PEOPLE.ava.aadObjectId)).toBeUndefined();
    expect(await exceptionCardFor(db, a.tenantId, bExc!.id, PEOPLE.emma.aadObjectId)).toBeUndefined();
    const aCard = JSON.stringify(await approvalCard(db, a.tenantId, aMilestone!.id, PEOPLE.ava.aadObjectId));
    expect(aCard).toMatch(/Discovery/);
    expect(aCard).not.toContain(bInvoiceNumber);
    const view = await activationView(db, { ...bAct!, tenantId: a.tenantId, exceptionId: bExc!.id });
    expect(view.steps.every((s) => s.status === 'pending')).toBe(true);
    expect(JSON.stringify(view)).not.toContain(bExc!.id.slice(4));
    await resetSteps(db, a.tenantId, bAct!.id);
    await launchWorkflow(
      env as never,
      db,
      paramsOf({ ...bAct!, tenantId: a.tenantId, workflowStarted: false }, 'forged'),
      `forged-launch-${crypto.randomUUID().slice(0, 8)}`,
    );
    await decideChangeOrder(db, env as never, {
      tenantId: a.tenantId,
      approvalId: bChangeOrder!.id,
      decision: 'approve',
      actor: 'forged',
      correlationId: 'forged',
    }).catch(() => undefined);

    const after = await settledRowsOf(b.tenantId);
    for (const [name] of TABLES) expect(after[name], name).toEqual(before[name]);
  });
});
