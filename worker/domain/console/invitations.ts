import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { ConsoleRole } from '../../../shared/api/console';
import type { Db } from '../../db/client';
import { consoleInvitationsTable, tenantsTable } from '../../db/schema';
import { ApiError } from '../../http/api-error';
import { type AuditedPrincipal, audit, byPrincipal } from '../audit';
import { randomToken, sha256Hex } from '../crypto';
import { hasActiveAdmin, normaliseRoles } from './members';

/** An invitation is good for this long, and once. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** The console's sign-in page: it offers each provider's start link for the invitation. */
export const SIGN_IN_PAGE = '/console/sign-in';

export type InvitationRow = typeof consoleInvitationsTable.$inferSelect;

/**
 * A one-time invitation to the tenant's console with `roles`: answers the link to send the person (only the
 * token's hash is kept, so the link cannot be shown again).
 */
export async function createInvitation(
  db: Db,
  input: { tenantId: string; roles: ConsoleRole[]; email?: string; origin: string },
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<{ id: string; invitationUrl: string; expiresAt: string; roles: ConsoleRole[]; email?: string }> {
  const token = `inv_${randomToken(32)}`;
  const roles = normaliseRoles(input.roles);
  const email = input.email?.trim().toLowerCase();
  const id = `cin_${randomToken(12)}`;
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS).toISOString();
  await db.insert(consoleInvitationsTable).values({
    id,
    tenantId: input.tenantId,
    tokenHash: await sha256Hex(token),
    roles,
    email: email ?? null,
    expiresAt,
    createdBy: by.who.actor,
  });
  await audit(
    db,
    byPrincipal(by.who, {
      tenantId: input.tenantId,
      correlationId: by.correlationId,
      action: 'console_invitation.created',
      subjectType: 'console_invitation',
      subjectId: id,
      detail: { roles, ...(email ? { email } : {}), expiresAt },
    }),
  );
  const invitationUrl = `${input.origin}${SIGN_IN_PAGE}?${new URLSearchParams({ invitation: token })}`;
  return { id, invitationUrl, expiresAt, roles, ...(email ? { email } : {}) };
}

/**
 * The operator's one way into a firm's console: an admin invitation, only while the firm has no admin
 * member (409 after, when its admins invite people themselves).
 */
export async function createFirstAdminInvitation(
  db: Db,
  input: { tenantId: string; email?: string; origin: string },
  by: { who: AuditedPrincipal; correlationId: string },
) {
  const [tenant] = await db
    .select({ id: tenantsTable.id })
    .from(tenantsTable)
    .where(eq(tenantsTable.id, input.tenantId))
    .limit(1);
  if (!tenant) throw new ApiError('NOT_FOUND', `No tenant ${input.tenantId}.`);
  if (await hasActiveAdmin(db, input.tenantId))
    throw new ApiError('CONFLICT', 'This firm already has a console admin.', [
      {
        field: 'tenantId',
        message: 'the firm has an admin member',
        fix: "The firm's admins invite people from the console (POST /v1/console/invitations).",
      },
    ]);
  return createInvitation(db, { ...input, roles: ['admin'] }, by);
}

/** The invitation a token names, if it is still good (unexpired, not redeemed). */
export async function redeemableInvitation(db: Db, token: string): Promise<InvitationRow | undefined> {
  if (!/^inv_[\w-]{20,80}$/.test(token)) return undefined;
  const [row] = await db
    .select()
    .from(consoleInvitationsTable)
    .where(
      and(
        eq(consoleInvitationsTable.tokenHash, await sha256Hex(token)),
        isNull(consoleInvitationsTable.redeemedAt),
        gt(consoleInvitationsTable.expiresAt, new Date().toISOString()),
      ),
    )
    .limit(1);
  return row;
}

/** Invitations past their expiry by more than `retentionMs` (used or not), dropped by the cron. */
export async function dropExpiredInvitations(db: Db, retentionMs: number): Promise<number> {
  const gone = await db
    .delete(consoleInvitationsTable)
    .where(lt(consoleInvitationsTable.expiresAt, new Date(Date.now() - retentionMs).toISOString()))
    .returning({ id: consoleInvitationsTable.id });
  return gone.length;
}
