import { and, eq, gt, isNull, lt, or } from 'drizzle-orm';
import type { ConsoleRole } from '../../../shared/api/console';
import type { Db } from '../../db/client';
import { consoleMembersTable, consoleSessionsTable, tenantsTable } from '../../db/schema';
import { randomToken, sha256Hex } from '../crypto';

/** A session ends after this long without a request (sliding)... */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
/** ...and this long after sign-in, whatever happens. */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** Idle expiry moves at most this often (one write a minute per session, not one per request). */
const SLIDE_EVERY_MS = 60 * 1000;
export const SESSION_COOKIE = '__Host-handoff_session';

const iso = (ms: number) => new Date(ms).toISOString();

/** A new session for a member who just signed in: answers the cookie's secret (kept only as its hash). */
export async function createSession(
  db: Db,
  input: { tenantId: string; memberId: string; roles: ConsoleRole[] },
): Promise<{ id: string; token: string; csrfToken: string; expiresAt: string }> {
  const token = randomToken(32);
  const now = Date.now();
  const row = {
    id: `ses_${randomToken(12)}`,
    tokenHash: await sha256Hex(token),
    tenantId: input.tenantId,
    memberId: input.memberId,
    roles: input.roles,
    csrfToken: randomToken(24),
    lastSeenAt: iso(now),
    idleExpiresAt: iso(now + SESSION_IDLE_MS),
    absoluteExpiresAt: iso(now + SESSION_ABSOLUTE_MS),
  };
  await db.insert(consoleSessionsTable).values(row);
  return { id: row.id, token, csrfToken: row.csrfToken, expiresAt: row.idleExpiresAt };
}

export interface LiveSession {
  id: string;
  tenantId: string;
  tenantName: string;
  csrfToken: string;
  roles: ConsoleRole[];
  /** When it ends if nothing else happens: the sooner of the idle and the absolute expiry. */
  expiresAt: string;
  member: {
    id: string;
    name: string;
    email: string | null;
    provider: 'entra' | 'salesforce';
    subject: string;
  };
}

/**
 * The live session a cookie's secret names: found by its hash, not revoked, within both expiries, its member
 * still active. Slides the idle expiry (at most once a minute). Undefined for anything else.
 */
export async function resolveSession(db: Db, token: string): Promise<LiveSession | undefined> {
  if (!/^[\w-]{20,100}$/.test(token)) return undefined;
  const nowIso = new Date().toISOString();
  const [row] = await db
    .select({ s: consoleSessionsTable, m: consoleMembersTable, tenantName: tenantsTable.name })
    .from(consoleSessionsTable)
    .innerJoin(consoleMembersTable, eq(consoleMembersTable.id, consoleSessionsTable.memberId))
    .innerJoin(tenantsTable, eq(tenantsTable.id, consoleSessionsTable.tenantId))
    .where(
      and(
        eq(consoleSessionsTable.tokenHash, await sha256Hex(token)),
        isNull(consoleSessionsTable.revokedAt),
        gt(consoleSessionsTable.idleExpiresAt, nowIso),
        gt(consoleSessionsTable.absoluteExpiresAt, nowIso),
      ),
    )
    .limit(1);
  if (!row) return undefined;
  if (row.m.state !== 'active' || row.m.tenantId !== row.s.tenantId) return undefined;
  let idle = row.s.idleExpiresAt;
  const now = Date.now();
  if (now - Date.parse(row.s.lastSeenAt) >= SLIDE_EVERY_MS) {
    idle = iso(Math.min(now + SESSION_IDLE_MS, Date.parse(row.s.absoluteExpiresAt)));
    await db
      .update(consoleSessionsTable)
      .set({ lastSeenAt: iso(now), idleExpiresAt: idle })
      .where(and(eq(consoleSessionsTable.id, row.s.id), isNull(consoleSessionsTable.revokedAt)));
  }
  return {
    id: row.s.id,
    tenantId: row.s.tenantId,
    tenantName: row.tenantName,
    csrfToken: row.s.csrfToken,
    roles: row.s.roles as ConsoleRole[],
    // ISO instants of one format compare as strings: the sooner of the two.
    expiresAt: [idle, row.s.absoluteExpiresAt].sort()[0]!,
    member: {
      id: row.m.id,
      name: row.m.name,
      email: row.m.email,
      provider: row.m.provider,
      subject: row.m.subject,
    },
  };
}

/** Ends one session (sign-out). */
export async function revokeSession(db: Db, tenantId: string, id: string, reason: string): Promise<void> {
  await db
    .update(consoleSessionsTable)
    .set({ revokedAt: new Date().toISOString(), revokedReason: reason })
    .where(
      and(
        eq(consoleSessionsTable.id, id),
        eq(consoleSessionsTable.tenantId, tenantId),
        isNull(consoleSessionsTable.revokedAt),
      ),
    );
}

/** Sessions ended (expired or revoked) more than `retentionMs` ago, dropped by the cron. */
export async function dropEndedSessions(db: Db, retentionMs: number): Promise<number> {
  const cutoff = iso(Date.now() - retentionMs);
  const gone = await db
    .delete(consoleSessionsTable)
    .where(
      or(
        lt(consoleSessionsTable.absoluteExpiresAt, cutoff),
        lt(consoleSessionsTable.idleExpiresAt, cutoff),
        lt(consoleSessionsTable.revokedAt, cutoff),
      ),
    )
    .returning({ id: consoleSessionsTable.id });
  return gone.length;
}
