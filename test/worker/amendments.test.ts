import { describe, expect, it } from 'vitest';
import { signConnectBody } from '../../worker/connectors/docusign';
import type { ConnectedTenant } from '../support/connect-tenant';
import { kantataActor, tmWeek } from '../support/delivery-demo';
import {
  activate,
  adminCall,
  cardAction,
  cardsSentTo,
  clearFaults,
  connectTeams,
  effects,
  fastWorkflows,
  injectFaults,
  json,
  newTenant,
  PEOPLE,
  psaProjectIdOf,
  runCron,
  syncNow,
  waitFor,
  waitForActivation,
  waitForReadiness,
  workerFetch,
} from './harness';

const GLOBEX = '006000000000002AAA';

function envelopeCompleted(o: {
  envelopeId: string;
  number: number;
  effectiveDate: string;
  changes: unknown;
}) {
  const now = new Date().toISOString();
  return JSON.stringify({
    event: 'envelope-completed',
    apiVersion: 'v2.1',
    uri: `/restapi/v2.1/accounts/acc-1/envelopes/${o.envelopeId}`,
    retryCount: 0,
    configurationId: 10501,
    generatedDateTime: now,
    data: {
      accountId: 'acc-1',
      userId: 'u-1',
      envelopeId: o.envelopeId,
      envelopeSummary: {
        status: 'completed',
        emailSubject: `Globex data platform: amendment ${o.number}`,
        envelopeId: o.envelopeId,
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
            { fieldId: '1', name: 'handoff_contract_key', value: GLOBEX, show: 'false', required: 'false' },
            {
              fieldId: '2',
              name: 'amendment_number',
              value: String(o.number),
              show: 'false',
              required: 'false',
            },
            {
              fieldId: '3',
              name: 'effective_date',
              value: o.effectiveDate,
              show: 'false',
              required: 'false',
            },
            {
              fieldId: '4',
              name: 'handoff_changes',
              value: JSON.stringify(o.changes),
              show: 'false',
              required: 'false',
            },
          ],
        },
      },
    },
  });
}

async function deliver(t: ConnectedTenant, body: string, key = t.emulatorSecrets.docusignHmacKey) {
  return workerFetch(`http://handoff/v1/webhooks/docusign/${t.tenantId}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-docusign-signature-1': await signConnectBody(key, body),
    },
    body,
  });
}

async function amendments(t: ConnectedTenant) {
  return (await json(await adminCall(t, 'GET', `/v1/amendments?contractKey=${GLOBEX}`))).amendments as {
    number: number;
    state: string;
    contractVersion: number | null;
    message: string | null;
  }[];
}

async function liveGlobex() {
  const t = await newTenant();
  await activate(t, GLOBEX);
  const ws = psaProjectIdOf(await waitForActivation(t, GLOBEX));
  return { t, ws };
}

describe('amendments end to end', () => {
  it('a signed change order (replayed ten times) is approved on its Teams card, applied once, propagated, and holds time at the superseded rate', async () => {
    await using _wf = await fastWorkflows();
    const { t, ws } = await liveGlobex();
    const tid = await connectTeams(t);
    await tmWeek(kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken), ws);
    await syncNow(t);
    await waitForReadiness(t, ws, (x) => x.counts.posted === 4);
    const before = { ns: await effects(t, 'netsuite'), kt: await effects(t, 'kantata') };

    // Consultant 165 → 180 from 2026-11-17, and the cap from 250,000 to 300,000.
    const body = envelopeCompleted({
      envelopeId: 'env-amd-1',
      number: 1,
      effectiveDate: '2026-11-17',
      changes: {
        rates: [
          { role: 'Consultant', rate: { amountMinor: 18_000, currency: 'USD' }, effectiveFrom: '2026-11-17' },
        ],
        notToExceed: { amountMinor: 30_000_000, currency: 'USD' },
      },
    });
    const replies = [];
    for (let i = 0; i < 10; i++) replies.push(await json(await deliver(t, body)));
    expect(replies.filter((r) => r.duplicate === false)).toHaveLength(1);
    expect(new Set(replies.map((r) => r.id)).size).toBe(1);

    // A forged delivery is refused.
    expect((await deliver(t, body, btoa('not-the-key-not-the-key'))).status).toBe(401);

    // Ava gets the change-order card with the before/after and the time at the old rate.
    const pending = await waitFor(
      () => amendments(t),
      (a) => a[0]?.state === 'awaiting_approval',
    );
    expect(pending).toHaveLength(1);
    const card = await waitFor(
      async () =>
        (await cardsSentTo(PEOPLE.ava.aadObjectId))
          .map((c) => JSON.stringify(c.card))
          .find((c) => c.includes('changeOrder.approve')),
      (c) => Boolean(c),
    );
    expect(card).toContain('USD 165.00');
    expect(card).toContain('USD 180.00');
    const changeOrderId = /"changeOrderId":"(apr_[^"]+)"/.exec(card!)![1]!;

    // Dev cannot approve it; Ava can.
    await cardAction(tid, PEOPLE.dev, 'changeOrder.approve', { kind: 'changeOrder', changeOrderId });
    expect((await amendments(t))[0]?.state).toBe('awaiting_approval');
    const approved = await json(
      await cardAction(tid, PEOPLE.ava, 'changeOrder.approve', { kind: 'changeOrder', changeOrderId }),
    );
    expect(JSON.stringify(approved.value)).toMatch(/approved/i);

    const applied = await waitFor(
      () => amendments(t),
      (a) => a[0]?.state === 'applied' || a[0]?.state === 'failed',
    );
    expect(applied[0]?.state, applied[0]?.message ?? '').toBe('applied');
    expect(applied[0]?.contractVersion).toBe(2);

    // Propagated to the PSA (new rate card version, budget) and the ERP (project cap), once.
    const after = { ns: await effects(t, 'netsuite'), kt: await effects(t, 'kantata') };
    // A new rate card version from the amendment's date (and for any later rate dates of the contract).
    expect(
      (after.kt['rate_card_set_version.create'] ?? 0) - (before.kt['rate_card_set_version.create'] ?? 0),
    ).toBeGreaterThanOrEqual(1);
    expect((after.ns['job.update'] ?? 0) - (before.ns['job.update'] ?? 0)).toBeGreaterThanOrEqual(1);

    // Chloe's 7.5 h on 2026-11-18 was posted at 165: held for review before it can be invoiced.
    const r = await waitForReadiness(t, ws, (x) =>
      x.exceptions.some((e) => e.rule === 'superseded-by-amendment'),
    );
    const held = r.exceptions.filter((e) => e.rule === 'superseded-by-amendment');
    expect(held).toHaveLength(1);
    expect(held[0]?.reason).toMatch(/2026-11-18/);
    expect(r.totals.notToExceed).toEqual({ amountMinor: 30_000_000, currency: 'USD' });

    // Replaying the envelope after it was applied changes nothing.
    const late = await json(await deliver(t, body));
    expect(late.duplicate).toBe(true);
    await new Promise((res) => setTimeout(res, 500));
    expect(await effects(t, 'kantata')).toEqual(after.kt);
    expect((await amendments(t)).map((a) => a.contractVersion)).toEqual([2]);
  });

  it('waits while the PSA is offline, without an exception, and is applied once the cron finds the PSA back', async () => {
    await using _wf = await fastWorkflows();
    const { t } = await liveGlobex();
    await connectTeams(t, { alwaysForRates: false, approveAboveMinor: 1_000_000_000 });
    // Kantata is down: the project's poll fails five times in a row and the PSA is marked offline.
    await injectFaults(t, 'kantata', [{ kind: 'outage', mode: 'reset' }]);
    await syncNow(t);
    const psaState = async () =>
      (await json(await adminCall(t, 'GET', '/v1/console/health'))).connections.find(
        (c: { role: string }) => c.role === 'psa',
      ).state as string;
    await waitFor(psaState, (s) => s === 'offline');
    const body = envelopeCompleted({
      envelopeId: 'env-outage',
      number: 1,
      effectiveDate: '2026-11-20',
      changes: { notToExceed: { amountMinor: 28_000_000, currency: 'USD' } },
    });
    expect((await deliver(t, body)).status).toBe(202);
    const waiting = await waitFor(
      () => amendments(t),
      (a) => /PSA is offline/.test(a[0]?.message ?? ''),
    );
    expect(waiting[0]?.state).not.toBe('failed');
    const open = (await json(await adminCall(t, 'GET', '/v1/exceptions?status=open'))).exceptions;
    expect(open).toEqual([]);

    await clearFaults(t, 'kantata');
    await runCron();
    const done = await waitFor(
      () => amendments(t),
      (a) => a[0]?.state === 'applied' || a[0]?.state === 'failed',
    );
    expect(done.map((a) => [a.state, a.contractVersion])).toEqual([['applied', 2]]);
    expect((await json(await adminCall(t, 'GET', '/v1/exceptions?status=open'))).exceptions).toEqual([]);
  });

  it('two amendments to one contract apply in order, even when the second arrives first', async () => {
    await using _wf = await fastWorkflows();
    const { t } = await liveGlobex();
    await connectTeams(t, { alwaysForRates: false, approveAboveMinor: 1_000_000_000 });
    const second = envelopeCompleted({
      envelopeId: 'env-2',
      number: 2,
      effectiveDate: '2026-12-01',
      changes: { notToExceed: { amountMinor: 32_000_000, currency: 'USD' } },
    });
    const first = envelopeCompleted({
      envelopeId: 'env-1',
      number: 1,
      effectiveDate: '2026-11-20',
      changes: { notToExceed: { amountMinor: 28_000_000, currency: 'USD' } },
    });
    // Out of order (Connect delivers the second first): it is kept and waits, visibly, for the first.
    expect((await deliver(t, second)).status).toBe(202);
    const waiting = await waitFor(
      () => amendments(t),
      (a) => (a[0]?.message ?? '').includes('Waiting for amendment 1'),
    );
    expect(waiting[0]?.state).toBe('received');
    expect((await deliver(t, first)).status).toBe(202);
    const done = await waitFor(
      () => amendments(t),
      (a) => a.length === 2 && a.every((x) => x.state === 'applied' || x.state === 'failed'),
    );
    expect(
      done.map((a) => [a.number, a.state, a.contractVersion]),
      JSON.stringify(done.map((a) => a.message)),
    ).toEqual([
      [1, 'applied', 2],
      [2, 'applied', 3],
    ]);
  });
});
