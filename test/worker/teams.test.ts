import { describe, expect, it } from 'vitest';
import { completeMilestone, kantataActor } from '../support/delivery-demo';
import {
  activate,
  cardAction,
  cardsSentTo,
  connectTeams,
  effects,
  fastWorkflows,
  json,
  newTenant,
  PEOPLE,
  psaProjectIdOf,
  syncNow,
  waitFor,
  waitForActivation,
  waitForReadiness,
} from './harness';

const NORTHWIND = '006000000000001AAA';

async function milestoneAwaitingAcceptance() {
  const t = await newTenant();
  const tid = await connectTeams(t);
  await activate(t, NORTHWIND);
  const ws = psaProjectIdOf(await waitForActivation(t, NORTHWIND));
  await completeMilestone(
    kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken),
    ws,
    'Discovery',
  );
  await syncNow(t);
  const r = await waitForReadiness(t, ws, (x) => x.milestones[0]?.state === 'awaiting_acceptance');
  return { t, tid, ws, approvalId: r.milestones[0]!.approvalId! };
}

describe('Teams: the bot endpoint only believes the Bot Framework', () => {
  for (const variant of [
    'unknown_key',
    'expired',
    'wrong_audience',
    'wrong_issuer',
    'wrong_service_url',
    'no_service_url',
  ]) {
    it(`refuses a ${variant.replace(/_/g, ' ')} token with 403`, async () => {
      const res = await cardAction(crypto.randomUUID(), PEOPLE.ava, 'refresh', {}, variant);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    });
  }
});

describe('Teams: milestone acceptance on an Adaptive Card', () => {
  it('sends the card to the assigned approver; a non-approver cannot decide; the approver accepts and the invoice follows', async () => {
    await using _wf = await fastWorkflows();
    const { t, tid, ws, approvalId } = await milestoneAwaitingAcceptance();

    // Ava got the card proactively, with Accept and Reject.
    // The sync that asked for acceptance sends the card right after it, in the background.
    const card = await waitFor(
      async () =>
        (await cardsSentTo(PEOPLE.ava.aadObjectId)).find((s) => JSON.stringify(s.card).includes(approvalId)),
      Boolean,
    );
    expect(JSON.stringify(card?.card)).toContain('milestone.accept');

    // Dev clicks Accept on a copy of the card: the server says no, whatever the card data claims.
    const denied = await cardAction(tid, PEOPLE.dev, 'milestone.accept', {
      kind: 'milestoneAcceptance',
      approvalId,
    });
    expect(denied.status).toBe(200);
    const deniedCard = JSON.stringify(await denied.json());
    expect(deniedCard).not.toContain('milestone.accept');
    const still = await waitForReadiness(t, ws, () => true);
    expect(still.milestones[0]?.state).toBe('awaiting_acceptance');

    // Ava accepts: the card answers at once with the decision, and the invoice is created in the ERP.
    const started = Date.now();
    const accepted = await cardAction(tid, PEOPLE.ava, 'milestone.accept', {
      kind: 'milestoneAcceptance',
      approvalId,
    });
    expect(Date.now() - started).toBeLessThan(5000);
    const body = await json(accepted);
    expect(body.statusCode).toBe(200);
    expect(JSON.stringify(body.value)).toMatch(/accepted/i);
    expect(JSON.stringify(body.value)).toContain('Ava Chen');
    const invoiced = await waitForReadiness(t, ws, (x) => x.milestones[0]?.state === 'invoiced');
    expect(invoiced.milestones[0]?.invoiceNumber).toBeTruthy();
    expect((await effects(t, 'netsuite'))['invoice.create']).toBe(1);

    // A second click (Teams retries invokes) changes nothing.
    await cardAction(tid, PEOPLE.ava, 'milestone.accept', { kind: 'milestoneAcceptance', approvalId });
    expect((await effects(t, 'netsuite'))['invoice.create']).toBe(1);

    // The card Ava received was updated to show who accepted it.
    const updated = await waitFor(
      async () =>
        JSON.stringify(
          (await cardsSentTo(PEOPLE.ava.aadObjectId)).find((s) => JSON.stringify(s.card).includes(approvalId))
            ?.card,
        ) ?? '',
      (c) => c.includes('Accepted by'),
      15_000,
    );
    expect(updated).toContain('Accepted by');
    expect(updated).not.toContain('milestone.accept');
  });

  it('lists my approvals in the tab with Teams SSO, and refuses a token for another audience', async () => {
    await using _wf = await fastWorkflows();
    const { tid, approvalId } = await milestoneAwaitingAcceptance();
    const entra = `${(await import('./harness')).testEnv.EMULATORS.entra}/__emulator/instances/entra/sso-token`;
    const mint = async (aud: string, oid = PEOPLE.ava.aadObjectId) =>
      (
        (await (
          await fetch(entra, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ tid, oid, name: 'Ava Chen', aud }),
          })
        ).json()) as { token: string }
      ).token;
    const good = await mint('api://handoff.test/00000000-0000-4000-8000-00000000b07a');
    const { workerFetch } = await import('./harness');
    const mine = await json(
      await workerFetch('http://handoff/v1/teams/me/approvals', {
        headers: { authorization: `Bearer ${good}` },
      }),
    );
    expect(mine.items.map((i: { id: string }) => i.id)).toContain(approvalId);
    const wrong = await workerFetch('http://handoff/v1/teams/me/approvals', {
      headers: { authorization: `Bearer ${await mint('api://someone-else/app')}` },
    });
    expect(wrong.status).toBe(401);
    const devToken = await mint(
      'api://handoff.test/00000000-0000-4000-8000-00000000b07a',
      PEOPLE.dev.aadObjectId,
    );
    const devDecides = await workerFetch(`http://handoff/v1/teams/me/approvals/${approvalId}/decision`, {
      method: 'POST',
      headers: { authorization: `Bearer ${devToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'accept' }),
    });
    expect(devDecides.status).toBe(403);
  });
});

describe('Teams: the bot token only goes to Microsoft', () => {
  it('refuses a tenant-configured service URL that is not a Bot Connector host', async () => {
    const t = await newTenant();
    const res = await (await import('./harness')).adminCall(t, 'PUT', '/v1/admin/approvals-policy', {
      policy: { milestoneApprover: PEOPLE.ava, teamsServiceUrl: 'https://attacker.example/teams/' },
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { details: { field: string }[] } }).error.details[0]?.field).toBe(
      'policy.teamsServiceUrl',
    );
  });
});
