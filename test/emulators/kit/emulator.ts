import { readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { type HttpBindings, serve } from '@hono/node-server';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { seededRandom } from './rng';

/**
 * The emulator kit: one Hono app per vendor, many isolated "instances" (an org, an account) per app,
 * each with its own state, effect counters and fault rules. Vendor routes live under
 * `/i/{instanceId}` so a base URL such as `http://127.0.0.1:PORT/i/acme` stands in for
 * `https://acme.my.salesforce.com`. The control plane lives under `/__emulator`.
 */

export const FaultRuleSchema = z.object({
  kind: z.enum([
    'latency',
    'error',
    'rate_limit',
    'timeout',
    'drop_after_commit',
    'outage',
    'redirect',
    'malform',
  ]),
  method: z.string().optional(),
  /** Regular expression tested against the path after the instance prefix, e.g. "^/services/rest/record/v1/customer". */
  path: z.string().optional(),
  /** How many matching requests the rule fires for (default: unlimited). */
  times: z.number().int().positive().optional(),
  /** Chance (0..1) that a matching request is hit, drawn from the instance's seeded PRNG. */
  probability: z.number().min(0).max(1).optional(),
  ms: z.number().int().nonnegative().optional(),
  status: z.number().int().min(400).max(599).optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  /** Outage window end (epoch ms). Without it an outage lasts until the rule is cleared. */
  untilEpochMs: z.number().int().optional(),
  /** For outage: 'reset' drops the connection (unreachable host); '503' answers Service Unavailable. */
  mode: z.enum(['reset', '503']).optional(),
  /** For redirect: where to send the caller (answered with 302 unless redirectStatus says otherwise). */
  location: z.string().optional(),
  redirectStatus: z
    .union([z.literal(301), z.literal(302), z.literal(303), z.literal(307), z.literal(308)])
    .optional(),
  /**
   * For malform: values to overwrite in the JSON answer, by dot path (`expenses.41.amount_in_cents`): a
   * vendor sending one record in a shape its documentation does not promise.
   */
  set: z.record(z.string(), z.unknown()).optional(),
});
export type FaultRule = z.infer<typeof FaultRuleSchema>;

export const InstanceConfigSchema = z.object({
  /** Added to every vendor request: realistic per-call latency for benchmarks and the sandbox. */
  latencyMs: z.number().int().nonnegative().default(0),
  /** Concurrent requests the vendor allows this instance (NetSuite: 5-15 per account). 0 = unlimited. */
  concurrencyLimit: z.number().int().nonnegative().default(0),
  seed: z.number().int().default(1),
  /** Vendor-specific settings (credentials, page sizes...). */
  options: z.record(z.string(), z.unknown()).default({}),
});
export type InstanceConfig = z.infer<typeof InstanceConfigSchema>;

const REQUEST_LOG_SIZE = 2000;

export interface Instance<S> {
  id: string;
  state: S;
  config: InstanceConfig;
  faults: (FaultRule & { fired: number })[];
  effects: Record<string, number>;
  requests: number;
  /** The last REQUEST_LOG_SIZE requests, "METHOD /path", oldest first: which calls a flow made. */
  requestLog: string[];
  inFlight: number;
  maxInFlight: number;
  /** Requests refused for the concurrency limit. */
  throttled: number;
  random: () => number;
  /** Count one effect (a write the vendor committed), so tests can prove exactly-once. */
  effect(name: string, n?: number): void;
  nextId(prefix?: string): string;
  idCounter: number;
}

export type EmulatorEnv<S> = { Bindings: HttpBindings; Variables: { instance: Instance<S> } };
export type EmulatorApp<S> = Hono<EmulatorEnv<S>>;

/** Body and headers for an error the kit injects, in the vendor's documented shape. */
export type VendorErrorFormat = (
  status: number,
  message: string,
  code: string,
) => { body: unknown; headers?: Record<string, string> };

export interface EmulatorDefinition<S> {
  name: string;
  initialState(config: InstanceConfig): S;
  /** Registers the vendor's routes (relative to the instance prefix). */
  routes(app: EmulatorApp<S>): void;
  errorFormat: VendorErrorFormat;
  /** What the vendor answers when its concurrency limit is exceeded. */
  concurrencyLimitResponse?(c: Context<EmulatorEnv<S>>): Response;
  /**
   * Vendor-specific control endpoints under /__emulator/instances/:id/... (bulk loads for tests and
   * benchmarks that would take too long through the vendor API). Never reachable through the vendor plane.
   */
  controlRoutes?(app: Hono<EmulatorEnv<S>>, instance: (id: string) => Instance<S> | undefined): void;
  /** Optional seeds by name, applied to a new instance's state. */
  seeds?: Record<string, (instance: Instance<S>) => void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createEmulator<S>(def: EmulatorDefinition<S>) {
  const instances = new Map<string, Instance<S>>();

  function createInstance(id: string, rawConfig: unknown = {}, seed?: string): Instance<S> {
    const config = InstanceConfigSchema.parse(rawConfig ?? {});
    const inst: Instance<S> = {
      id,
      config,
      state: def.initialState(config),
      faults: [],
      effects: {},
      requests: 0,
      requestLog: [],
      inFlight: 0,
      maxInFlight: 0,
      throttled: 0,
      idCounter: 0,
      random: seededRandom(config.seed),
      effect(name, n = 1) {
        this.effects[name] = (this.effects[name] ?? 0) + n;
      },
      nextId(prefix = '') {
        this.idCounter += 1;
        return `${prefix}${this.idCounter}`;
      },
    };
    if (seed) {
      const apply = def.seeds?.[seed];
      if (!apply) throw new Error(`Unknown seed ${seed} for ${def.name}`);
      apply(inst);
    }
    instances.set(id, inst);
    return inst;
  }

  const vendor: EmulatorApp<S> = new Hono();
  def.routes(vendor);

  const app = new Hono<EmulatorEnv<S>>();

  // ---- control plane -------------------------------------------------------------------------
  app.post('/__emulator/instances', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { id?: string; config?: unknown; seed?: string };
    const id = body.id ?? crypto.randomUUID().slice(0, 8);
    const inst = createInstance(id, body.config, body.seed);
    const origin = new URL(c.req.url).origin;
    return c.json({ id: inst.id, baseUrl: `${origin}/i/${inst.id}` }, 201);
  });
  const withInstance = (c: Context<EmulatorEnv<S>>) => instances.get(c.req.param('id') ?? '');
  app.get('/__emulator/instances/:id/effects', (c) => {
    const inst = withInstance(c);
    if (!inst) return c.json({ error: 'no such instance' }, 404);
    return c.json({
      effects: inst.effects,
      requests: inst.requests,
      maxInFlight: inst.maxInFlight,
      throttled: inst.throttled,
    });
  });
  app.get('/__emulator/instances/:id/requests', (c) => {
    const inst = withInstance(c);
    if (!inst) return c.json({ error: 'no such instance' }, 404);
    return c.json({ requests: inst.requests, log: inst.requestLog });
  });
  app.get('/__emulator/instances/:id/state', (c) => {
    const inst = withInstance(c);
    if (!inst) return c.json({ error: 'no such instance' }, 404);
    return c.json(inst.state as object);
  });
  app.post('/__emulator/instances/:id/faults', async (c) => {
    const inst = withInstance(c);
    if (!inst) return c.json({ error: 'no such instance' }, 404);
    const rules = z.array(FaultRuleSchema).parse(((await c.req.json()) as { rules: unknown }).rules);
    inst.faults.push(...rules.map((r) => ({ ...r, fired: 0 })));
    return c.json({ faults: inst.faults });
  });
  app.get('/__emulator/instances/:id/faults', (c) => {
    const inst = withInstance(c);
    if (!inst) return c.json({ error: 'no such instance' }, 404);
    return c.json({ faults: inst.faults });
  });
  app.delete('/__emulator/instances/:id/faults', (c) => {
    const inst = withInstance(c);
    if (!inst) return c.json({ error: 'no such instance' }, 404);
    inst.faults = [];
    return c.json({ faults: [] });
  });
  app.patch('/__emulator/instances/:id/config', async (c) => {
    const inst = withInstance(c);
    if (!inst) return c.json({ error: 'no such instance' }, 404);
    inst.config = InstanceConfigSchema.parse({ ...inst.config, ...((await c.req.json()) as object) });
    return c.json(inst.config);
  });

  def.controlRoutes?.(app, (id) => instances.get(id));

  // ---- vendor plane --------------------------------------------------------------------------
  const faults: MiddlewareHandler<EmulatorEnv<S>> = async (c, next) => {
    const inst = instances.get(c.req.param('instance') ?? '');
    if (!inst) {
      const { body } = def.errorFormat(404, `Unknown ${def.name} instance`, 'NOT_FOUND');
      return c.json(body as object, 404);
    }
    c.set('instance', inst);
    inst.requests += 1;
    const path = c.req.path.replace(/^\/i\/[^/]+/, '') || '/';
    inst.requestLog.push(`${c.req.method} ${path}`);
    if (inst.requestLog.length > REQUEST_LOG_SIZE) inst.requestLog.shift();
    const now = Date.now();
    const hits = inst.faults.filter((f) => {
      if (f.times !== undefined && f.fired >= f.times) return false;
      if (f.untilEpochMs !== undefined && now > f.untilEpochMs) return false;
      if (f.method && f.method.toUpperCase() !== c.req.method) return false;
      if (f.path && !new RegExp(f.path, 'i').test(path)) return false;
      if (f.probability !== undefined && inst.random() >= f.probability) return false;
      return true;
    });
    for (const f of hits) f.fired += 1;
    if (inst.config.latencyMs > 0) await sleep(inst.config.latencyMs);
    for (const f of hits.filter((h) => h.kind === 'latency')) await sleep(f.ms ?? 1000);
    const socket = c.env.incoming.socket;
    const outage = hits.find((h) => h.kind === 'outage');
    if (outage) {
      if (outage.mode === '503') {
        const e = def.errorFormat(503, 'Service unavailable (emulated outage)', 'SERVICE_UNAVAILABLE');
        return c.json(e.body as object, 503, e.headers);
      }
      socket.destroy();
      return new Response(null, { status: 599 });
    }
    const timeout = hits.find((h) => h.kind === 'timeout');
    if (timeout) {
      await sleep(timeout.ms ?? 30_000);
      socket.destroy();
      return new Response(null, { status: 599 });
    }
    const limited = hits.find((h) => h.kind === 'rate_limit');
    if (limited) {
      if (def.concurrencyLimitResponse) return def.concurrencyLimitResponse(c);
      const e = def.errorFormat(429, 'Too many requests', 'REQUEST_LIMIT_EXCEEDED');
      return c.json(e.body as object, 429, {
        'Retry-After': String(limited.retryAfterSeconds ?? 1),
        ...e.headers,
      });
    }
    const redirect = hits.find((h) => h.kind === 'redirect');
    if (redirect) {
      // A vendor moving an org or an account (or a hostile middlebox): the caller must not follow.
      return new Response(null, {
        status: redirect.redirectStatus ?? 302,
        headers: { location: redirect.location ?? 'http://169.254.169.254/latest/meta-data/' },
      });
    }
    const error = hits.find((h) => h.kind === 'error');
    if (error) {
      const status = error.status ?? 500;
      const e = def.errorFormat(
        status,
        'Injected failure',
        status >= 500 ? 'UNEXPECTED_ERROR' : 'BAD_REQUEST',
      );
      return c.json(e.body as object, status as 500, e.headers);
    }
    if (inst.config.concurrencyLimit > 0 && inst.inFlight >= inst.config.concurrencyLimit) {
      inst.throttled += 1;
      if (def.concurrencyLimitResponse) return def.concurrencyLimitResponse(c);
      const e = def.errorFormat(429, 'Concurrency limit exceeded', 'CONCURRENCY_LIMIT_EXCEEDED');
      return c.json(e.body as object, 429, { 'Retry-After': '1', ...e.headers });
    }
    inst.inFlight += 1;
    inst.maxInFlight = Math.max(inst.maxInFlight, inst.inFlight);
    try {
      await next();
    } finally {
      inst.inFlight -= 1;
    }
    const malform = hits.find((h) => h.kind === 'malform');
    if (malform?.set && c.res.headers.get('content-type')?.includes('json')) {
      const body = (await c.res.json()) as Record<string, unknown>;
      for (const [path, value] of Object.entries(malform.set)) setPath(body, path.split('.'), value);
      const headers = new Headers(c.res.headers);
      headers.delete('content-length');
      c.res = new Response(JSON.stringify(body), { status: c.res.status, headers });
    }
    if (hits.some((h) => h.kind === 'drop_after_commit')) {
      // The write is committed; the caller never hears about it.
      socket.destroy();
    }
  };
  app.use('/i/:instance/*', faults);
  app.route('/i/:instance', vendor);

  return {
    name: def.name,
    app,
    instances,
    createInstance,
    /** Snapshot every instance's state (for the sandbox's persistence). */
    snapshot(): string {
      return JSON.stringify(
        [...instances.values()].map((i) => ({
          id: i.id,
          config: i.config,
          state: i.state,
          effects: i.effects,
          idCounter: i.idCounter,
        })),
      );
    },
    restore(json: string) {
      for (const saved of JSON.parse(json) as {
        id: string;
        config: unknown;
        state: S;
        effects: Record<string, number>;
        idCounter: number;
      }[]) {
        const inst = createInstance(saved.id, saved.config);
        inst.state = saved.state;
        inst.effects = saved.effects;
        inst.idCounter = saved.idCounter;
      }
    },
    async listen(
      port = 0,
      stateFile?: string,
    ): Promise<{ url: string; port: number; close(): Promise<void> }> {
      if (stateFile) {
        try {
          this.restore(readFileSync(stateFile, 'utf8'));
        } catch {
          // first run: nothing saved yet
        }
      }
      const timer = stateFile
        ? setInterval(() => writeFileSync(stateFile, this.snapshot()), 1000)
        : undefined;
      return new Promise((resolve) => {
        const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
          resolve({
            url: `http://127.0.0.1:${info.port}`,
            port: info.port,
            close: () =>
              new Promise<void>((done) => {
                if (timer) clearInterval(timer);
                if (stateFile) writeFileSync(stateFile, this.snapshot());
                (server as Server).closeAllConnections?.();
                server.close(() => done());
              }),
          });
        });
      });
    },
  };
}
export type Emulator<S> = ReturnType<typeof createEmulator<S>>;

/** Sets `value` at `path` in a parsed JSON answer, if every step but the last exists. */
function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let at: unknown = target;
  for (const key of path.slice(0, -1)) {
    if (!at || typeof at !== 'object') return;
    at = (at as Record<string, unknown>)[key];
  }
  if (at && typeof at === 'object') (at as Record<string, unknown>)[path[path.length - 1]!] = value;
}
