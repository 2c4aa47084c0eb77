import { createClient } from '@libsql/client/web';
import { type DrizzleD1Database, drizzle as drizzleD1 } from 'drizzle-orm/d1';
import { drizzle as drizzleLibsql } from 'drizzle-orm/libsql/web';
import type { Env } from '../env';
import * as schema from './schema';

/**
 * One drizzle schema, two drivers: the D1 binding (zero setup) or libsql/Turso over HTTP. Both speak
 * SQLite and drizzle gives them the same query API (select/insert/update/batch/returning), so the rest
 * of the worker sees one `Db` type.
 */
export type Db = DrizzleD1Database<typeof schema>;

export function getDb(env: Pick<Env, 'DB' | 'DB_DRIVER' | 'LIBSQL_URL' | 'LIBSQL_AUTH_TOKEN'>): Db {
  if (env.DB_DRIVER === 'libsql') {
    if (!env.LIBSQL_URL)
      throw new Error('DB_DRIVER=libsql needs LIBSQL_URL (an http(s):// or libsql:// URL)');
    // A client per call: workerd forbids sharing I/O objects between requests, and the HTTP client is cheap.
    const client = createClient({ url: env.LIBSQL_URL, authToken: env.LIBSQL_AUTH_TOKEN });
    return drizzleLibsql(client, { schema }) as unknown as Db;
  }
  return drizzleD1(env.DB, { schema });
}
