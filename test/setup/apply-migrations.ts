import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

// D1 storage is isolated per test file; libsql tests share one sqld whose schema the global setup made.
const testEnv = env as unknown as {
  DB: D1Database;
  DB_DRIVER: string;
  TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1];
};
await applyD1Migrations(testEnv.DB, testEnv.TEST_MIGRATIONS);
