import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { type EmulatorUrls, teamsBindings } from './test/emulators';
import { TEST_KEYRINGS } from './test/setup/test-keys';

const migrations = await readD1Migrations(path.join(import.meta.dirname, 'worker/db/migrations'));

/** The same worker suite, once on D1 and once on libsql (a local sqld), with the emulators running in Node. */
function workerProject(name: 'worker-d1' | 'worker-libsql') {
  const libsql = name === 'worker-libsql';
  return {
    plugins: [
      cloudflareTest(async ({ inject }) => ({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // Fixed for tests: every isolate of a project (and the shared sqld) must decrypt what another wrote.
            SECRETS_KEY: Buffer.from('handoff-test-secrets-key-32bytes').toString('base64'),
            // Mid-rotation keyrings, as a deployment has them while re-encrypting: the previous keys still read.
            ...TEST_KEYRINGS,
            PLATFORM_ADMIN_TOKEN: 'test-platform-token',
            ALLOW_LOOPBACK_CONNECTIONS: 'true',
            QUEUE_RETRY_BASE_SECONDS: '0',
            // Workers cannot read the host's environment: the reliability suite's seed and scale come as bindings.
            HANDOFF_SEED: process.env.HANDOFF_SEED ?? '',
            HANDOFF_RELIABILITY_SCALE: process.env.HANDOFF_RELIABILITY_SCALE ?? '',
            EMULATORS: inject('emulators' as never) as unknown as Record<string, string>,
            ...teamsBindings(inject('emulators' as never) as unknown as EmulatorUrls),
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
      include: ['test/worker/**/*.test.ts', 'test/reliability/worker/**/*.test.ts'],
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
    projects: [
      workerProject('worker-d1'),
      workerProject('worker-libsql'),
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
