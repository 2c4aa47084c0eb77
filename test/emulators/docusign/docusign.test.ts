import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AMENDMENT_FIELDS,
  type DocuSignConnectError,
  parseEnvelopeCompleted,
  signConnectBody,
  verifyConnectSignature,
} from '../../../worker/connectors/docusign';
import { simMessage } from './connect-delivery';
import { docusignEmulator } from './emulator';
import { initialDocuSignState } from './state';

const OLD_KEY = 'old-connect-key-6f1b';
const NEW_KEY = 'new-connect-key-9a2c';

const changes = {
  rates: [
    { role: 'Consultant', rate: { amountMinor: 22_500, currency: 'USD' }, effectiveFrom: '2026-04-01' },
  ],
  milestones: { changed: [{ key: 'a01-2', amount: { amountMinor: 9_000_000, currency: 'USD' } }] },
};

let emulator: { url: string; close(): Promise<void> };
let listener: Server;
let listenerUrl: string;
const received: { verified: boolean; body: string }[] = [];
let failNext = 0;

beforeAll(async () => {
  emulator = await docusignEmulator.listen(0);
  // The listener Handoff would run: verify against the raw body, then parse.
  const app = new Hono();
  app.post('/connect', async (c) => {
    const raw = await c.req.text();
    const verified = await verifyConnectSignature(raw, c.req.raw.headers, [NEW_KEY]);
    received.push({ verified, body: raw });
    if (!verified) return c.text('bad signature', 401);
    if (failNext > 0) {
      failNext -= 1;
      return c.text('busy', 503);
    }
    return c.body(null, 200);
  });
  await new Promise<void>((resolve) => {
    listener = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      listenerUrl = `http://127.0.0.1:${info.port}/connect`;
      resolve();
    }) as Server;
  });
});

afterAll(async () => {
  await emulator.close();
  await new Promise((r) => listener.close(r));
});

async function instance(id: string, hmacSecrets: string[]) {
  const res = await fetch(`${emulator.url}/__emulator/instances`, {
    method: 'POST',
    body: JSON.stringify({ id }),
  });
  const { baseUrl } = (await res.json()) as { baseUrl: string };
  await fetch(`${emulator.url}/__emulator/instances/${id}/connect`, {
    method: 'PUT',
    body: JSON.stringify({ urlToPublishTo: listenerUrl, hmacSecrets, retryDelaysMs: [10, 10, 10] }),
  });
  return baseUrl;
}

const accountId = 'f1e2d3c4-0000-4000-8000-00000000a001';

async function sendAmendment(baseUrl: string) {
  const res = await fetch(`${baseUrl}/restapi/v2.1/accounts/${accountId}/envelopes`, {
    method: 'POST',
    headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' },
    body: JSON.stringify({
      emailSubject: 'Please sign: SOW-1001 Amendment 2',
      status: 'sent',
      documents: [{ documentId: '1', name: 'Amendment 2.pdf', documentBase64: 'JVBERi0=' }],
      recipients: { signers: [{ name: 'Dana Reyes', email: 'dana@northwind.example', recipientId: '1' }] },
      customFields: {
        textCustomFields: [
          { name: AMENDMENT_FIELDS.contractKey, value: '006000000000001AAA', show: 'false' },
          { name: AMENDMENT_FIELDS.amendmentNumber, value: '2', show: 'false' },
          { name: AMENDMENT_FIELDS.effectiveDate, value: '2026-04-01', show: 'false' },
          { name: AMENDMENT_FIELDS.changes, value: JSON.stringify(changes), show: 'false' },
        ],
      },
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { envelopeId: string }).envelopeId;
}

describe('DocuSign envelopes and Connect', () => {
  it('refuses a request without a bearer token, and an incomplete envelope, in DocuSign error shape', async () => {
    const baseUrl = await instance('ds-errors', [NEW_KEY]);
    const noAuth = await fetch(`${baseUrl}/restapi/v2.1/accounts/${accountId}/envelopes`, {
      method: 'POST',
      body: '{}',
    });
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toMatchObject({ errorCode: 'AUTHORIZATION_INVALID_TOKEN' });
    const incomplete = await fetch(`${baseUrl}/restapi/v2.1/accounts/${accountId}/envelopes`, {
      method: 'POST',
      headers: { authorization: 'Bearer t' },
      body: JSON.stringify({ status: 'sent', emailSubject: 'x', recipients: { signers: [] } }),
    });
    expect(incomplete.status).toBe(400);
    expect(await incomplete.json()).toMatchObject({ errorCode: 'ENVELOPE_IS_INCOMPLETE' });
  });

  it('delivers envelope-completed signed with every active key, retries a failing listener, and the amendment parses', async () => {
    // Key rotation: DocuSign signs with both keys; the listener only knows the new one.
    const baseUrl = await instance('ds-rotation', [OLD_KEY, NEW_KEY]);
    const envelopeId = await sendAmendment(baseUrl);
    received.length = 0;
    failNext = 2;
    const done = await fetch(
      `${emulator.url}/__emulator/instances/ds-rotation/envelopes/${envelopeId}/complete`,
      {
        method: 'POST',
        body: JSON.stringify({ completedDateTime: '2026-03-28T15:04:05.000Z' }),
      },
    );
    const { attempts } = (await done.json()) as { attempts: { attempt: number; status: number }[] };
    expect(attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    expect(received.every((r) => r.verified)).toBe(true);
    const effects = (await (
      await fetch(`${emulator.url}/__emulator/instances/ds-rotation/effects`)
    ).json()) as { effects: Record<string, number> };
    expect(effects.effects).toMatchObject({
      'envelope.create': 1,
      'envelope.complete': 1,
      'connect.deliver': 1,
    });

    const last = JSON.parse(received.at(-1)!.body);
    expect(last.retryCount).toBe(2);
    const amendment = parseEnvelopeCompleted(received.at(-1)!.body);
    expect(amendment).toMatchObject({
      envelopeId,
      accountId,
      contractKey: '006000000000001AAA',
      amendmentNumber: 2,
      effectiveDate: '2026-04-01',
      signedAt: '2026-03-28T15:04:05.000Z',
      signedBy: [
        { name: 'Dana Reyes', email: 'dana@northwind.example', signedAt: '2026-03-28T15:04:05.000Z' },
      ],
      retryCount: 2,
    });
    expect(amendment.changes.rates[0]).toEqual({ ...changes.rates[0], unit: 'hour' });
    expect(amendment.changes.milestones.changed).toEqual(changes.milestones.changed);
  });

  it('gives up after the configured retries when every delivery is refused, recording each attempt', async () => {
    const baseUrl = await instance('ds-wrong-key', [OLD_KEY]);
    const envelopeId = await sendAmendment(baseUrl);
    const done = await fetch(
      `${emulator.url}/__emulator/instances/ds-wrong-key/envelopes/${envelopeId}/complete`,
      {
        method: 'POST',
        body: '{}',
      },
    );
    const { attempts } = (await done.json()) as { attempts: { status: number }[] };
    expect(attempts.map((a) => a.status)).toEqual([401, 401, 401, 401]);
    const effects = (await (
      await fetch(`${emulator.url}/__emulator/instances/ds-wrong-key/effects`)
    ).json()) as { effects: Record<string, number> };
    expect(effects.effects['connect.fail']).toBe(1);
    expect(effects.effects['connect.deliver']).toBeUndefined();
  });
});

describe('verifyConnectSignature', () => {
  const body = '{"event":"envelope-completed"}';
  it('accepts a match on any header with any key and refuses a changed body or unknown key', async () => {
    const sig = await signConnectBody(NEW_KEY, body);
    const other = await signConnectBody('someone-else', body);
    const headers = new Headers({ 'X-DocuSign-Signature-1': other, 'X-DocuSign-Signature-2': sig });
    expect(await verifyConnectSignature(body, headers, [OLD_KEY, NEW_KEY])).toBe(true);
    expect(await verifyConnectSignature(`${body} `, headers, [NEW_KEY])).toBe(false);
    expect(await verifyConnectSignature(body, headers, [OLD_KEY])).toBe(false);
    expect(await verifyConnectSignature(body, new Headers(), [NEW_KEY])).toBe(false);
    expect(await verifyConnectSignature(body, { 'x-docusign-signature-1': 'not base64!' }, [NEW_KEY])).toBe(
      false,
    );
    expect(await verifyConnectSignature(body, { 'x-docusign-signature-1': sig }, [])).toBe(false);
  });
});

describe('parseEnvelopeCompleted', () => {
  const state = initialDocuSignState({});
  const base = (fields: { name: string; value: string }[], status: 'completed' | 'sent' = 'completed') =>
    simMessage(
      state,
      {
        envelopeId: 'env-1',
        status,
        emailSubject: 's',
        createdDateTime: '2026-03-01T00:00:00Z',
        completedDateTime: '2026-03-28T10:00:00Z',
        statusChangedDateTime: '2026-03-28T10:00:00Z',
        signers: [
          {
            recipientId: '1',
            name: 'A',
            email: 'a@x.example',
            status: 'completed',
            signedDateTime: '2026-03-28T10:00:00Z',
          },
        ],
        textCustomFields: fields.map((f, i) => ({
          ...f,
          fieldId: String(i),
          show: 'false',
          required: 'false',
        })),
      },
      'envelope-completed',
      0,
      'http://x',
    );
  const errorOf = (json: unknown) => {
    try {
      parseEnvelopeCompleted(json);
    } catch (e) {
      return e as DocuSignConnectError;
    }
    throw new Error('expected a refusal');
  };

  it('says which amendment field is wrong', () => {
    const e = errorOf(
      base([
        { name: AMENDMENT_FIELDS.contractKey, value: '006X' },
        { name: AMENDMENT_FIELDS.amendmentNumber, value: 'two' },
        {
          name: AMENDMENT_FIELDS.changes,
          value: JSON.stringify({ budget: { amountMinor: 1.5, currency: 'USD' } }),
        },
      ]),
    );
    expect(e.code).toBe('INVALID_AMENDMENT');
    expect(e.issues.map((i) => i.path)).toEqual([
      AMENDMENT_FIELDS.amendmentNumber,
      `${AMENDMENT_FIELDS.changes}.budget.amountMinor`,
    ]);
  });

  it('tells a non-amendment envelope, another event and a message without data apart', () => {
    expect(errorOf(base([])).code).toBe('NOT_AN_AMENDMENT');
    expect(errorOf({ ...base([]), event: 'envelope-sent' }).code).toBe('UNSUPPORTED_EVENT');
    const bare = base([]);
    expect(errorOf({ ...bare, data: { accountId: 'a', envelopeId: 'e' } }).code).toBe(
      'MISSING_ENVELOPE_DATA',
    );
    expect(errorOf('not json').code).toBe('INVALID_PAYLOAD');
  });

  it('takes the completion date as the effective date when the envelope has none', () => {
    const ok = parseEnvelopeCompleted(
      base([
        { name: AMENDMENT_FIELDS.contractKey, value: '006X' },
        { name: AMENDMENT_FIELDS.amendmentNumber, value: '1' },
        { name: AMENDMENT_FIELDS.changes, value: JSON.stringify({ endDate: '2027-01-31' }) },
      ]),
    );
    expect(ok.effectiveDate).toBe('2026-03-28');
    expect(ok.changes.endDate).toBe('2027-01-31');
  });
});
