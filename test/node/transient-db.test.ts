import { describe, expect, it } from 'vitest';
import { transientDbFailure, uniqueViolation } from '../../worker/db/unique-violation';

/** drizzle wraps the driver's error in "Failed query: …" and keeps the driver's as its cause. */
const wrapped = (cause: Error) =>
  Object.assign(new Error('Failed query: insert into "webhook_receipts" …'), { cause });
const libsql = (code: string, message: string) =>
  Object.assign(new Error(message), { name: 'LibsqlError', code });

describe('a database that cannot answer just now is told apart from a bug', () => {
  it('takes a busy or unreachable database as transient (503, retried), on both drivers', () => {
    expect(transientDbFailure(wrapped(libsql('SQLITE_BUSY', 'SQLITE_BUSY: database is locked')))).toBe(true);
    expect(transientDbFailure(wrapped(libsql('SERVER_ERROR', 'Server returned HTTP status 503')))).toBe(true);
    expect(
      transientDbFailure(wrapped(new Error('D1_ERROR: D1 DB is overloaded. Requests queued for too long.'))),
    ).toBe(true);
    expect(transientDbFailure(wrapped(new Error('D1_ERROR: Network connection lost.')))).toBe(true);
  });

  it('never takes a constraint, a schema error or a vendor outage for a busy database', () => {
    const unique = wrapped(
      libsql('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed: tenants.salesforce_org_id'),
    );
    expect(transientDbFailure(unique)).toBe(false);
    expect(uniqueViolation(unique)).toBe('tenants.salesforce_org_id');
    expect(transientDbFailure(wrapped(libsql('SQLITE_ERROR', 'no such column: nope')))).toBe(false);
    // A vendor's network failure is the connector's to report, not the database's.
    expect(transientDbFailure(new TypeError('fetch failed'))).toBe(false);
    expect(transientDbFailure(new Error('netsuite unreachable: Network connection lost.'))).toBe(false);
  });
});
