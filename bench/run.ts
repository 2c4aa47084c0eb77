/**
 * `npx tsx bench/run.ts` (npm run bench): performance of Handoff on this machine, each figure beside its
 * bound, in one run against the real sandbox (wrangler dev + emulators). See bench/README.md.
 *
 * Options (flags or env):
 *   --activations N            (BENCH_ACTIVATIONS, 200)    activations of distinct opportunities
 *   --activation-concurrency N (BENCH_ACTIVATION_CONCURRENCY, 20) clicks in flight at once
 *   --entries N                (BENCH_ENTRIES, 100000)     month-end time entries (capped by the budget)
 *   --posting-budget-s N       (BENCH_POSTING_BUDGET_S, 80) seconds the month-end posting may take at the ceiling
 *   --readiness-entries N      (BENCH_READINESS_ENTRIES, 5000)
 *   --load-seconds N           (BENCH_LOAD_SECONDS, 15)    per route, read path
 *   --load-connections N       (BENCH_LOAD_CONNECTIONS, 16)
 *   --naive-sample N           (BENCH_NAIVE_SAMPLE, 40)
 *   --latency-salesforce/--latency-kantata/--latency-netsuite MS (BENCH_LATENCY_*; 100/150/250)
 *   --netsuite-limit N         (BENCH_NETSUITE_LIMIT, 15)  account concurrency and the connection's limit
 *   --seed N                   (BENCH_SEED, random)
 *   --bulk-items N             (BENCH_BULK_ITEMS, 100000)  held entries a bulk retry job retries (scenario bulk-retry)
 *   --bulk-projects N          (BENCH_BULK_PROJECTS, 20)   projects they are spread over (one intake lane each)
 *   --only a,b                 (BENCH_ONLY)                scenarios to run: posting, activation, size, bulk-retry
 *                                                          (default: all but bulk-retry)
 *   BENCH_WORKER_LOGS=1        print the worker's own log (wrangler dev) while the bench runs
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { buildCrmSandbox } from '../plugins/crm-salesforce/sandbox/build';
import { buildSidebar } from '../plugins/psa-sidebar/build';
import { buildTeamsPane } from '../plugins/teams/pane/build';
import { buildTeamsTab } from '../plugins/teams/tab/build';
import { startSandbox } from '../sandbox/sandbox';
import type { EmulatorUrls } from '../test/emulators';
import {
  findUserByEmail,
  type KantataActor,
  logApprovedTime,
  staffPerson,
  type TimeInput,
} from '../test/emulators/kantata/demo-actions';
import type { Instance } from '../test/emulators/kit/emulator';
import { seededRandom } from '../test/emulators/kit/rng';
import { netsuiteTestCredentials } from '../test/emulators/netsuite/credentials';
import type { NetSuiteState } from '../test/emulators/netsuite/state';
import { makeId } from '../test/emulators/salesforce/ids';
import { insertSeedRecord } from '../test/emulators/salesforce/records';
import { DEMO_IDS } from '../test/emulators/salesforce/seed-demo';
import type { SalesforceState } from '../test/emulators/salesforce/state';
import { type ConnectedTenant, connectTenant } from '../test/support/connect-tenant';
import { freePort } from '../test/support/free-port';
import { createNetSuiteConnector } from '../worker/connectors/netsuite';
import { benchBulkRetry } from './bulk-retry';

const root = path.resolve(import.meta.dirname, '..');
const run = promisify(execFile);

// ---- options ------------------------------------------------------------------------------------
function opt(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number (got ${raw})`);
  return n;
}
const O = {
  activations: opt('activations', 200),
  activationConcurrency: opt('activation-concurrency', 20),
  entries: opt('entries', 100_000),
  postingBudgetS: opt('posting-budget-s', 80),
  readinessEntries: opt('readiness-entries', 5_000),
  loadSeconds: opt('load-seconds', 15),
  loadConnections: opt('load-connections', 16),
  naiveSample: opt('naive-sample', 40),
  latency: {
    salesforce: opt('latency-salesforce', 100),
    kantata: opt('latency-kantata', 150),
    netsuite: opt('latency-netsuite', 250),
  },
  netsuiteLimit: opt('netsuite-limit', 15),
  seed: opt('seed', Math.floor(Math.random() * 2 ** 31)),
  bulkItems: opt('bulk-items', 100_000),
  bulkProjects: opt('bulk-projects', 20),
};
/**
 * The scenarios of a run: all but bulk-retry by default (its 100,000 entries take ~25 minutes to set up, mostly
 * intake); `--only bulk-retry` runs it alone and writes latest-bulk-retry.json.
 */
const SCENARIOS = ['posting', 'activation', 'size', 'bulk-retry'] as const;
const onlyArg = process.argv.indexOf('--only');
const ONLY = (onlyArg >= 0 ? process.argv[onlyArg + 1] : process.env.BENCH_ONLY)?.split(',').filter(Boolean);
for (const name of ONLY ?? [])
  if (!(SCENARIOS as readonly string[]).includes(name))
    throw new Error(`--only: unknown scenario ${name} (${SCENARIOS.join(', ')})`);
const want = (name: (typeof SCENARIOS)[number]) => (ONLY ? ONLY.includes(name) : name !== 'bulk-retry');
const rand = seededRandom(O.seed);

// ---- small helpers --------------------------------------------------------------------------------
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const say = (msg: string) => console.log(`[bench +${((Date.now() - t0) / 1000).toFixed(0)}s] ${msg}`);
const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
};
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
async function ok<T>(res: Response, what: string): Promise<T> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
async function pool<T, R>(items: T[], n: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

// ---- the sandbox ----------------------------------------------------------------------------------
const dir = mkdtempSync(path.join(tmpdir(), 'handoff-bench-'));
const [pWorker, pWeb, pSidebar, pSf, pNs, pKt] = await Promise.all(Array.from({ length: 6 }, freePort));
say(`starting the sandbox in ${dir} (seed ${O.seed})`);
// The sandbox saves emulator state to disk every second and fires the worker's cron every 15 s. For a
// benchmark both only add noise (serialising 100,000 records each second; polls of every active project),
// so the timers created while it starts are captured and cleared. Nothing else changes.
type Interval = ReturnType<typeof setInterval>;
const captured: { id: Interval; ms: number }[] = [];
const realSetInterval = globalThis.setInterval;
const callInterval = realSetInterval as unknown as (
  fn: () => void,
  ms?: number,
  ...rest: unknown[]
) => Interval;
globalThis.setInterval = ((fn: () => void, ms?: number, ...rest: unknown[]) => {
  const id = callInterval(fn, ms, ...rest);
  captured.push({ id, ms: ms ?? 0 });
  return id;
}) as unknown as typeof setInterval;
const sandbox = await startSandbox({
  dir,
  quiet: process.env.BENCH_WORKER_LOGS !== '1',
  ports: {
    worker: pWorker!,
    web: pWeb!,
    sidebar: pSidebar!,
    salesforce: pSf!,
    netsuite: pNs!,
    kantata: pKt!,
  },
  latencyMs: O.latency,
});
globalThis.setInterval = realSetInterval;
for (const c of captured) if (c.ms === 1000 || c.ms === 15_000) clearInterval(c.id);
const worker = sandbox.urls.worker;
const emu = sandbox.emulators.emulators;
const vars = JSON.parse(readFileSync(path.join(dir, 'vars.json'), 'utf8')) as {
  PLATFORM_ADMIN_TOKEN: string;
};
say(`sandbox up: worker ${worker}`);

let closing = false;
async function shutdown(code: number) {
  if (closing) return;
  closing = true;
  await sandbox.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(130));

// ---- tenants --------------------------------------------------------------------------------------
/**
 * A tenant of its own (so the demo tenant's webhooks and the sandbox's state stay out of the numbers),
 * with the vendor latencies asked for. NetSuite's latency is spent *while holding* one of the account's
 * concurrency slots (the emulator's processingMs; its latencyMs is spent before a slot is taken), the
 * account allows `netsuiteLimit` requests at once, and the ERP connection is told the same limit and
 * writes up to that many lines of a batch at once (postConcurrency).
 */
async function benchTenant(name: string): Promise<ConnectedTenant> {
  const tenant = await connectTenant({
    workerFetch: (input, init) => fetch(input.replace('http://handoff', worker), init),
    emulators: sandbox.urls as unknown as EmulatorUrls,
    platformToken: vars.PLATFORM_ADMIN_TOKEN,
    name,
    latencyMs: { salesforce: O.latency.salesforce, kantata: O.latency.kantata, netsuite: 0 },
  });
  const ns = emu.netsuite.instances.get(tenant.instances.netsuite.id)!;
  const creds = await netsuiteTestCredentials();
  const options = ns.config.options as { clients: unknown[]; accessTokens?: string[] };
  ns.config = {
    ...ns.config,
    latencyMs: 0,
    concurrencyLimit: O.netsuiteLimit,
    options: {
      ...options,
      clients: [...options.clients, ...(creds.options.clients ?? [])],
      accessTokens: ['bench-naive-token'],
      processingMs: O.latency.netsuite,
    },
  };
  await ok(
    await fetch(`${worker}/v1/admin/connections/erp`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tenant.keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        system: 'netsuite',
        config: {
          accountId: tenant.netsuiteAccountId,
          baseUrl: tenant.instances.netsuite.baseUrl,
          uiBaseUrl: tenant.instances.netsuite.baseUrl,
          auth: { clientId: creds.clientId, certificateId: creds.certificateId, algorithm: creds.algorithm },
          postConcurrency: O.netsuiteLimit,
        },
        secrets: { auth: { privateKeyPem: creds.privateKeyPem } },
        concurrencyLimit: O.netsuiteLimit,
      }),
    }),
    'connect erp',
  );
  return tenant;
}

/** Distinct T&M opportunities cloned from the seed's Globex deal (same account, its rate card). */
let oppCounter = 1000;
function cloneGlobex(tenant: ConnectedTenant, count: number, notToExceed = 250_000): string[] {
  const sf = emu.salesforce.instances.get(
    tenant.instances.salesforce.id,
  ) as unknown as Instance<SalesforceState>;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = oppCounter++;
    insertSeedRecord(sf.state, 'Opportunity', n, {
      Name: `Globex data platform (bench ${n})`,
      AccountId: DEMO_IDS.accounts.globex,
      StageName: 'Closed Won',
      CloseDate: '2026-10-10',
      Amount: 233800,
      Probability: 100,
      CurrencyIsoCode: 'USD',
      Description: 'Benchmark clone of the Globex T&M deal.',
      Handoff_SOW_Number__c: `SOW-B${n}`,
      Handoff_Billing_Model__c: 'Time and Materials',
      Handoff_Start_Date__c: '2026-11-02',
      Handoff_End_Date__c: '2027-06-30',
      Handoff_Not_To_Exceed__c: notToExceed,
      Handoff_Travel_Cap__c: 18000,
      Handoff_Project_Template__c: 'time-and-materials',
      Handoff_Service_Line__c: 'Data & Analytics',
    });
    const opp = makeId('006', n);
    const rates: [string, number, string, string | null, number | null][] = [
      ['Engagement Lead', 275, '2026-01-01', null, 80],
      ['Senior Consultant', 195, '2026-01-01', '2026-06-30', null],
      ['Senior Consultant', 210, '2026-07-01', null, 400],
      ['Consultant', 165, '2026-01-01', null, 600],
      ['Analyst', 120, '2026-01-01', null, 240],
    ];
    for (const [j, [role, rate, from, to, hours]] of rates.entries())
      insertSeedRecord(sf.state, 'Handoff_Rate__c', n * 10 + j, {
        Name: `${role} ${from}`,
        Opportunity__c: opp,
        Role__c: role,
        Rate__c: rate,
        Unit__c: 'Hour',
        Effective_From__c: from,
        Effective_To__c: to,
        Planned_Hours__c: hours,
        CurrencyIsoCode: 'USD',
      });
    ids.push(opp);
  }
  return ids;
}

interface ActivationView {
  id: string;
  status: string;
  createdAt: string;
  completedAt: string | null;
  message: string | null;
  links: { role: string; kind: string; externalId: string }[];
}

async function activate(tenant: ConnectedTenant, opp: string): Promise<ActivationView> {
  const headers = {
    authorization: `Bearer ${tenant.keys.crm}`,
    'content-type': 'application/json',
    'x-handoff-user': '005000000000001AAA',
  };
  await ok(
    await fetch(`${worker}/v1/activations`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': crypto.randomUUID() },
      body: JSON.stringify({ crmRecordId: opp }),
    }),
    `activate ${opp}`,
  );
  const deadline = Date.now() + 300_000;
  for (;;) {
    const view = await ok<ActivationView>(
      await fetch(`${worker}/v1/activations?crmRecordId=${opp}`, { headers }),
      'activation view',
    );
    if (['active', 'needs_fixes', 'failed'].includes(view.status)) return view;
    if (Date.now() > deadline) throw new Error(`activation ${opp} still ${view.status} after 5 minutes`);
    await sleep(200);
  }
}

type Counts = { salesforce: number; kantata: number; netsuite: number };
function requestCounts(tenant: ConnectedTenant): Counts {
  return {
    salesforce: emu.salesforce.instances.get(tenant.instances.salesforce.id)!.requests,
    kantata: emu.kantata.instances.get(tenant.instances.kantata.id)!.requests,
    netsuite: emu.netsuite.instances.get(tenant.instances.netsuite.id)!.requests,
  };
}
const diff = (a: Counts, b: Counts): Counts => ({
  salesforce: b.salesforce - a.salesforce,
  kantata: b.kantata - a.kantata,
  netsuite: b.netsuite - a.netsuite,
});
const latencySum = (c: Counts) =>
  c.salesforce * O.latency.salesforce + c.kantata * O.latency.kantata + c.netsuite * O.latency.netsuite;

// ---- delivery helpers -----------------------------------------------------------------------------
const psaProjectOf = (v: ActivationView) =>
  v.links.find((l) => l.role === 'psa' && l.kind === 'project')!.externalId;
const erpOf = (v: ActivationView, kind: string) =>
  v.links.find((l) => l.role === 'erp' && l.kind === kind)?.externalId;

async function loadEntries(tenant: ConnectedTenant, ws: string, count: number, tag: string) {
  const actor: KantataActor = {
    apiBase: `${tenant.instances.kantata.baseUrl}/api/v1`,
    token: tenant.emulatorSecrets.kantataToken,
  };
  const chloe = await findUserByEmail(actor, 'chloe.martin@lumenpartners.example');
  if (!chloe) throw new Error('no Chloe Martin in Kantata');
  await staffPerson(actor, ws, chloe, 'Consultant');
  const start = Date.parse('2026-11-16T00:00:00Z');
  const days = 200; // inside the contract term (2026-11-02 .. 2027-06-30)
  const entries: TimeInput[] = Array.from({ length: count }, (_, i) => ({
    workspaceId: ws,
    userId: chloe,
    date: new Date(start + Math.floor(rand() * days) * 86_400_000).toISOString().slice(0, 10),
    minutes: 15 * (1 + Math.floor(rand() * 4)),
    notes: `${tag} ${i}`,
  }));
  return logApprovedTime(actor, entries);
}

function timeBillsOfProject(tenant: ConnectedTenant, erpProjectId: string) {
  const ns = emu.netsuite.instances.get(tenant.instances.netsuite.id)!.state as NetSuiteState;
  return Object.values(ns.records.timeBill ?? {}).filter(
    (r) => (r.fields.customer as { id?: string } | undefined)?.id === erpProjectId,
  );
}
const psaIdOfMemo = (memo: unknown) => /\[PSA ([^\]]+)\]/.exec(String(memo ?? ''))?.[1];

async function sync(tenant: ConnectedTenant) {
  await ok(
    await fetch(`${worker}/v1/admin/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.keys.admin}` },
    }),
    'sync',
  );
}

/** Posted progress over time until `expected` records are in NetSuite (or the deadline). */
async function watchPosting(tenant: ConnectedTenant, erpProjectId: string, expected: number, maxMs: number) {
  const started = Date.now();
  const samples: { t: number; n: number }[] = [];
  let memMaxKb = 0;
  for (;;) {
    const n = timeBillsOfProject(tenant, erpProjectId).length;
    samples.push({ t: Date.now() - started, n });
    memMaxKb = Math.max(memMaxKb, workerdRssKb());
    if (n >= expected || Date.now() - started > maxMs) break;
    if (samples.length % 15 === 0) say(`  posted ${n}/${expected}`);
    await sleep(1000);
  }
  return { samples, elapsedMs: Date.now() - started, memMaxKb };
}

/** workerd's resident memory (all isolates plus the runtime), from /proc: the closest handle we have. */
function workerdRssKb(): number {
  let total = 0;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        if (comm !== 'workerd') continue;
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (!cmd.includes(dir) && !isDescendant(Number(pid))) continue;
        const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        total += Number(m?.[1] ?? 0);
      } catch {
        // the process went away
      }
    }
  } catch {
    return 0;
  }
  return total;
}
function isDescendant(pid: number): boolean {
  for (let p = pid, i = 0; p > 1 && i < 20; i++) {
    if (p === process.pid) return true;
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    p = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return false;
}

function loadgen(
  url: string,
  token?: string,
): Promise<{
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  rps: number;
  p50: number;
  p99: number;
}> {
  return new Promise((resolve, reject) => {
    const args = [
      path.join(root, 'node_modules/tsx/dist/cli.mjs'),
      path.join(root, 'bench/loadgen.ts'),
      url,
      String(O.loadConnections),
      String(O.loadSeconds * 1000),
      ...(token ? [token] : []),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`loadgen ${code}`)),
    );
  });
}

const gz = (file: string) => gzipSync(readFileSync(file)).length;
function gzDir(d: string): { files: number; raw: number; gzip: number } {
  let files = 0;
  let raw = 0;
  let gzip = 0;
  const walk = (p: string) => {
    for (const name of readdirSync(p)) {
      const f = path.join(p, name);
      if (statSync(f).isDirectory()) walk(f);
      else if (!f.endsWith('.map')) {
        files += 1;
        raw += statSync(f).size;
        gzip += gz(f);
      }
    }
  };
  walk(d);
  return { files, raw, gzip };
}

// ==================================================================================================
const results: Record<string, unknown> = {};
try {
  // ---- machine and versions ---------------------------------------------------------------------
  const pkgVersion = (name: string) =>
    (
      JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  results.machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
  };
  results.versions = {
    node: process.version,
    wrangler: pkgVersion('wrangler'),
    workerd: pkgVersion('workerd'),
  };
  results.seed = O.seed;
  results.options = O;

  if (want('posting')) {
    // ---- month-end posting and the read path: tenant B ----------------------------------------------
    say('tenant "posting": connecting, activating the readiness and posting projects');
    const tb = await benchTenant('Bench posting firm');
    const [oppR, oppP] = cloneGlobex(tb, 2, 50_000_000);
    const [viewR, viewP] = await Promise.all([activate(tb, oppR!), activate(tb, oppP!)]);
    if (viewR.status !== 'active' || viewP.status !== 'active')
      throw new Error(`bench projects did not activate: ${viewR.status} ${viewR.message} / ${viewP.message}`);
    const wsR = psaProjectOf(viewR);
    const wsP = psaProjectOf(viewP);
    const erpR = erpOf(viewR, 'project')!;
    const erpP = erpOf(viewP, 'project')!;

    // Read path: a project with 5,000 entries, all posted, then load from a second process.
    say(`read path: loading ${O.readinessEntries} entries into project ${wsR}`);
    await loadEntries(tb, wsR, O.readinessEntries, 'readiness');
    await sync(tb);
    const warm = await watchPosting(tb, erpR, O.readinessEntries, 600_000);
    say(`  readiness project posted ${warm.samples.at(-1)!.n} in ${round(warm.elapsedMs / 1000)} s`);
    const token = (
      await ok<{ token: string }>(
        await fetch(`${worker}/v1/embed-tokens`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tb.keys.psa}`, 'content-type': 'application/json' },
          body: JSON.stringify({ psaProjectId: wsR, user: 'bench@lumenpartners.example' }),
        }),
        'embed token',
      )
    ).token;
    const sample = await ok<{ totals?: unknown }>(
      await fetch(`${worker}/v1/sidebar/readiness`, { headers: { authorization: `Bearer ${token}` } }),
      'readiness',
    );
    say(`read path: ${O.loadConnections} connections × ${O.loadSeconds} s on /health, then readiness`);
    const health = await loadgen(`${worker}/health`);
    const readiness = await loadgen(`${worker}/v1/sidebar/readiness`, token);
    results.readPath = {
      entries: O.readinessEntries,
      connections: O.loadConnections,
      seconds: O.loadSeconds,
      health,
      readiness,
      ratioRps: round(readiness.rps / health.rps, 2),
      goal: { ratioRps: 0.5, p99Ms: 50 },
      readinessBytes: JSON.stringify(sample).length,
    };

    // Month-end posting.
    const ceiling = (O.netsuiteLimit * 1) / (O.latency.netsuite / 1000);
    const byBudget = Math.floor(ceiling * O.postingBudgetS);
    const entries = Math.min(O.entries, byBudget);
    say(
      `month-end: ${entries} entries (asked ${O.entries}; ceiling ${round(ceiling)} rec/s × ${O.postingBudgetS} s budget = ${byBudget})`,
    );
    const loadStart = Date.now();
    const psaIds = await loadEntries(tb, wsP, entries, 'month-end');
    const loadSeconds = (Date.now() - loadStart) / 1000;
    say(`  loaded through the Kantata API in ${round(loadSeconds)} s (100 per call)`);
    const nsBefore = requestCounts(tb).netsuite;
    const nsInst = emu.netsuite.instances.get(tb.instances.netsuite.id)!;
    const throttledBefore = nsInst.throttled;
    nsInst.maxInFlight = 0;
    await sync(tb);
    const posting = await watchPosting(tb, erpP, entries, Math.max(600_000, O.postingBudgetS * 4000));
    const erpCalls = requestCounts(tb).netsuite - nsBefore;
    const bills = timeBillsOfProject(tb, erpP);
    const perEntry = new Map<string, number>();
    for (const b of bills) {
      const id = psaIdOfMemo(b.fields.memo);
      if (id) perEntry.set(id, (perEntry.get(id) ?? 0) + 1);
    }
    const duplicates = [...perEntry.values()].reduce((s, n) => s + Math.max(0, n - 1), 0);
    const losses = psaIds.filter((id) => !perEntry.has(String(id))).length;
    const strangers = [...perEntry.keys()].filter((id) => !psaIds.map(String).includes(id)).length;
    const first = posting.samples.find((s) => s.n > 0);
    const last = posting.samples.at(-1)!;
    const at = (frac: number) => posting.samples.find((s) => s.n >= frac * entries);
    const p10 = at(0.1);
    const p90 = at(0.9);
    const sustained = p10 && p90 && p90.t > p10.t ? (p90.n - p10.n) / ((p90.t - p10.t) / 1000) : Number.NaN;
    const endToEnd = last.n / (posting.elapsedMs / 1000);
    results.posting = {
      entriesAsked: O.entries,
      entries,
      cappedBy: entries < O.entries ? `posting budget ${O.postingBudgetS} s at the ceiling` : null,
      kantataLoadSeconds: round(loadSeconds),
      syncToAllPostedSeconds: round(posting.elapsedMs / 1000),
      firstRecordAfterSeconds: first ? round(first.t / 1000) : null,
      posted: last.n,
      sustainedRecordsPerSecond: round(sustained),
      endToEndRecordsPerSecond: round(endToEnd),
      ceilingRecordsPerSecond: round(ceiling),
      ceilingFormula: `limit ${O.netsuiteLimit} × batch 1 (one record per PUT) ÷ ${O.latency.netsuite} ms`,
      ratioToCeiling: round(sustained / ceiling, 2),
      erpCalls,
      erpCallsPerRecord: round(erpCalls / entries, 3),
      netsuiteMaxInFlight: nsInst.maxInFlight,
      netsuiteThrottled429: nsInst.throttled - throttledBefore,
      duplicates,
      losses,
      recordsNotFromTheseEntries: strangers,
      workerdRssMaxMiB: posting.memMaxKb ? round(posting.memMaxKb / 1024) : null,
    };
    say(
      `  month-end: ${last.n}/${entries} posted, sustained ${round(sustained)} rec/s vs ceiling ${round(ceiling)}; dup ${duplicates}, lost ${losses}`,
    );

    // Naive posting: one line per call, one call after the other, straight from Node.
    say(`naive posting: ${O.naiveSample} lines, one postTimeEntries call each, sequentially`);
    const naive = createNetSuiteConnector(
      {
        accountId: tb.netsuiteAccountId,
        baseUrl: tb.instances.netsuite.baseUrl,
        auth: { accessToken: 'bench-naive-token' },
        postConcurrency: 1,
      } as never,
      { outbound: { allowLoopback: true, customHosts: [], botConnectorOrigins: [] } },
    );
    const customerId = erpOf(viewP, 'customer') ?? erpP;
    const nsNaiveBefore = requestCounts(tb).netsuite;
    const naiveStart = performance.now();
    for (let i = 0; i < O.naiveSample; i++) {
      const [r] = await naive.postTimeEntries([
        {
          key: `bench-naive-${O.seed}-${i}`,
          customerId,
          projectId: erpR,
          personName: 'Chloe Martin',
          personEmail: 'chloe.martin@lumenpartners.example',
          role: 'Consultant',
          date: '2026-11-20',
          minutes: 30,
          rate: { amountMinor: 16_500, currency: 'USD' },
          billable: true,
          memo: `naive ${i}`,
        } as never,
      ]);
      if (!r?.ok) throw new Error(`naive post failed: ${JSON.stringify(r)}`);
    }
    const naiveSeconds = (performance.now() - naiveStart) / 1000;
    const naiveRate = O.naiveSample / naiveSeconds;
    const naiveCalls = requestCounts(tb).netsuite - nsNaiveBefore;
    results.naivePosting = {
      sample: O.naiveSample,
      seconds: round(naiveSeconds, 2),
      recordsPerSecond: round(naiveRate, 2),
      erpCallsPerRecord: round(naiveCalls / O.naiveSample, 2),
      extrapolatedSecondsForEntries: round(entries / naiveRate),
      extrapolatedHoursFor100k: round(100_000 / naiveRate / 3600, 2),
      speedupOfHandoff: round(sustained / naiveRate, 1),
    };
  }

  if (want('activation')) {
    // ---- activations: tenant A ----------------------------------------------------------------------
    say(`activations: ${O.activations} distinct opportunities, ${O.activationConcurrency} clicks in flight`);
    const ta = await benchTenant('Bench activation firm');
    const [probe, ...opps] = cloneGlobex(ta, O.activations + 1);
    // One alone first: its request counts are exactly one activation's.
    const before1 = requestCounts(ta);
    const probeStart = Date.now();
    const probeView = await activate(ta, probe!);
    const probeMs = Date.now() - probeStart;
    const perActivation = diff(before1, requestCounts(ta));
    if (probeView.status !== 'active')
      throw new Error(`probe activation: ${probeView.status} ${probeView.message}`);
    const beforeN = requestCounts(ta);
    const views = await pool(opps, O.activationConcurrency, (opp) => activate(ta, opp));
    const totalN = diff(beforeN, requestCounts(ta));
    const okViews = views.filter((v) => v.status === 'active' && v.completedAt);
    const lat = okViews.map((v) => Date.parse(v.completedAt!) - Date.parse(v.createdAt));
    // The calls that must follow one another: read the deal, then customer → PSA project (needs the
    // customer) → ERP project (needs both) → billing schedule (needs the ERP project) → CRM write-back.
    const chain = {
      salesforce: 2, // read the deal (one Composite call), write back
      netsuite: 3, // customer upsert, project upsert, billing schedule upsert
      kantata: 1, // create the project from its template
    };
    const criticalPathMs = latencySum(chain);
    results.activation = {
      count: O.activations,
      concurrency: O.activationConcurrency,
      active: okViews.length,
      notActive: views
        .filter((v) => v.status !== 'active')
        .map((v) => `${v.status}: ${v.message}`)
        .slice(0, 5),
      p50Ms: quantile(lat, 0.5),
      p95Ms: quantile(lat, 0.95),
      maxMs: Math.max(...lat),
      aloneMs: probeMs,
      requestsPerActivation: perActivation,
      requestsPerActivationAverage: {
        salesforce: round(totalN.salesforce / opps.length, 2),
        kantata: round(totalN.kantata / opps.length, 2),
        netsuite: round(totalN.netsuite / opps.length, 2),
      },
      allSequentialMs: latencySum(perActivation),
      criticalPathCalls: chain,
      criticalPathMs,
      ratioP50ToCriticalPath: round(quantile(lat, 0.5) / criticalPathMs, 2),
      ratioP95ToCriticalPath: round(quantile(lat, 0.95) / criticalPathMs, 2),
      minimumCalls: { salesforce: 3, netsuite: 5, kantata: 5 },
    };
  }

  if (want('size')) {
    // ---- sizes -----------------------------------------------------------------------------------------
    say('sizes: wrangler deploy --dry-run and the plugin bundles');
    const sizeDir = path.join(dir, 'size');
    mkdirSync(sizeDir, { recursive: true });
    await run(
      path.join(root, 'node_modules/.bin/wrangler'),
      ['deploy', '--dry-run', '--outdir', path.join(sizeDir, 'worker')],
      {
        cwd: root,
        env: {
          ...process.env,
          CI: 'true',
          WRANGLER_SEND_METRICS: 'false',
          XDG_CONFIG_HOME: path.join(root, '.xdg'),
        },
      },
    );
    const pluginsDir = path.join(sizeDir, 'plugins');
    await buildSidebar(pluginsDir, { allowLoopback: true });
    await buildCrmSandbox(pluginsDir);
    await buildTeamsTab(pluginsDir, {});
    await buildTeamsPane(pluginsDir);
    const plugins: Record<string, unknown> = {};
    for (const name of readdirSync(pluginsDir)) plugins[name] = gzDir(path.join(pluginsDir, name));
    results.size = {
      worker: gzDir(path.join(sizeDir, 'worker')),
      plugins,
      workerLimitGzipBytes: 3 * 1024 * 1024,
    };
  }

  // ---- bulk retry of 100,000 held entries: its own tenant -----------------------------------------
  if (want('bulk-retry'))
    results.bulkRetry = await benchBulkRetry(
      { worker, say, sleep, ok, benchTenant, cloneGlobex, activate, loadEntries, sync, pool, round },
      O.bulkItems,
      O.bulkProjects,
    );
} catch (e) {
  console.error(e);
  results.error = String(e);
}

mkdirSync(path.join(root, 'bench/results'), { recursive: true });
const resultsFile = `bench/results/latest${ONLY ? `-${ONLY.join('-')}` : ''}.json`;
writeFileSync(path.join(root, resultsFile), `${JSON.stringify(results, null, 2)}\n`);
printTable(results);
await shutdown(results.error ? 1 : 0);

// ---- the table --------------------------------------------------------------------------------------
function printTable(r: Record<string, unknown>) {
  // biome-ignore lint/suspicious/noExplicitAny: a report of whatever was measured
  const x = r as any;
  const rows: [string, string, string][] = [];
  const add = (what: string, value: unknown, bound: unknown) =>
    rows.push([what, String(value), String(bound)]);
  if (x.activation) {
    const a = x.activation;
    add(
      'activation p50 (click → CRM write-back)',
      `${a.p50Ms} ms`,
      `critical path ${a.criticalPathMs} ms (×${a.ratioP50ToCriticalPath})`,
    );
    add(
      'activation p95',
      `${a.p95Ms} ms`,
      `critical path ${a.criticalPathMs} ms (×${a.ratioP95ToCriticalPath})`,
    );
    add('activation alone', `${a.aloneMs} ms`, `all calls in sequence ${a.allSequentialMs} ms`);
    add('activations active', `${a.active}/${a.count}`, `${a.count}`);
    const q = a.requestsPerActivation;
    const m = a.minimumCalls;
    add(
      'API calls per activation SF/KT/NS',
      `${q.salesforce}/${q.kantata}/${q.netsuite}`,
      `minimum ${m.salesforce}/${m.kantata}/${m.netsuite}`,
    );
  }
  if (x.posting) {
    const p = x.posting;
    add('month-end entries', `${p.posted}/${p.entries}`, `asked ${p.entriesAsked}`);
    add(
      'month-end sustained',
      `${p.sustainedRecordsPerSecond} rec/s`,
      `ceiling ${p.ceilingRecordsPerSecond} (×${p.ratioToCeiling})`,
    );
    add(
      'month-end sync → all posted',
      `${p.syncToAllPostedSeconds} s`,
      `${round(p.entries / p.ceilingRecordsPerSecond)} s at the ceiling`,
    );
    add('ERP calls', `${p.erpCalls} (${p.erpCallsPerRecord}/record)`, `${p.entries} (1/record)`);
    add('duplicates / losses', `${p.duplicates} / ${p.losses}`, '0 / 0');
    add(
      'workerd RSS max under posting',
      p.workerdRssMaxMiB === null ? 'n/a' : `${p.workerdRssMaxMiB} MiB`,
      '128 MB per isolate',
    );
  }
  if (x.naivePosting) {
    const n = x.naivePosting;
    add(
      'naive posting (1 line per call, serial)',
      `${n.recordsPerSecond} rec/s`,
      `Handoff ×${n.speedupOfHandoff}`,
    );
    add('naive, 100k entries', `${n.extrapolatedHoursFor100k} h`, '');
  }
  if (x.readPath) {
    const rp = x.readPath;
    add(
      'GET /health',
      `${round(rp.health.rps)} req/s, p50 ${round(rp.health.p50)} p99 ${round(rp.health.p99)} ms`,
      '',
    );
    add(
      'GET /v1/sidebar/readiness (5k entries)',
      `${round(rp.readiness.rps)} req/s, p50 ${round(rp.readiness.p50)} p99 ${round(rp.readiness.p99)} ms`,
      `≥ 0.5× health (×${rp.ratioRps}), p99 < 50 ms`,
    );
  }
  if (x.bulkRetry) {
    const b = x.bulkRetry;
    add(
      `bulk retry job, ${b.job.total} items by filter`,
      `${b.itemsPerSecond} items/s (${b.startToDoneSeconds} s)`,
      `sustained ${b.sustainedItemsPerSecond} items/s; ${b.job.succeeded} retried, ${b.job.failed} failed`,
    );
    add('bulk job start (freeze the selection)', `${b.startRequestMs} ms`, '');
    add(
      `workbench reads at ${b.items} open`,
      `list ${b.reads.listFirstPage.medianMs} / page 21 ${b.reads.listPage21.medianMs} / search ${b.reads.textSearch.medianMs} / facets ${b.reads.facets.medianMs} ms`,
      'median of 5',
    );
  }
  if (x.size) {
    const s = x.size;
    add('worker bundle gzipped', `${round(s.worker.gzip / 1024)} KB`, '3 MB (Free) / 10 MB (Paid)');
    for (const [k, v] of Object.entries(s.plugins as Record<string, { gzip: number }>))
      add(`plugin ${k} gzipped`, `${round(v.gzip / 1024)} KB`, '');
  }
  const m = x.machine ?? {};
  console.log(
    `\nMachine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB · node ${x.versions?.node} · wrangler ${x.versions?.wrangler} · workerd ${x.versions?.workerd} · seed ${x.seed}`,
  );
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length), 8));
  const line = (c: string[]) => c.map((s, i) => s.padEnd(w[i]!)).join(' │ ');
  console.log(line(['figure', 'measured', 'bound']));
  console.log(w.map((n) => '─'.repeat(n)).join('─┼─'));
  for (const row of rows) console.log(line(row));
  if (x.error) console.log(`\nERROR: ${x.error}`);
  console.log(`\nWritten to ${resultsFile}`);
}
