import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KantataWebhookError, parseKantataWebhook } from '../../../worker/connectors/kantata/webhook';
import { runs, SEED, SEEDED } from '../seed';

/**
 * The Standard Webhooks reference vector (standard-webhooks libraries' "sign function works" test, and Svix's
 * documentation): the same values appear in many independent verifiers.
 */
const V = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

function sign(secret: string, id: string, ts: number | string, body: string | Uint8Array): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const h = createHmac('sha256', key).update(`${id}.${ts}.`).update(body);
  return `v1,${h.digest('base64')}`;
}

/** What the parser decided: 'ok', or its error code. The vector's body is not a Kantata event, so a
 *  delivery whose signature is accepted ends in BAD_PAYLOAD (authenticated, then refused as content). */
async function verdict(
  headers: Record<string, string>,
  body: string | Uint8Array,
  secret: string,
  nowSeconds: number,
): Promise<string> {
  try {
    await parseKantataWebhook(headers, body, secret, { nowSeconds });
    return 'ok';
  } catch (e) {
    if (e instanceof KantataWebhookError) return e.code;
    throw e;
  }
}

const hdrs = (id: string, ts: number | string, sig: string) => ({
  'webhook-id': id,
  'webhook-timestamp': String(ts),
  'webhook-signature': sig,
});
const ACCEPTED = 'BAD_PAYLOAD';
const opts = (n: number) => ({ seed: SEED, numRuns: runs(n) });

describe(`Standard Webhooks verification ${SEEDED}`, () => {
  it('the reference vector: our independent HMAC reproduces it, and the parser accepts its signature', async () => {
    expect(sign(V.secret, V.id, V.timestamp, V.payload)).toBe(V.signature);
    expect(await verdict(hdrs(V.id, V.timestamp, V.signature), V.payload, V.secret, V.timestamp)).toBe(
      ACCEPTED,
    );
    // Same, as bytes and as a Headers object.
    expect(
      await verdict(
        Object.fromEntries(new Headers(hdrs(V.id, V.timestamp, V.signature))),
        new TextEncoder().encode(V.payload),
        V.secret,
        V.timestamp + 299,
      ),
    ).toBe(ACCEPTED);
  });

  it('a Kantata event signed like the vector is read', async () => {
    const body = JSON.stringify({
      id: 7,
      event_type: 'time_entry:updated',
      subject_type: 'TimeEntry',
      subject_id: 99,
      current_payload: { workspace_id: 12 },
    });
    const ev = await parseKantataWebhook(
      hdrs(V.id, V.timestamp, sign(V.secret, V.id, V.timestamp, body)),
      body,
      V.secret,
      { nowSeconds: V.timestamp },
    );
    expect(ev).toEqual({
      id: V.id,
      eventId: '7',
      event: 'time_entry:updated',
      subjectType: 'TimeEntry',
      subjectId: '99',
      workspaceId: '12',
    });
  });

  it('flipping any bit of the body, the id, the timestamp or the signature is refused', async () => {
    const body = new TextEncoder().encode(V.payload);
    const sigBytes = Buffer.from(V.signature.slice(3), 'base64');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('body', 'id', 'timestamp', 'signature'),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        async (part, at, bit) => {
          let b: Uint8Array = body;
          let id = V.id;
          let ts = String(V.timestamp);
          let sig = V.signature;
          if (part === 'body') {
            b = Uint8Array.from(body);
            b[at % b.length] = b[at % b.length]! ^ (1 << bit);
          } else if (part === 'id') {
            const i = at % id.length;
            id = id.slice(0, i) + String.fromCharCode(id.charCodeAt(i) ^ (1 << (bit % 5))) + id.slice(i + 1);
          } else if (part === 'timestamp') {
            // A different second inside the window: authenticated content changed, so the MAC fails.
            ts = String(V.timestamp + 1 + (at % 200));
          } else {
            const s = Buffer.from(sigBytes);
            s[at % s.length] = s[at % s.length]! ^ (1 << bit);
            sig = `v1,${s.toString('base64')}`;
          }
          const v = await verdict(hdrs(id, ts, sig), b, V.secret, V.timestamp);
          expect(v).toBe('BAD_SIGNATURE');
        },
      ),
      opts(200),
    );
  });

  it('old and future timestamps are refused even when correctly signed; inside ±5 minutes they pass', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -100_000, max: 100_000 }), async (skew) => {
        const ts = V.timestamp + skew;
        const v = await verdict(
          hdrs(V.id, ts, sign(V.secret, V.id, ts, V.payload)),
          V.payload,
          V.secret,
          V.timestamp,
        );
        expect(v).toBe(Math.abs(skew) > 300 ? 'STALE' : ACCEPTED);
      }),
      opts(300),
    );
    for (const bad of ['', 'abc', '1614265330.5', '-1614265330', '1e9'])
      expect(await verdict(hdrs(V.id, bad, V.signature), V.payload, V.secret, V.timestamp)).not.toBe(
        ACCEPTED,
      );
  });

  it('several signatures, one valid, in any position, is accepted; none valid is refused', async () => {
    const other = fc
      .uint8Array({ minLength: 32, maxLength: 32 })
      .map((b) => `v1,${Buffer.from(b).toString('base64')}`);
    const junk = fc.constantFrom('v2,abc', 'v1,', 'v1a,xyz', 'v1,!!notbase64!!', 'v1');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(other, junk), { minLength: 0, maxLength: 5 }),
        fc.nat(),
        async (decoys, pos) => {
          const withValid = [...decoys];
          withValid.splice(pos % (decoys.length + 1), 0, V.signature);
          expect(
            await verdict(hdrs(V.id, V.timestamp, withValid.join(' ')), V.payload, V.secret, V.timestamp),
          ).toBe(ACCEPTED);
          if (decoys.length > 0)
            expect(
              await verdict(hdrs(V.id, V.timestamp, decoys.join(' ')), V.payload, V.secret, V.timestamp),
            ).toBe('BAD_SIGNATURE');
        },
      ),
      opts(200),
    );
  });

  it('another secret, a missing header, or a secret without whsec_ is refused', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 16, maxLength: 64 }), async (k) => {
        const secret = `whsec_${Buffer.from(k).toString('base64')}`;
        fc.pre(secret !== V.secret);
        expect(await verdict(hdrs(V.id, V.timestamp, V.signature), V.payload, secret, V.timestamp)).toBe(
          'BAD_SIGNATURE',
        );
      }),
      opts(100),
    );
    const full = hdrs(V.id, V.timestamp, V.signature);
    for (const drop of Object.keys(full)) {
      const h = { ...full } as Record<string, string>;
      delete h[drop];
      expect(await verdict(h, V.payload, V.secret, V.timestamp)).toBe('MISSING_HEADERS');
    }
    expect(await verdict(full, V.payload, V.secret.slice('whsec_'.length), V.timestamp)).toBe('BAD_SECRET');
  });
});
