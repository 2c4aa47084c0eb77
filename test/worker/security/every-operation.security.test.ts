/**
 * Every operation in /openapi.json, attacked as a careless client and as a hostile one would. A new route is
 * covered by default: the operations, their parameters and their security schemes come from the document.
 * The suite fails on any 5xx, any error outside the envelope, and any of one firm's ids in another's answer.
 */
import { SELF } from 'cloudflare:test';
import fc from 'fast-check';
import { generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorEnvelopeSchema } from '../../../shared/api/errors';
import { BODY_LIMITS, DEFAULT_BODY_LIMIT, MAX_JSON_DEPTH } from '../../../worker/http/body-guard';
import { runs, SEED, SEEDED } from '../../reliability/seed';
import { embedToken, fastWorkflows, type Json, newTenant, testEnv } from '../harness';
import {
  botToken,
  consoleHeaders,
  docusignSignature,
  freshConsoleSession,
  GLOBEX,
  kantataSignature,
  NORTHWIND,
  ownIds,
  type SeededFirm,
  seedFirm,
  teamsSsoToken,
} from './firms';

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: { type?: string; enum?: string[] };
}
interface Operation {
  method: string;
  path: string;
  operationId?: string;
  security: Record<string, string[]>[];
  parameters: Parameter[];
  hasBody: boolean;
}

let operations: Operation[] = [];
let a: SeededFirm;
let b: SeededFirm;

beforeAll(async () => {
  await using _wf = await fastWorkflows();
  const doc = (await (await SELF.fetch('http://handoff/openapi.json')).json()) as {
    paths: Record<string, Record<string, Json>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      operationId: op.operationId,
      security: op.security ?? [],
      parameters: op.parameters ?? [],
      hasBody: Boolean(op.requestBody),
    })),
  );
  [a, b] = await Promise.all([seedFirm(await newTenant()), seedFirm(await newTenant())]);
}, 180_000);

const label = (op: Operation) => `${op.method} ${op.path}`;

/** The first of the operation's security requirements, satisfied with `firm`'s genuine credentials. */
async function credentials(op: Operation, firm: SeededFirm, body: string): Promise<Record<string, string>> {
  const [requirement] = op.security;
  if (!requirement) return {};
  const [scheme, roles] = Object.entries(requirement)[0]!;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  switch (scheme) {
    case 'apiKey':
      return bearer(firm.t.keys[roles[0] as 'crm' | 'psa' | 'admin']);
    case 'operatorToken':
      return bearer(testEnv.PLATFORM_ADMIN_TOKEN);
    case 'embedToken':
      return bearer(await embedToken(firm.t, firm.psaProjectIds[0]!));
    case 'teamsSso':
      return bearer(await teamsSsoToken(firm));
    case 'botFramework':
      return bearer((await botToken()).token);
    case 'standardWebhookSignature':
      return kantataSignature(firm, body);
    case 'docusignHmac':
      return docusignSignature(firm, body);
    case 'identityClaimState':
    case 'consoleSignInState':
    case 'consoleInvitation':
      // The one-time state or invitation travels in the query (the sign-in's links): no header to send.
      return {};
    case 'consoleSession':
      // Signing out spends a session: each call gets its own.
      return consoleHeaders(op.path.endsWith('/sign-out') ? await freshConsoleSession(firm) : firm.console);
    default:
      throw new Error(`${label(op)}: no test credentials for security scheme "${scheme}"`);
  }
}

function fillPath(op: Operation, firm: SeededFirm, values: Record<string, string> = {}): string {
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (values[name] !== undefined) return encodeURIComponent(values[name]);
    if (name === 'tenantId') return firm.own.tenantId;
    const param = op.parameters.find((p) => p.in === 'path' && p.name === name);
    return encodeURIComponent(param?.schema?.enum?.[0] ?? 'nothing-here');
  });
}

interface Sent {
  op: Operation;
  res: Response;
  text: string;
  what: string;
}

async function send(
  op: Operation,
  firm: SeededFirm,
  opts: {
    path?: string;
    query?: string;
    body?: string;
    contentType?: string | null;
    headers?: Record<string, string>;
  },
): Promise<Sent> {
  const body = opts.body ?? '';
  const headers: Record<string, string> = {
    ...(opts.headers ?? (await credentials(op, firm, body))),
  };
  if (opts.contentType !== null && (body.length > 0 || opts.contentType))
    headers['content-type'] = opts.contentType ?? 'application/json';
  const url = `http://handoff${opts.path ?? fillPath(op, firm)}${opts.query ? `?${opts.query}` : ''}`;
  const res = await SELF.fetch(url, {
    method: op.method,
    // The console's sign-in links answer redirects: judged as they are, not where they lead.
    redirect: 'manual',
    headers,
    body: op.method === 'GET' || op.method === 'HEAD' ? undefined : body,
  });
  const text = await res.text();
  return {
    op,
    res,
    text,
    what: `${label(op)} ${url.slice(15, 200)} body ${JSON.stringify(body.slice(0, 120))}`,
  };
}

/** Never a 5xx; every error in the envelope, as JSON, with the request id of its response; no stack. */
function expectWellFormed({ res, text, what }: Sent) {
  expect(res.status, `${what} → ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers.get('content-type') ?? '', what).toMatch(/^application\/json/);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${what}: error body is not JSON: ${text.slice(0, 200)}`);
    }
    const env = ErrorEnvelopeSchema.safeParse(parsed);
    expect(env.success, `${what}: not the error envelope: ${text.slice(0, 300)}`).toBe(true);
    expect(env.data?.error.requestId, what).toBe(res.headers.get('x-request-id'));
  }
  expect(text, `${what}: a stack trace in the answer`).not.toMatch(/\bat \S+ \(.*:\d+:\d+\)|node_modules/);
}

/** None of `firm`'s ids in the answer, except those the caller itself sent (an error may quote them). */
function expectNothingOf(firm: SeededFirm, sent: Sent, quoted: string[] = []) {
  for (const id of ownIds(firm)) {
    if (quoted.includes(id)) continue;
    expect(sent.text.includes(id), `${sent.what}: answer contains ${id} of another firm`).toBe(false);
  }
}

const limitOf = (op: Operation) =>
  BODY_LIMITS.find((l) => l.route === label(op))?.maxBytes ?? DEFAULT_BODY_LIMIT;

const withBody = () => operations.filter((op) => op.method !== 'GET');

const fcParams = (numRuns: number) => ({ numRuns: runs(numRuns), seed: SEED, endOnFailure: true });

describe(`every operation in /openapi.json under bad input ${SEEDED}`, () => {
  it('documents every operation it serves with a security scheme we can exercise', () => {
    expect(operations.length).toBeGreaterThan(20);
    for (const op of operations) {
      if (op.path === '/v1/admin/tenants' || op.security.length > 0) continue;
      throw new Error(`${label(op)} declares no security scheme`);
    }
  });

  it('answers malformed, mistyped, empty, deeply nested and oversized bodies with 400/413/415 in the envelope', async () => {
    const malformed = fc.oneof(
      fc.constant('{'),
      fc.constant('{"crmRecordId": "006'),
      fc.constant('[1, 2,'),
      fc.constant('{"a":1,}'),
      fc.constant("{'single': 'quotes'}"),
      fc.constant('NaN'),
      fc.string({ minLength: 1, maxLength: 40 }).map((s) => `{"x": ${s}`),
      fc
        .jsonValue()
        .map((v) => JSON.stringify(v).slice(0, -1))
        .filter((s) => s.length > 0 && !isJson(s)),
    );
    const cases = fc.oneof(
      malformed.map((body) => ({ kind: 'malformed' as const, body, contentType: 'application/json' })),
      fc
        .tuple(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.constantFrom(
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/xml',
            'jsonx',
            null,
          ),
        )
        .filter(([body]) => body.length > 0)
        .map(([body, contentType]) => ({ kind: 'media' as const, body, contentType })),
      fc
        .integer({ min: MAX_JSON_DEPTH + 1, max: 8000 })
        .map((depth) => ({ kind: 'deep' as const, depth, body: '', contentType: 'application/json' })),
      fc
        .integer({ min: 1, max: 64 * 1024 })
        .map((extra) => ({ kind: 'large' as const, extra, body: '', contentType: 'application/json' })),
      fc.jsonValue({ maxDepth: 4 }).map((v) => ({
        kind: 'json' as const,
        body: JSON.stringify(v),
        contentType: 'application/json',
      })),
    );
    for (const op of withBody()) {
      await fc.assert(
        fc.asyncProperty(cases, async (c) => {
          const body =
            c.kind === 'large'
              ? `{"pad":"${'x'.repeat(limitOf(op) + c.extra)}"}`
              : c.kind === 'deep'
                ? `${'['.repeat(c.depth)}${']'.repeat(c.depth)}`
                : c.body;
          const sent = await send(op, a, { body, contentType: c.contentType });
          expectWellFormed(sent);
          const expected = { malformed: 400, deep: 400, large: 413, media: 415 } as Record<string, number>;
          if (c.kind in expected) expect(sent.res.status, sent.what).toBe(expected[c.kind]);
          // Random JSON never fits a declared body (operations without one ignore what is sent), except an
          // empty object or list: a valid body where every field is optional or the body is a list (a data-key
          // rotation, the group mappings). Those must still never be a 5xx.
          else if (op.hasBody && c.body !== '{}' && c.body !== '[]')
            expect(sent.res.status, sent.what).toBeGreaterThanOrEqual(400);
          else expect(sent.res.status, sent.what).toBeLessThan(500);
        }),
        fcParams(12),
      );
    }
  });

  it('answers generated path and query values with a 4xx in the envelope, never a 5xx', async () => {
    const value = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.constantFrom('', ' ', '%00', '../../etc/passwd', "' OR 1=1 --", '-1', '1e309', '__proto__', 'null'),
    );
    for (const op of operations) {
      const pathNames = op.parameters.filter((p) => p.in === 'path').map((p) => p.name);
      const queryNames = op.parameters.filter((p) => p.in === 'query').map((p) => p.name);
      await fc.assert(
        fc.asyncProperty(
          fc.record(Object.fromEntries(pathNames.map((n) => [n, value]))),
          fc.array(fc.tuple(fc.constantFrom(...queryNames, 'limit', 'x'), value), { maxLength: 4 }),
          async (path, query) => {
            const qs = new URLSearchParams(query).toString();
            const sent = await send(op, a, {
              path: fillPath(op, a, path as Record<string, string>),
              query: qs,
              body: op.method === 'GET' ? undefined : '{}',
            });
            expectWellFormed(sent);
            expectNothingOf(b, sent);
          },
        ),
        fcParams(10),
      );
    }
  });

  it('refuses forged, foreign and malformed credentials for every scheme with 401/403', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const forgedJwt = fc
      .record({
        iss: fc.constantFrom(
          'https://api.botframework.com',
          'https://login.microsoftonline.com/x/v2.0',
          'handoff',
        ),
        aud: fc.constantFrom(
          '00000000-0000-4000-8000-00000000b07a',
          'api://handoff.test/x',
          'handoff-sidebar',
        ),
        tid: fc.constantFrom(a.teamsTenantId, b.teamsTenantId),
        sub: fc.string({ maxLength: 20 }),
      })
      .chain((claims) =>
        fc
          .constant(claims)
          .map(
            (c) => async () =>
              new SignJWT({ ...c, tenantId: a.own.tenantId, psaProjectId: a.psaProjectIds[0] })
                .setProtectedHeader({ alg: 'RS256', kid: 'forged' })
                .setIssuedAt()
                .setExpirationTime('5m')
                .sign(privateKey),
          ),
      );
    const bearer = fc.oneof(
      fc.string({ maxLength: 80 }).map((s) => async () => s),
      fc.constantFrom('hk_crm_', 'hk_admin_x', 'test-platform-tokeN', 'null').map((s) => async () => s),
      fc.constant(async () => b.t.keys.admin.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'))),
      forgedJwt,
    );
    for (const op of operations) {
      const schemes = op.security.flatMap((r) => Object.keys(r));
      if (schemes.length === 0) continue;
      await fc.assert(
        fc.asyncProperty(bearer, fc.constantFrom('authorization', 'Authorization'), async (make, header) => {
          const token = await make();
          const headers: Record<string, string> = { [header]: `Bearer ${token}` };
          if (schemes.includes('standardWebhookSignature'))
            Object.assign(headers, {
              'webhook-id': `msg_${token.slice(0, 10)}`,
              'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
              'webhook-signature': `v1,${btoa(token.padEnd(32, 'x').slice(0, 32))}`,
            });
          if (schemes.includes('docusignHmac')) headers['x-docusign-signature-1'] = btoa(token || 'x');
          // A forged sign-in state is a state Handoff never issued: 400 with the fix to start again.
          const forgedState = schemes.includes('identityClaimState');
          // The console's sign-in links send a browser back to the sign-in page with the reason.
          const consoleLink = schemes.includes('consoleSignInState') || schemes.includes('consoleInvitation');
          const sent = await send(op, a, {
            path: consoleLink ? fillPath(op, a, { provider: 'entra' }) : undefined,
            headers,
            body: op.method === 'GET' ? undefined : '{}',
            ...(forgedState || consoleLink
              ? {
                  query: new URLSearchParams({
                    state: token || 'x',
                    code: token,
                    invitation: token || 'x',
                  }).toString(),
                }
              : {}),
          });
          expectWellFormed(sent);
          if (consoleLink) {
            expect(sent.res.status, sent.what).toBe(302);
            expect(sent.res.headers.get('location'), sent.what).toMatch(
              /^\/console\/sign-in\?error=(invalid_state|invitation_invalid)$/,
            );
            expect(sent.res.headers.getSetCookie().join(), sent.what).not.toMatch(/handoff_session=[^;]/);
          } else expect(forgedState ? [400] : [401, 403], sent.what).toContain(sent.res.status);
          expectNothingOf(b, sent);
        }),
        fcParams(8),
      );
    }
  });

  it("refuses one firm's genuine credentials on the other firm's ids, and never shows the other firm's rows", async () => {
    const foreign = [
      ...b.own.memberIds,
      ...b.own.activationIds,
      ...b.own.exceptionIds,
      ...b.own.approvalIds,
      ...b.own.connectKeyIds,
      ...b.own.jobIds,
      ...b.own.deadLetterIds,
      ...b.psaProjectIds,
      b.own.tenantId,
    ];
    for (const op of operations) {
      const idParams = op.parameters.filter((p) => p.in === 'path' && !p.schema?.enum).map((p) => p.name);
      for (const id of idParams.length ? foreign : []) {
        const values = Object.fromEntries(idParams.map((n) => [n, id]));
        const sent = await send(op, a, {
          path: fillPath(op, a, values),
          body: op.method === 'GET' ? undefined : '{}',
        });
        expectWellFormed(sent);
        expect(sent.res.status, sent.what).toBeGreaterThanOrEqual(400);
        expectNothingOf(b, sent, [id]);
      }
    }
  });

  it("lists only the firm's own dead letters, and answers 404 to a replay of the other firm's", async () => {
    expect(a.own.deadLetterIds.length).toBeGreaterThan(0);
    expect(b.own.deadLetterIds.length).toBeGreaterThan(0);
    const call = (method: string, path: string, body?: unknown) =>
      SELF.fetch(`http://handoff${path}`, {
        method,
        headers: { authorization: `Bearer ${a.t.keys.admin}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const listed = (await (await call('GET', '/v1/dead-letters?limit=200')).json()) as Json;
    expect(listed.deadLetters.map((d: Json) => d.id).sort()).toEqual([...a.own.deadLetterIds].sort());
    expect(JSON.stringify(listed)).not.toContain(b.own.tenantId);
    for (const id of b.own.deadLetterIds) {
      const replay = await call('POST', '/v1/dead-letters/replay', { ids: [id] });
      expect(replay.status).toBe(404);
      expect(await replay.text()).not.toContain(b.own.tenantId);
      // Mixed with one of its own, nothing is replayed either.
      const mixed = await call('POST', '/v1/dead-letters/replay', { ids: [a.own.deadLetterIds[0], id] });
      expect(mixed.status).toBe(404);
    }
    const all = (await (
      await call('POST', '/v1/dead-letters/replay', { all: true, queue: 'handoff-posting' })
    ).json()) as Json;
    expect(all.results.every((r: Json) => a.own.deadLetterIds.includes(r.id))).toBe(true);
    const bSees = (await (
      await SELF.fetch('http://handoff/v1/dead-letters?state=waiting', {
        headers: { authorization: `Bearer ${b.t.keys.admin}` },
      })
    ).json()) as Json;
    expect(bSees.total).toBe(b.own.deadLetterIds.length);
  });

  it("lists and reads with two seeded firms: every row returned is the caller's own", async () => {
    // Query values a careless filter would let through: the other firm's keys, and records both firms have.
    const pool = [
      ...b.own.correlationIds,
      ...b.own.activationIds,
      GLOBEX,
      NORTHWIND,
      'requested',
      'open',
      'accepted',
      '200',
    ];
    let rowsSeen = 0;
    for (const op of operations.filter((o) => o.method === 'GET')) {
      const queryNames = op.parameters.filter((p) => p.in === 'query').map((p) => p.name);
      const combos: Record<string, string>[] = [{}];
      for (const name of queryNames)
        for (const v of [...pool, ...a.own.correlationIds]) combos.push({ [name]: v });
      for (const q of combos) {
        const sent = await send(op, a, { query: new URLSearchParams(q).toString() });
        expectWellFormed(sent);
        expectNothingOf(b, sent, Object.values(q));
        if (sent.res.ok && /"id":"/.test(sent.text)) rowsSeen += 1;
      }
    }
    // The check means something only if the lists did return rows.
    expect(rowsSeen).toBeGreaterThan(3);
  });
});

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}
