import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../worker/connectors/errors';
import {
  BOT_CONNECTOR_HOSTS,
  guardedFetch,
  type OutboundPolicy,
  type OutboundTarget,
  outboundPolicyFromEnv,
  outboundUrlProblems,
  STRICT_OUTBOUND_POLICY,
} from '../../../worker/connectors/outbound-guard';
import { createBotConnector } from '../../../worker/connectors/teams';
import { urlProblems } from '../../../worker/domain/tenancy/connection-config';
import { runs, SEED, SEEDED } from '../seed';

/**
 * The outbound URL guard over generated hosts and address spellings. Every URL goes through the guard itself
 * (which parses with the runtime's WHATWG URL, as the worker does), never through a re-implementation here:
 * the generators only spell addresses the many ways a parser accepts them.
 */
const opts = (n: number) => ({ seed: SEED, numRuns: runs(n) });
const LOOPBACK: OutboundPolicy = { ...STRICT_OUTBOUND_POLICY, allowLoopback: true };
const TARGETS: OutboundTarget[] = [
  'salesforce',
  'kantata',
  'netsuite',
  'docusign',
  'bot-connector',
  'microsoft-login',
];
const target = fc.constantFrom(...TARGETS);
const policy = fc.constantFrom(STRICT_OUTBOUND_POLICY, LOOPBACK);
const refused = (url: string, t: OutboundTarget, p: OutboundPolicy = STRICT_OUTBOUND_POLICY) =>
  outboundUrlProblems(url, t, p).length > 0;

// ---- addresses, spelled every way ----------------------------------------------------------------------

const byte = fc.integer({ min: 0, max: 255 });
type Quad = [number, number, number, number];
const quad: fc.Arbitrary<Quad> = fc.tuple(byte, byte, byte, byte);
/** The ranges the issue names, plus loopback and "this network"; any other address is refused too. */
const inRange = (prefix: number[], bits: number): fc.Arbitrary<Quad> =>
  quad.map((q) => {
    const base = (prefix[0]! << 24) | ((prefix[1] ?? 0) << 16) | ((prefix[2] ?? 0) << 8) | (prefix[3] ?? 0);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    const n = ((base & mask) | ((((q[0] << 24) | (q[1] << 16) | (q[2] << 8) | q[3]) >>> 0) & ~mask)) >>> 0;
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  });
const specialRanges = fc.oneof(
  inRange([10], 8),
  inRange([172, 16], 12),
  inRange([192, 168], 16),
  inRange([169, 254], 16),
  inRange([100, 64], 10),
  inRange([198, 18], 15),
  inRange([127], 8),
  fc.constant<Quad>([0, 0, 0, 0]),
  inRange([0], 8),
);
const anyV4 = fc.oneof(specialRanges, quad);
const u32 = (q: Quad) => ((q[0] << 24) | (q[1] << 16) | (q[2] << 8) | q[3]) >>> 0;
const hex = (n: number, upper: boolean) =>
  upper ? `0X${n.toString(16).toUpperCase()}` : `0x${n.toString(16)}`;

/** Decimal, single integer, hex, octal, per-part hex/octal, short forms (a.b.c, a.b), trailing dot. */
const v4Spelling = fc
  .tuple(anyV4, fc.integer({ min: 0, max: 8 }), fc.boolean(), fc.boolean())
  .map(([q, form, upper, trailingDot]) => {
    const n = u32(q);
    const spelled = [
      q.join('.'),
      String(n),
      hex(n, upper),
      `0${n.toString(8)}`,
      q.map((b) => hex(b, upper)).join('.'),
      q.map((b) => `0${b.toString(8)}`).join('.'),
      `${q[0]}.${q[1]}.${(q[2] << 8) | q[3]}`,
      `${q[0]}.${(q[1] << 16) | (q[2] << 8) | q[3]}`,
      `${hex(q[0], upper)}.${q[1]}.0${q[2].toString(8)}.${q[3]}`,
    ][form]!;
    return { q, host: trailingDot ? `${spelled}.` : spelled };
  });

const h16 = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
/** IPv6 in brackets: IPv4-mapped (dotted and hex), NAT64 64:ff9b::/96, loopback, ULA, link-local, any. */
const v6Spelling = fc
  .tuple(fc.integer({ min: 0, max: 6 }), quad, fc.array(h16, { minLength: 8, maxLength: 8 }), fc.boolean())
  .map(([form, q, groups, upper]) => {
    const hi = ((q[0] << 8) | q[1]).toString(16);
    const lo = ((q[2] << 8) | q[3]).toString(16);
    const s = [
      `::ffff:${q.join('.')}`,
      `::ffff:${hi}:${lo}`,
      `64:ff9b::${q.join('.')}`,
      `64:ff9b:0:0:0:0:${hi}:${lo}`,
      '::1',
      `fd${groups[0]!.padStart(2, '0').slice(-2)}:${groups.slice(1, 4).join(':')}::1`,
      groups.join(':'),
    ][form]!;
    return `[${upper ? s.toUpperCase() : s}]`;
  });

// ---- names ---------------------------------------------------------------------------------------------

const letters = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** A DNS label made of letters and digits with inner hyphens, never punycode ("xn--"). */
const label = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...letters.split('')), minLength: 1, maxLength: 12 }),
    fc.string({ unit: fc.constantFrom(...`${letters}-`.split('')), maxLength: 10 }),
  )
  .map(([a, b]) => (b ? `${a}${b.replace(/-+$/, '')}` : a))
  .filter((l) => l.length > 0 && !l.startsWith('xn--') && /[a-z]/.test(l[0]!));
const word = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'.split('')),
  minLength: 1,
  maxLength: 10,
});

/** Genuine vendor hosts for each target, as their documents give them. */
const genuineHost: Record<OutboundTarget, fc.Arbitrary<string>> = {
  salesforce: fc.oneof(
    label.map((n) => `${n}.my.salesforce.com`),
    fc.tuple(label, word).map(([n, s]) => `${n}--${s}.sandbox.my.salesforce.com`),
    label.map((n) => `${n}.develop.my.salesforce.com`),
    fc.constantFrom('login.salesforce.com', 'test.salesforce.com'),
    label.map((n) => `${n}.lightning.force.com`),
  ),
  kantata: fc.oneof(
    fc.constantFrom('api.mavenlink.com', 'app.mavenlink.com'),
    label.map((n) => `${n}.kantata.com`),
  ),
  netsuite: fc
    .tuple(fc.integer({ min: 1000, max: 99_999_999 }), fc.constantFrom('', '-sb1', '-sb2', '-rp'))
    .chain(([n, sfx]) =>
      fc.constantFrom(
        `${n}${sfx}.suitetalk.api.netsuite.com`,
        `${n}${sfx}.restlets.api.netsuite.com`,
        `${n}${sfx}.app.netsuite.com`,
      ),
    ),
  docusign: fc.oneof(
    fc.constantFrom('demo.docusign.net', 'na3.docusign.net', 'eu.docusign.net', 'account.docusign.com'),
    label.map((n) => `${n}.docusign.net`),
  ),
  'bot-connector': fc.constantFrom(...BOT_CONNECTOR_HOSTS),
  'microsoft-login': fc.constantFrom('login.microsoftonline.com', 'login.botframework.com'),
};
const genuinePath = fc.constantFrom(
  '',
  '/',
  '/teams/',
  '/amer/',
  '/emea/',
  '/apac/',
  '/in/',
  '/services/data/v62.0',
);

/** A genuine URL for a target, in any letter case, with or without the default port, path and query. */
const genuineUrl = (t: OutboundTarget) =>
  fc
    .tuple(genuineHost[t], genuinePath, fc.boolean(), fc.boolean(), fc.boolean())
    .map(
      ([host, path, upper, port443, query]) =>
        `https://${upper ? host.toUpperCase() : host}${port443 ? ':443' : ''}${path}${query ? '?a=1' : ''}`,
    );

/** Every spelling that must be refused for every target, loopback allowed or not. */
const alwaysRefused = (t: OutboundTarget): fc.Arbitrary<string> =>
  fc.oneof(
    // IP literals outside 127/8, any spelling
    v4Spelling.filter(({ q }) => q[0] !== 127).map(({ host }) => `https://${host}/`),
    // IPv6, bracketed, in any form (loopback ::1 spelled through a mapping is refused too)
    v6Spelling.filter((h) => h !== '[::1]').map((h) => `https://${h}/`),
    // *.localhost and internal service names
    fc.tuple(label, fc.boolean()).map(([n, up]) => `https://${up ? `${n}.LOCALHOST` : `${n}.localhost`}/`),
    fc
      .tuple(
        label,
        fc.constantFrom('internal', 'local', 'svc.cluster.local', 'localdomain', 'home.arpa', 'corp', 'lan'),
      )
      .map(([n, s]) => `https://${n}.${s}/`),
    label.map((n) => `https://${n}/`),
    fc.constantFrom(
      'https://metadata.google.internal/computeMetadata/v1/',
      'https://kubernetes.default.svc/',
    ),
    // a genuine host, spoiled: trailing dot, user info, another port, http, another scheme
    genuineHost[t].map((h) => `https://${h}./`),
    genuineHost[t].map((h) => `https://${h}..`),
    fc.tuple(genuineHost[t], label).map(([h, evil]) => `https://${h}@${evil}.com/`),
    fc.tuple(genuineHost[t], label).map(([h, evil]) => `https://${h}:pw@${evil}.example.net/`),
    fc.tuple(genuineHost[t], word).map(([h, u]) => `https://${u}@${h}/`),
    fc
      .tuple(
        genuineHost[t],
        fc.integer({ min: 1, max: 65535 }).filter((p) => p !== 443),
      )
      .map(([h, p]) => `https://${h}:${p}/`),
    genuineHost[t].map((h) => `http://${h}/`),
    fc
      .tuple(genuineHost[t], fc.constantFrom('ftp', 'ws', 'wss', 'file', 'gopher'))
      .map(([h, s]) => `${s}://${h}/`),
    // look-alikes: punycode labels, Unicode confusables, suffix games
    genuineHost[t].map((h) => `https://xn--${h.replace(/\./, '-x.')}`),
    genuineHost[t]
      .map((h) => `https://${h.replace(/a/, '\u0430').replace(/o/, '\u043e')}/`)
      .filter((u) => [...u].some((ch) => ch.charCodeAt(0) > 127)),
    fc.tuple(genuineHost[t], label).map(([h, evil]) => `https://${h}.${evil}.com/`),
    // "evilsalesforce.com": the vendor's registrable domain glued to another name
    fc.tuple(genuineHost[t], label).map(([h, evil]) => `https://${evil}${h.split('.').slice(-2).join('.')}/`),
    fc.tuple(genuineHost[t], label).map(([h, evil]) => `https://${evil}.com#@${h}/`),
    fc.tuple(genuineHost[t], label).map(([h, evil]) => `https://${evil}.com\\@${h}/`),
    fc.tuple(genuineHost[t], label).map(([h, evil]) => `https://${evil}.com%2F@${h}/`),
  );

// ---- properties ----------------------------------------------------------------------------------------

describe(`outbound URL guard ${SEEDED}`, () => {
  it('refuses every IPv4 literal in every spelling the URL parser accepts (loopback only when allowed)', () => {
    fc.assert(
      fc.property(v4Spelling, target, ({ q, host }, t) => {
        const url = `https://${host}/api`;
        // Refused for the right reason, so the person is told to use a host name.
        expect(outboundUrlProblems(url, t).map((p) => p.message)[0], url).toMatch(/IP address/);
        if (q[0] !== 127) expect(refused(url, t, LOOPBACK), url).toBe(true);
      }),
      opts(600),
    );
  });

  it('refuses every IPv6 literal: mapped, NAT64, loopback, ULA, any', () => {
    fc.assert(
      fc.property(v6Spelling, target, (host, t) => {
        expect(outboundUrlProblems(`https://${host}/`, t).map((p) => p.message)[0], host).toMatch(
          /IP address/,
        );
        if (host !== '[::1]') expect(refused(`https://${host}/`, t, LOOPBACK), host).toBe(true);
      }),
      opts(400),
    );
  });

  it('refuses local names, spoiled vendor hosts and look-alikes, whatever the deployment allows', () => {
    fc.assert(
      fc.property(
        target.chain((t) => fc.tuple(fc.constant(t), alwaysRefused(t))),
        policy,
        ([t, url], p) => {
          const problems = outboundUrlProblems(url, t, p, 'cfg.baseUrl');
          expect(problems.length, url).toBeGreaterThan(0);
          for (const problem of problems) {
            expect(problem.field).toBe('cfg.baseUrl');
            expect(problem.message.length).toBeGreaterThan(0);
            expect(problem.fix.length).toBeGreaterThan(0);
          }
        },
      ),
      opts(1500),
    );
  });

  it('accepts every genuine vendor host, in any letter case, with the default port, a path or a query', () => {
    fc.assert(
      fc.property(
        target.chain((t) => fc.tuple(fc.constant(t), genuineUrl(t))),
        policy,
        ([t, url], p) => {
          expect(outboundUrlProblems(url, t, p), url).toEqual([]);
        },
      ),
      opts(800),
    );
  });

  it("does not accept one vendor's host for another, nor any name under trafficmanager.net but the Bot Connector's", () => {
    const vendors: OutboundTarget[] = ['salesforce', 'kantata', 'netsuite', 'docusign', 'bot-connector'];
    fc.assert(
      fc.property(
        fc
          .constantFrom(...vendors)
          .chain((a) => fc.tuple(genuineUrl(a), fc.constantFrom(...vendors.filter((b) => b !== a)))),
        ([url, b]) => {
          expect(refused(url, b), `${url} as ${b}`).toBe(true);
        },
      ),
      opts(400),
    );
    fc.assert(
      fc.property(
        label.filter((l) => l !== 'smba'),
        (l) => {
          expect(refused(`https://${l}.trafficmanager.net/teams/`, 'bot-connector')).toBe(true);
          expect(refused(`https://${l}.smba.trafficmanager.net/teams/`, 'bot-connector')).toBe(true);
        },
      ),
      opts(200),
    );
  });

  it('with loopback allowed, lets only 127.0.0.0/8, localhost and [::1] through (the emulators)', () => {
    fc.assert(
      fc.property(inRange([127], 8), fc.integer({ min: 1, max: 65535 }), target, (q, port, t) => {
        const url = `http://${q.join('.')}:${port}/i/x`;
        expect(refused(url, t, LOOPBACK)).toBe(false);
        expect(refused(url, t)).toBe(true);
      }),
      opts(200),
    );
    expect(refused('http://localhost:8787/', 'salesforce', LOOPBACK)).toBe(false);
    expect(refused('http://[::1]:8787/', 'salesforce', LOOPBACK)).toBe(false);
    expect(refused('http://[::ffff:127.0.0.1]:8787/', 'salesforce', LOOPBACK)).toBe(true);
    expect(refused('http://a.localhost:8787/', 'salesforce', LOOPBACK)).toBe(true);
    expect(refused('http://user@127.0.0.1:8787/', 'salesforce', LOOPBACK)).toBe(true);
  });

  it('deployment extras widen the host list only: a custom host must still be a public https name', () => {
    const p = outboundPolicyFromEnv({
      ALLOWED_CUSTOM_VENDOR_HOSTS:
        'crm.acme-proxy.com, *.psa.acme.io, 10.0.0.5, *.com, localhost, *.svc.cluster.local',
      TEAMS_BOT_CONNECTOR_ORIGINS:
        'https://smba.teams.sovcloud-core.fr, http://insecure.example.org, https://u@x.example.org',
    });
    expect(p.customHosts).toEqual(['crm.acme-proxy.com', '*.psa.acme.io', '*.svc.cluster.local']);
    expect(p.botConnectorOrigins).toEqual(['https://smba.teams.sovcloud-core.fr']);
    expect(refused('https://crm.acme-proxy.com/', 'salesforce', p)).toBe(false);
    expect(refused('https://eu.psa.acme.io/api/v1', 'kantata', p)).toBe(false);
    expect(refused('https://crm.acme-proxy.com/', 'bot-connector', p)).toBe(true);
    expect(refused('https://smba.teams.sovcloud-core.fr/teams/', 'bot-connector', p)).toBe(false);
    expect(refused('https://smba.teams.sovcloud-core.fr/teams/', 'salesforce', p)).toBe(true);
    // Listed or not, internal names and addresses stay refused.
    for (const url of [
      'https://localhost/',
      'https://api.svc.cluster.local/',
      'https://10.0.0.5/',
      'https://crm.acme-proxy.com:8443/',
    ])
      expect(refused(url, 'salesforce', p), url).toBe(true);
    expect(outboundPolicyFromEnv({}).allowLoopback).toBe(false);
    expect(outboundPolicyFromEnv({ ALLOW_LOOPBACK_CONNECTIONS: 'TRUE' }).allowLoopback).toBe(false);
  });
});

describe(`config time: every URL setting of a connection, at any depth ${SEEDED}`, () => {
  it('reports each refused URL with its field, message and fix, and nothing for genuine ones', () => {
    fc.assert(
      fc.property(alwaysRefused('salesforce'), genuineUrl('salesforce'), (bad, good) => {
        const problems = urlProblems(
          { instanceUrl: good, auth: { clientId: 'x', tokenEndpoint: bad }, extra: [{ note: bad }] },
          'salesforce',
          STRICT_OUTBOUND_POLICY,
        );
        const fields = problems.map((p) => p.field);
        expect(fields).toContain('auth.tokenEndpoint');
        expect(fields).not.toContain('instanceUrl');
        // A value that carries a scheme is a URL whatever its key.
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(bad)) expect(fields).toContain('extra.0.note');
      }),
      opts(300),
    );
  });
});

describe(`call time: nothing leaves for a refused URL, and no redirect is followed ${SEEDED}`, () => {
  it('guardedFetch refuses before sending, as a permanent connector error', async () => {
    await fc.assert(
      fc.asyncProperty(
        target
          .filter((t) => t !== 'microsoft-login')
          .chain((t) => fc.tuple(fc.constant(t), alwaysRefused(t))),
        async ([t, url]) => {
          const sent: string[] = [];
          const f = guardedFetch(
            async (input) => {
              sent.push(String(input));
              return new Response('{}');
            },
            { system: 'test', targets: t },
          );
          const error = await f(url, { headers: { Authorization: 'Bearer secret' } }).catch((e) => e);
          expect(error).toBeInstanceOf(ConnectorError);
          expect(error).toMatchObject({ retryable: false, code: 'URL_REFUSED' });
          expect(sent).toEqual([]);
        },
      ),
      opts(300),
    );
  });

  it('asks for redirect: manual and turns every redirect status into a non-retryable error', async () => {
    await fc.assert(
      fc.asyncProperty(
        genuineUrl('netsuite'),
        fc.constantFrom(301, 302, 303, 307, 308),
        async (url, status) => {
          const inits: (RequestInit | undefined)[] = [];
          const f = guardedFetch(
            async (_input, init) => {
              inits.push(init);
              return new Response(null, { status, headers: { location: 'https://169.254.169.254/latest' } });
            },
            { system: 'netsuite', targets: 'netsuite' },
          );
          const error = await f(url).catch((e) => e);
          expect(error).toMatchObject({ retryable: false, code: 'REDIRECT', status });
          expect(inits).toHaveLength(1);
          expect(inits[0]?.redirect).toBe('manual');
        },
      ),
      opts(100),
    );
  });

  it('the bot connector sends neither its token request nor a card to a serviceUrl that is not a Bot Connector host', async () => {
    await fc.assert(
      fc.asyncProperty(alwaysRefused('bot-connector'), policy, async (serviceUrl, p) => {
        const sent: string[] = [];
        const bot = createBotConnector(
          { appId: 'app', appPassword: 'secret', maxRetries: 0 },
          {
            outbound: p,
            fetch: async (input) => {
              sent.push(String(input));
              return Response.json({ access_token: 't', expires_in: 3600, token_type: 'Bearer', id: '1' });
            },
          },
        );
        const card = { type: 'AdaptiveCard' as const };
        const error = await bot.sendCard(serviceUrl, 'a:1', card).catch((e) => e);
        expect(error, serviceUrl).toMatchObject({ retryable: false, code: 'URL_REFUSED' });
        expect(sent, serviceUrl).toEqual([]);
      }),
      opts(300),
    );
  });

  it('the bot connector does send to the documented Bot Connector hosts', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(genuineUrl('bot-connector'), async (serviceUrl) => {
        const sent: string[] = [];
        // Credentials of their own each run: the Bot Connector token is cached per credentials.
        run += 1;
        const bot = createBotConnector(
          { appId: 'app', appPassword: `secret-${run}` },
          {
            fetch: async (input) => {
              sent.push(new URL(String(input)).host);
              return Response.json({ access_token: 't', expires_in: 3600, token_type: 'Bearer', id: '1' });
            },
          },
        );
        await bot.sendCard(serviceUrl, 'a:1', { type: 'AdaptiveCard' });
        expect(sent).toEqual(['login.microsoftonline.com', new URL(serviceUrl).hostname]);
      }),
      opts(50),
    );
  });
});

describe(`each rule says what is wrong ${SEEDED}`, () => {
  it('names the trailing dot, the user info, the port and the scheme of a spoiled genuine URL', () => {
    fc.assert(
      fc.property(
        target.chain((t) => fc.tuple(fc.constant(t), genuineHost[t])),
        word,
        fc.integer({ min: 1, max: 65535 }).filter((p) => p !== 443),
        ([t, host], user, port) => {
          const reason = (url: string) => outboundUrlProblems(url, t)[0]?.message ?? '';
          expect(reason(`https://${host}./`)).toMatch(/ends with a dot/);
          expect(reason(`https://${user}@${host}/`)).toMatch(/user name or password/);
          expect(reason(`https://${host}:${port}/`)).toMatch(/port/);
          expect(reason(`http://${host}/`)).toMatch(/https/);
          expect(reason(`https://${user}.localhost/`)).toMatch(/local or internal/);
        },
      ),
      opts(300),
    );
  });
});
