/**
 * An amendment is checked against the contract before anything is stored: numbered consecutively (the
 * same number again only for the same document), every amount in the contract currency, real dates,
 * bounded numbers, no blank names, no negative money. Refusals are 4xx in the envelope, with the field and
 * the fix; nothing refused is recorded.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { signConnectBody } from '../../worker/connectors/docusign';
import { MAX_AHEAD } from '../../worker/domain/amendments/receive-amendment';
import type { ConnectedTenant } from '../support/connect-tenant';
import {
  activate,
  adminCall,
  connectTeams,
  fastWorkflows,
  type Json,
  json,
  newTenant,
  waitForActivation,
  workerFetch,
} from './harness';

const GLOBEX = '006000000000002AAA';
const NOT_ACTIVATED = '006000000000009AAA';

let t: ConnectedTenant;

beforeAll(async () => {
  await using _wf = await fastWorkflows();
  t = await newTenant();
  await activate(t, GLOBEX);
  await waitForActivation(t, GLOBEX);
  await connectTeams(t, { alwaysForRates: false, approveAboveMinor: 1_000_000_000 });
}, 120_000);

const cap = (amountMinor: number, currency = 'USD') => ({ notToExceed: { amountMinor, currency } });

function amendment(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    crmRecordId: GLOBEX,
    number: 1,
    amendmentRef: `a1X${crypto.randomUUID().slice(0, 12)}`,
    effectiveDate: '2026-11-17',
    signedBy: [{ name: 'Hank Scorpio', email: 'hank@globex.example' }],
    changes: cap(28_000_000),
    ...over,
  };
}

async function send(body: unknown) {
  const res = await workerFetch('http://handoff/v1/amendments', {
    method: 'POST',
    headers: {
      authorization: `Bearer ${t.keys.crm}`,
      'content-type': 'application/json',
      'idempotency-key': crypto.randomUUID(),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function recorded(): Promise<number[]> {
  const res = await adminCall(t, 'GET', `/v1/amendments?contractKey=${GLOBEX}`);
  return ((await json(res)).amendments as { number: number }[]).map((a) => a.number);
}

const fields = (body: Json): string[] => (body.error.details ?? []).map((d: { field: string }) => d.field);

describe('POST /v1/amendments refuses what does not fit, before storing it', () => {
  it('numbers amendments: far ahead or a taken number is 409 with the fix; a redelivery is accepted', async () => {
    await using _wf = await fastWorkflows();
    // Further ahead than an out-of-order delivery explains: amendments are missing.
    const gap = await send(amendment({ number: 2 + MAX_AHEAD }));
    expect(gap.status).toBe(409);
    expect(gap.body.error.code).toBe('CONFLICT');
    expect(gap.body.error.details[0]).toMatchObject({
      field: 'number',
      message: `expected at most ${MAX_AHEAD} (amendment 1 is the next one missing)`,
    });
    expect(gap.body.error.details[0].fix).toMatch(/Send amendment 1 first/);
    expect(await recorded()).toEqual([]);

    const first = amendment({ number: 1 });
    const ok = await send(first);
    expect(ok.status).toBe(202);
    expect(ok.body.duplicate).toBe(false);

    // The same document again (a retry with a new Idempotency-Key): the same amendment, nothing new.
    const again = await send(first);
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ id: ok.body.id, duplicate: true });

    // Another document claiming number 1.
    const taken = await send(amendment({ number: 1 }));
    expect(taken.status).toBe(409);
    expect(taken.body.error.details[0].field).toBe('number');
    expect(taken.body.error.details[0].fix).toMatch(/number it 2/);

    const skip = await send(amendment({ number: 2 + MAX_AHEAD }));
    expect(skip.status).toBe(409);
    expect(skip.body.error.details[0].message).toBe(
      `expected at most ${1 + MAX_AHEAD} (amendment 2 is the next one missing)`,
    );
    expect(await recorded()).toEqual([1]);
  });

  it('bounds the number: a huge one never builds a row (400)', async () => {
    for (const number of [1_000_000_000, Number.MAX_SAFE_INTEGER, 1000, 0, -1, 1.5]) {
      const r = await send(amendment({ number }));
      expect(r.status, String(number)).toBe(400);
      expect(fields(r.body)).toContain('number');
    }
  });

  it('refuses money in another currency than the contract, naming the field (422)', async () => {
    const r = await send(
      amendment({
        number: 2,
        changes: {
          rates: [
            {
              role: 'Consultant',
              rate: { amountMinor: 18_000, currency: 'EUR' },
              effectiveFrom: '2026-11-17',
            },
          ],
          budget: { amountMinor: 30_000_000, currency: 'USD' },
          notToExceed: { amountMinor: 30_000_000, currency: 'GBP' },
        },
      }),
    );
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(fields(r.body)).toEqual(['changes.rates.0.rate.currency', 'changes.notToExceed.currency']);
    expect(r.body.error.details[0].fix).toMatch(/USD/);
  });

  it('refuses an unknown ISO 4217 code, negative or fractional minor units, impossible dates and blank names (400)', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ changes: cap(100, 'usd') }, 'changes.notToExceed.currency'],
      [{ changes: cap(100, 'XYZ') }, 'changes.notToExceed.currency'],
      [{ changes: cap(-100) }, 'changes.notToExceed.amountMinor'],
      [{ changes: cap(12.5) }, 'changes.notToExceed.amountMinor'],
      [{ changes: cap(2 ** 60) }, 'changes.notToExceed.amountMinor'],
      [{ effectiveDate: '2026-02-30' }, 'effectiveDate'],
      [{ effectiveDate: '2026-13-01' }, 'effectiveDate'],
      [{ changes: { endDate: '2027-02-29' } }, 'changes.endDate'],
      [{ signedBy: [{ name: '   ' }] }, 'signedBy.0.name'],
      [
        {
          changes: {
            rates: [{ role: ' \t ', rate: { amountMinor: 1, currency: 'USD' }, effectiveFrom: '2026-11-17' }],
          },
        },
        'changes.rates.0.role',
      ],
      [{ amendmentRef: '  ' }, 'amendmentRef'],
      [{ crmRecordId: '800000000000001AAA' }, 'crmRecordId'],
    ];
    for (const [over, field] of cases) {
      const r = await send(amendment({ number: 2, ...over }));
      expect(r.status, JSON.stringify(over)).toBe(400);
      expect(fields(r.body), JSON.stringify(over)).toContain(field);
    }
    expect(await recorded()).toEqual([1]);
  });

  it('refuses an amendment to a contract Handoff has not activated (404, with the field)', async () => {
    const r = await send(amendment({ crmRecordId: NOT_ACTIVATED }));
    expect(r.status).toBe(404);
    expect(fields(r.body)).toEqual(['crmRecordId']);
  });
});

describe('DocuSign Connect amendments get the same checks', () => {
  async function deliver(fieldsIn: Record<string, string>) {
    const envelopeId = `env-${crypto.randomUUID()}`;
    const now = new Date().toISOString();
    const body = JSON.stringify({
      event: 'envelope-completed',
      retryCount: 0,
      data: {
        accountId: 'acc-1',
        envelopeId,
        envelopeSummary: {
          status: 'completed',
          completedDateTime: now,
          recipients: {
            signers: [{ name: 'Hank Scorpio', email: 'hank@globex.example', status: 'completed' }],
          },
          customFields: {
            textCustomFields: Object.entries({
              handoff_contract_key: GLOBEX,
              effective_date: '2026-12-01',
              handoff_changes: JSON.stringify(cap(29_000_000)),
              ...fieldsIn,
            }).map(([name, value]) => ({ name, value })),
          },
        },
      },
    });
    const res = await workerFetch(`http://handoff/v1/webhooks/docusign/${t.tenantId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-docusign-signature-1': await signConnectBody(t.emulatorSecrets.docusignHmacKey, body),
      },
      body,
    });
    return { status: res.status, body: (await res.json()) as Json };
  }

  it('refuses a huge or impossible amendment number and an impossible date (422), a gap (409), another currency (422)', async () => {
    for (const n of ['1000000000', '99999999999999999999', '0', '1e3', '']) {
      const r = await deliver({ amendment_number: n });
      expect(r.status, n).toBe(422);
      expect(r.body.error.message).toMatch(/amendment_number/);
    }
    const date = await deliver({ amendment_number: '2', effective_date: '2026-02-30' });
    expect(date.status).toBe(422);
    expect(fields(date.body)).toEqual(['effective_date']);
    expect(date.body.error.details[0].fix).toMatch(/resend it for signature/);

    const gap = await deliver({ amendment_number: String(2 + MAX_AHEAD) });
    expect(gap.status).toBe(409);
    expect(gap.body.error.details[0]).toMatchObject({
      field: 'amendment_number',
      message: `expected at most ${1 + MAX_AHEAD} (amendment 2 is the next one missing)`,
    });

    const eur = await deliver({
      amendment_number: '2',
      handoff_changes: JSON.stringify(cap(29_000_000, 'EUR')),
    });
    expect(eur.status).toBe(422);
    expect(fields(eur.body)).toEqual(['handoff_changes.notToExceed.currency']);
    expect(await recorded()).toEqual([1]);
  });
});
