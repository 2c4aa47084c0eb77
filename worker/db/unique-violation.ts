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
