/**
 * The `table.column` list of a UNIQUE constraint an insert or update broke, or undefined for any other
 * error. D1 ("D1_ERROR: UNIQUE constraint failed: tenants.salesforce_org_id: SQLITE_CONSTRAINT") and libsql
 * ("SQLITE_CONSTRAINT_UNIQUE: UNIQUE constraint failed: ...") say it in the message, which drizzle may wrap
 * in a query error whose `cause` holds the driver's.
 */
export function uniqueViolation(e: unknown): string | undefined {
  for (let err = e, depth = 0; err && depth < 5; err = (err as { cause?: unknown }).cause, depth++) {
    const match = /UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)/.exec(
      String((err as Error).message ?? err),
    );
    if (match) return match[1];
  }
  return undefined;
}

/**
 * True when the database could not do the work just now but may a moment later: SQLite's lock held too long
 * by another writer (libsql/sqld "SQLITE_BUSY", "database is locked"), D1 overloaded or its connection reset,
 * or the libsql server unreachable. Such a request answers 503 with Retry-After, never 500: webhook senders and
 * clients retry it, and nothing was written (each statement or batch is atomic).
 */
export function transientDbFailure(e: unknown): boolean {
  let fromDb = false;
  let transient = false;
  for (let err = e, depth = 0; err && depth < 5; err = (err as { cause?: unknown }).cause, depth++) {
    const text = `${(err as Error).name ?? ''} ${(err as { code?: string }).code ?? ''} ${String((err as Error).message ?? err)}`;
    if (/Failed query|D1_ERROR|LibsqlError|SQLITE_/.test(text)) fromDb = true;
    if (
      /SQLITE_BUSY|database is locked|overloaded|Network connection lost|reset because|try again|SERVER_ERROR|HRANA_WEBSOCKET_ERROR|fetch failed|ECONNREFUSED|ECONNRESET/i.test(
        text,
      )
    )
      transient = true;
  }
  return fromDb && transient;
}
