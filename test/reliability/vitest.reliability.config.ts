/**
 * Runs only the reliability suite, with the same projects as the root config (node + worker-d1), so it can
 * be run on its own before (or without) being wired into the root `vitest.config.ts`:
 *   npx vitest run -c test/reliability/vitest.reliability.config.ts
 * Root config: `test/reliability/node/**` → node project; `test/reliability/worker/**` → worker projects.
 */
import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { connectAppBindings, consoleBindings, type EmulatorUrls, teamsBindings } from '../emulators';
import { TEST_KEYRINGS } from '../setup/test-keys';

const root = path.join(import.meta.dirname, '../..');

/**
 * Mutation checks (are the tests honest?): HANDOFF_MUTANT="<import specifier regex>=><absolute file>" swaps one
 * module for a deliberately broken copy, e.g. the idempotency middleware without its fingerprint check.
 * See test/reliability/mutants.sh.
 */
const mutant = process.env.HANDOFF_MUTANT?.split('=>');
/**
 * The left side is the module's path from the repository root (every import of it, whatever its specifier,
 * resolves to the broken copy) or, as before, a regex of the import specifier.
 */
const byPath = mutant && !mutant[0]!.startsWith('^') ? path.join(root, mutant[0]!) : undefined;
const alias = mutant && !byPath ? [{ find: new RegExp(mutant[0]!), replacement: mutant[1]! }] : [];
const swapModule = {
  name: 'handoff-mutant',
  enforce: 'pre' as const,
  async resolveId(
    this: { resolve: (s: string, i?: string, o?: object) => Promise<{ id: string } | null> },
    source: string,
    importer: string | undefined,
    options: object,
  ) {
    if (!byPath || !mutant || importer === mutant[1]) return null;
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
    return resolved?.id.split('?')[0] === byPath ? mutant[1]! : null;
  },
};
const mutantPlugins = byPath ? [swapModule] : [];
/** A mutant may be checked against any test file (worker or node), not only the reliability suite's. */
const everyFile = Boolean(mutant) || process.env.HANDOFF_RELIABILITY_ALL_FILES === 'true';

/** The firms' request budgets as the root config's worker suites have them (the suites make many calls). */
const ratelimits = Object.fromEntries(
  (
    [
      ['API_RATE_LIMIT', 100_000],
      ['WEBHOOK_RATE_LIMIT', 100_000],
      ['SYNC_RATE_LIMIT', 10_000],
    ] as const
  ).map(([name, limit], i) => [
    name,
    { namespace_id: String(1001 + i), simple: { limit, period: 60 as const } },
  ]),
);
const migrations = await readD1Migrations(path.join(root, 'worker/db/migrations'));

/** Worker logs only for failing tests (as the root config; typed loosely there too). */
const quietWhenPassing = { silent: 'passed-only' } as Record<string, unknown>;

/** The worker suite in workerd, on D1 or on a local sqld (as the root config's worker projects). */
function workerProject(libsql: boolean) {
  return {
    resolve: { alias },
    plugins: [
      ...mutantPlugins,
      cloudflareTest(async ({ inject }) => ({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          ratelimits,
          bindings: {
            TEST_MIGRATIONS: migrations,
            SECRETS_KEY: Buffer.from('handoff-test-secrets-key-32bytes').toString('base64'),
            ...TEST_KEYRINGS,
            PLATFORM_ADMIN_TOKEN: 'test-platform-token',
            ALLOW_LOOPBACK_CONNECTIONS: 'true',
            QUEUE_RETRY_BASE_SECONDS: '0',
            EMULATORS: inject('emulators' as never) as unknown as Record<string, string>,
            ...teamsBindings(inject('emulators' as never) as unknown as EmulatorUrls),
            ...connectAppBindings(),
            ...consoleBindings(inject('emulators' as never) as unknown as EmulatorUrls),
            ...(libsql
              ? { DB_DRIVER: 'libsql', LIBSQL_URL: inject('sqldUrl' as never) as unknown as string }
              : { DB_DRIVER: 'd1' }),
            // Seed and scale reach the workerd tests as bindings (visible in process.env there).
            HANDOFF_SEED: process.env.HANDOFF_SEED ?? '',
            HANDOFF_RELIABILITY_SCALE: process.env.HANDOFF_RELIABILITY_SCALE ?? '',
          },
        },
      })),
    ],
    test: {
      name: libsql ? 'reliability-worker-libsql' : 'reliability-worker-d1',
      include: ['test/reliability/worker/**/*.test.ts', ...(everyFile ? ['test/worker/**/*.test.ts'] : [])],
      setupFiles: ['test/setup/apply-migrations.ts'],
      globalSetup: [libsql ? 'test/setup/global-libsql.ts' : 'test/setup/global-emulators.ts'],
      testTimeout: 120_000,
      ...quietWhenPassing,
      hookTimeout: 60_000,
    },
  };
}

export default defineConfig({
  root,
  test: {
    projects: [
      workerProject(false),
      workerProject(true),
      {
        resolve: { alias },
        plugins: mutantPlugins,
        test: {
          name: 'reliability-node',
          environment: 'node',
          include: ['test/reliability/node/**/*.test.ts', ...(everyFile ? ['test/node/**/*.test.ts'] : [])],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
