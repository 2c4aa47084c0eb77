import { is, SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import type { Db } from './client';

const dialect = new SQLiteSyncDialect();

type Statement = SQL | { toSQL(): { sql: string; params: unknown[] } };

interface LibsqlClient {
  batch(stmts: { sql: string; args: unknown[] }[], mode: 'write'): Promise<unknown>;
}

/**
 * Statements run as one transaction (all or nothing), on either driver. For hand-written SQL with bound
 * values (UPDATE ... FROM json_each, INSERT ... SELECT), which drizzle's D1 batch cannot prepare (it only
 * binds values of its own query builders); query builders may be mixed in.
 */
export async function atomicBatch(db: Db, statements: Statement[]): Promise<void> {
  const queries = statements.map((s) => (is(s, SQL) ? dialect.sqlToQuery(s) : s.toSQL()));
  const client = (db as unknown as { $client: D1Database | LibsqlClient }).$client;
  if ('prepare' in client) {
    await client.batch(queries.map((q) => client.prepare(q.sql).bind(...q.params)));
    return;
  }
  await client.batch(
    queries.map((q) => ({ sql: q.sql, args: q.params })),
    'write',
  );
}
