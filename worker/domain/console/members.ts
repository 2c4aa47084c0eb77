import { and, asc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import { CONSOLE_ROLES, type ConsoleRole } from '../../../shared/api/console';
import type { Db } from '../../db/client';
import { consoleMembersTable, consoleSessionsTable } from '../../db/schema';
import { ApiError } from '../../http/api-error';
import { type AuditedPrincipal, audit, byPrincipal } from '../audit';

export type MemberRow = typeof consoleMembersTable.$inferSelect;

/** A member as the API shows it. */
export function memberView(m: MemberRow) {
  return {
    id: m.id,
    name: m.name,
    email: m.email,
    provider: m.provider,
    organizationId: m.organizationId,
    roles: m.roles as ConsoleRole[],
    state: m.state,
    createdAt: m.createdAt,
    lastSignInAt: m.lastSignInAt,
  };
}
export type MemberView = ReturnType<typeof memberView>;

/** Roles in the order the console lists them, each once. */
export const normaliseRoles = (roles: readonly string[]): ConsoleRole[] =>
  CONSOLE_ROLES.filter((r) => roles.includes(r));

/**
 * Another active admin of the tenant than `memberId` exists, as one SQL condition: put in the WHERE of the
 * update that demotes, disables or removes `memberId`, so two admins demoting each other at once cannot both
 * succeed (the second update finds no other admin and changes nothing).
 */
function anotherActiveAdmin(tenantId: string, memberId: string): SQL {
  return sql`exists (select 1 from ${consoleMembersTable} m2, json_each(m2.roles) r where m2.tenant_id = ${tenantId} and m2.id <> ${memberId} and m2.state = 'active' and r.value = 'admin')`;
}

/** Whether the tenant has an active admin (the operator may then no longer invite one). */
export async function hasActiveAdmin(db: Db, tenantId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: consoleMembersTable.id })
    .from(consoleMembersTable)
    .where(
      and(
        eq(consoleMembersTable.tenantId, tenantId),
        eq(consoleMembersTable.state, 'active'),
        sql`exists (select 1 from json_each(${consoleMembersTable.roles}) r where r.value = 'admin')`,
      ),
    )
    .limit(1);
  return Boolean(row);
}

export async function listMembers(db: Db, tenantId: string): Promise<MemberView[]> {
  const rows = await db
    .select()
    .from(consoleMembersTable)
    .where(eq(consoleMembersTable.tenantId, tenantId))
    .orderBy(asc(consoleMembersTable.createdAt), asc(consoleMembersTable.id));
  return rows.map(memberView);
}

async function memberOf(db: Db, tenantId: string, memberId: string): Promise<MemberRow> {
  const [m] = await db
    .select()
    .from(consoleMembersTable)
    .where(and(eq(consoleMembersTable.id, memberId), eq(consoleMembersTable.tenantId, tenantId)))
    .limit(1);
  if (!m) throw new ApiError('NOT_FOUND', `No console member ${memberId} in this firm.`);
  return m;
}

const lastAdmin = (m: MemberRow, what: string) =>
  new ApiError('CONFLICT', `${m.name} is the firm's last admin and cannot be ${what}.`, [
    {
      field: 'id',
      message: 'the last active admin of the firm',
      fix: 'Give another member the admin role first (PATCH /v1/console/members/{id}), then try again.',
    },
  ]);

/** Ends the member's sessions, in the same batch as the change, only if the member row now has `after`. */
function endSessionsIfChanged(db: Db, memberId: string, after: { roles: string[]; state: string }) {
  const applied = sql`exists (select 1 from ${consoleMembersTable} m3 where m3.id = ${memberId} and m3.roles = ${JSON.stringify(after.roles)} and m3.state = ${after.state})`;
  return db
    .update(consoleSessionsTable)
    .set({ revokedAt: new Date().toISOString(), revokedReason: 'member changed' })
    .where(and(eq(consoleSessionsTable.memberId, memberId), isNull(consoleSessionsTable.revokedAt), applied));
}

/**
 * Changes a member's assigned roles and/or state. Ends their sessions (their next request finds no session:
 * they sign in again with the new roles, or cannot when disabled). The firm's last active admin keeps the
 * admin role and stays active.
 */
export async function updateMember(
  db: Db,
  input: { tenantId: string; memberId: string; roles?: ConsoleRole[]; state?: 'active' | 'disabled' },
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<MemberView> {
  const before = await memberOf(db, input.tenantId, input.memberId);
  const roles = input.roles ? normaliseRoles(input.roles) : normaliseRoles(before.roles);
  const state = input.state ?? before.state;
  if (state === before.state && JSON.stringify(roles) === JSON.stringify(before.roles))
    return memberView(before);
  const losesAdmin =
    before.state === 'active' &&
    before.roles.includes('admin') &&
    (!roles.includes('admin') || state !== 'active');
  const [updated] = await db.batch([
    db
      .update(consoleMembersTable)
      .set({ roles, state })
      .where(
        and(
          eq(consoleMembersTable.id, before.id),
          eq(consoleMembersTable.tenantId, input.tenantId),
          ...(losesAdmin ? [anotherActiveAdmin(input.tenantId, before.id)] : []),
        ),
      )
      .returning(),
    endSessionsIfChanged(db, before.id, { roles, state }),
  ]);
  if (updated.length === 0) throw lastAdmin(before, state !== 'active' ? 'disabled' : 'demoted');
  await audit(
    db,
    byPrincipal(by.who, {
      tenantId: input.tenantId,
      correlationId: by.correlationId,
      action: 'console_member.updated',
      subjectType: 'console_member',
      subjectId: before.id,
      detail: {
        name: before.name,
        before: { roles: before.roles, state: before.state },
        after: { roles, state },
        sessionsEnded: true,
      },
    }),
  );
  return memberView(updated[0]!);
}

/** Removes a member and ends their sessions; never the firm's last active admin. */
export async function removeMember(
  db: Db,
  input: { tenantId: string; memberId: string },
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<void> {
  const before = await memberOf(db, input.tenantId, input.memberId);
  const isAdmin = before.state === 'active' && before.roles.includes('admin');
  // Sessions reference the member: they go with it, under the same last-admin condition (the audit trail
  // keeps the story).
  const allowed = isAdmin ? [anotherActiveAdmin(input.tenantId, before.id)] : [];
  const [, removed] = await db.batch([
    db.delete(consoleSessionsTable).where(and(eq(consoleSessionsTable.memberId, before.id), ...allowed)),
    db
      .delete(consoleMembersTable)
      .where(
        and(
          eq(consoleMembersTable.id, before.id),
          eq(consoleMembersTable.tenantId, input.tenantId),
          ...allowed,
        ),
      )
      .returning({ id: consoleMembersTable.id }),
  ]);
  if (removed.length === 0) throw lastAdmin(before, 'removed');
  await audit(
    db,
    byPrincipal(by.who, {
      tenantId: input.tenantId,
      correlationId: by.correlationId,
      action: 'console_member.removed',
      subjectType: 'console_member',
      subjectId: before.id,
      detail: {
        name: before.name,
        provider: before.provider,
        organizationId: before.organizationId,
        roles: before.roles,
      },
    }),
  );
}
