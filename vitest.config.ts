import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { buildConsole } from './plugins/console/build';
import { connectAppBindings, consoleBindings, type EmulatorUrls, teamsBindings } from './test/emulators';
import { TEST_KEYRINGS } from './test/setup/test-keys';

// The console is the worker's static assets (wrangler.toml `[assets]`): built before the worker starts.
await buildConsole(path.join(import.meta.dirname, 'dist', 'assets'));

const migrations = await readD1Migrations(path.join(import.meta.dirname, 'worker/db/migrations'));

type Budgets = Record<'API_RATE_LIMIT' | 'WEBHOOK_RATE_LIMIT' | 'SYNC_RATE_LIMIT', number>;

/** Firms' request budgets per 60 s. The suites make more calls than a firm would; the limits suite, fewer. */
const SUITE_BUDGETS: Budgets = {
  API_RATE_LIMIT: 100_000,
  WEBHOOK_RATE_LIMIT: 100_000,
  SYNC_RATE_LIMIT: 10_000,
};
const SMALL_BUDGETS: Budgets = { API_RATE_LIMIT: 40, WEBHOOK_RATE_LIMIT: 30, SYNC_RATE_LIMIT: 3 };
const ratelimits = (b: Budgets) =>
  Object.fromEntries(
    Object.entries(b).map(([name, limit], i) => [
      name,
      { namespace_id: String(1001 + i), simple: { limit, period: 60 as const } },
    ]),
  );

/** The same worker suite, once on D1 and once on libsql (a local sqld), with the emulators running in Node. */
function workerProject(name: 'worker-d1' | 'worker-libsql' | 'worker-limits') {
  const libsql = name === 'worker-libsql';
  const limits = name === 'worker-limits';
  return {
    plugins: [
      cloudflareTest(async ({ inject }) => ({
        wrangler: { configPath: './wrangler.toml' },
        // workerd's verbose mode logs every failed outbound fetch as "uncaught exception ... Network connection
        // lost", even one our code catches (the suites inject such faults on purpose). Off, a caught fault prints
        // nothing, and a rejection nobody handles still fails the run as vitest's "Unhandled Rejection".
        verbose: false,
        miniflare: {
          ratelimits: ratelimits(limits ? SMALL_BUDGETS : SUITE_BUDGETS),
          bindings: {
            TEST_MIGRATIONS: migrations,
            // Fixed for tests: every isolate of a project (and the shared sqld) must decrypt what another wrote.
            SECRETS_KEY: Buffer.from('handoff-test-secrets-key-32bytes').toString('base64'),
            // Mid-rotation keyrings, as a deployment has them while re-encrypting: the previous keys still read.
            ...TEST_KEYRINGS,
            PLATFORM_ADMIN_TOKEN: 'test-platform-token',
            ALLOW_LOOPBACK_CONNECTIONS: 'true',
            QUEUE_RETRY_BASE_SECONDS: '0',
            // One info line per audit entry is noise here, and background work that outlives its test file
            // must not print while vitest closes that file ("Closing rpc while onUserConsoleLog was pending").
            LOG_LEVEL: 'warn',
            // Workers cannot read the host's environment: the reliability suite's seed and scale come as bindings.
            HANDOFF_SEED: process.env.HANDOFF_SEED ?? '',
            HANDOFF_RELIABILITY_SCALE: process.env.HANDOFF_RELIABILITY_SCALE ?? '',
            EMULATORS: inject('emulators' as never) as unknown as Record<string, string>,
            ...teamsBindings(inject('emulators' as never) as unknown as EmulatorUrls),
            ...connectAppBindings(),
            ...consoleBindings(inject('emulators' as never) as unknown as EmulatorUrls),
            ...(libsql
              ? { DB_DRIVER: 'libsql', LIBSQL_URL: inject('sqldUrl' as never) as unknown as string }
              : { DB_DRIVER: 'd1' }),
          },
        },
      })),
    ],
    test: {
      name,
      // The reliability suite runs here too (seeded; HANDOFF_SEED replays, HANDOFF_RELIABILITY_SCALE enlarges).
      // The limits suite runs on its own, with small budgets (D1 only: budgets do not depend on the database).
      include: limits
        ? ['test/worker-limits/**/*.test.ts']
        : ['test/worker/**/*.test.ts', 'test/reliability/worker/**/*.test.ts'],
      setupFiles: ['test/setup/apply-migrations.ts'],
      globalSetup: [libsql ? 'test/setup/global-libsql.ts' : 'test/setup/global-emulators.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      // Worker logs (one JSON line per audit entry) are printed only for failing tests.
      silent: 'passed-only' as const,
    },
  };
}

export default defineConfig({
  test: {
    // Vitest's default (one fewer than the cores) runs one file at a time on a 2-core machine: ~30 minutes.
    // Two at a time took 20, but starved the timing-bound suites (outage waits, settling firms, the sidebar's
    // live updates) into failing; they need a look before the run can go wider.
    projects: [
      workerProject('worker-d1'),
      workerProject('worker-libsql'),
      workerProject('worker-limits'),
      {
        test: {
          name: 'node',
          environment: 'node',
          include: [
            'test/node/**/*.test.ts',
            'test/emulators/**/*.test.ts',
            'plugins/**/test/**/*.test.ts',
            'test/reliability/node/**/*.test.ts',
          ],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
