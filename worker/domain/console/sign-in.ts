import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import { CONSOLE_ROLES, type ConsoleRole } from '../../../shared/api/console';
import type { Db } from '../../db/client';
import {
  consoleInvitationsTable,
  consoleMembersTable,
  consoleSignInsTable,
  tenantsTable,
} from '../../db/schema';
import { uniqueViolation } from '../../db/unique-violation';
import type { Env } from '../../env';
import { log } from '../../http/logger';
import { audit } from '../audit';
import { randomToken, sha256Hex } from '../crypto';
import { SignInError } from '../identity/oidc';
import { mappedRoles } from './group-mappings';
import { type InvitationRow, redeemableInvitation } from './invitations';
import type { MemberRow } from './members';
import {
  authorizationRequest,
  type ConsoleProvider,
  PROVIDER_NAMES,
  providerConfigured,
  type VerifiedIdentity,
  verifiedIdentity,
} from './providers';
import { createSession } from './sessions';

/** A sign-in must come back from the provider this soon after it started. */
export const SIGN_IN_TTL_MS = 10 * 60 * 1000;
export const CONSOLE_HOME = '/console/';
/** The cookie that ties a sign-in to the browser that started it (10 minutes, this site only). */
export const SIGN_IN_COOKIE = '__Host-handoff_sign_in';

/** Why a sign-in was refused: the `error` of /console/sign-in?error=..., which the console explains. */
export type SignInRefusal =
  | 'provider_not_configured'
  | 'invalid_return_to'
  | 'invitation_invalid'
  | 'invalid_state'
  | 'idp_refused'
  | 'invalid_token'
  | 'idp_unavailable'
  | 'wrong_organization'
  | 'invitation_email_mismatch'
  | 'member_of_another_firm'
  | 'not_a_member'
  | 'disabled';

export class ConsoleSignInRefused extends Error {
  constructor(
    readonly code: SignInRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleSignInRefused';
  }
}

export const callbackPath = (provider: ConsoleProvider) => `/console/auth/${provider}/callback`;

const hasControl = (s: string) => [...s].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);

/**
 * Where to go after sign-in: a path under /console/ only (never an absolute or protocol-relative URL, never a
 * backslash or control character a browser might read as another host), so the sign-in cannot be used as an
 * open redirect.
 */
export function safeReturnTo(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return CONSOLE_HOME;
  if (value.length > 512 || !value.startsWith('/console/') || /[\\\s]/.test(value) || hasControl(value))
    return undefined;
  let url: URL;
  try {
    url = new URL(value, 'https://handoff.invalid');
  } catch {
    return undefined;
  }
  if (url.origin !== 'https://handoff.invalid' || !url.pathname.startsWith('/console/')) return undefined;
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * Starts a console sign-in at `provider`: checks the invitation (if any) and the return path, keeps the
 * state (hashed), nonce and PKCE verifier server side for 10 minutes, and answers the provider's URL.
 */
export async function startConsoleSignIn(
  db: Db,
  env: Env,
  input: { provider: ConsoleProvider; invitation?: string; returnTo?: string; origin: string },
): Promise<{ authorizeUrl: string; browserToken: string }> {
  if (!providerConfigured(env, input.provider))
    throw new ConsoleSignInRefused(
      'provider_not_configured',
      `${PROVIDER_NAMES[input.provider]} sign-in is not configured on this deployment.`,
    );
  const returnTo = safeReturnTo(input.returnTo);
  if (!returnTo)
    throw new ConsoleSignInRefused('invalid_return_to', 'returnTo must be a path under /console/.');
  let invitation: InvitationRow | undefined;
  if (input.invitation !== undefined) {
    invitation = await redeemableInvitation(db, input.invitation);
    if (!invitation)
      throw new ConsoleSignInRefused(
        'invitation_invalid',
        'This invitation is unknown, expired or already used.',
      );
  }
  const redirectUri = `${input.origin}${callbackPath(input.provider)}`;
  const request = await authorizationRequest(env, input.provider, redirectUri);
  // The state alone would let anyone who finished a sign-in send its callback link to someone else, signing
  // them in as the sender (login CSRF): the callback must also come from the browser holding this cookie.
  const browserToken = randomToken(24);
  await db.insert(consoleSignInsTable).values({
    id: `csi_${randomToken(12)}`,
    provider: input.provider,
    stateHash: await sha256Hex(request.state),
    browserHash: await sha256Hex(browserToken),
    nonce: request.nonce,
    codeVerifier: request.codeVerifier,
    redirectUri,
    invitationId: invitation?.id ?? null,
    returnTo,
    expiresAt: new Date(Date.now() + SIGN_IN_TTL_MS).toISOString(),
  });
  return { authorizeUrl: request.authorizeUrl, browserToken };
}

export interface SignedIn {
  sessionToken: string;
  csrfToken: string;
  returnTo: string;
  tenantId: string;
  memberId: string;
}

/**
 * The provider's callback: consumes the pending sign-in (once, unexpired), redeems the code and verifies the
 * id token, then binds an invited person to the firm or finds the returning member by (provider,
 * organisation, subject), and opens a session with the member's roles plus those mapped from their groups.
 * Refuses a sign-in from another organisation than the one the firm has proven for that provider.
 */
export async function completeConsoleSignIn(
  db: Db,
  env: Env,
  input: { provider: ConsoleProvider; state: string; browser?: string; code?: string; error?: string },
  correlationId: string,
): Promise<SignedIn> {
  if (!input.browser)
    throw new ConsoleSignInRefused('invalid_state', 'This sign-in was started in another browser.');
  const [pending] = await db
    .update(consoleSignInsTable)
    .set({ consumedAt: new Date().toISOString() })
    .where(
      and(
        eq(consoleSignInsTable.stateHash, await sha256Hex(input.state)),
        eq(consoleSignInsTable.browserHash, await sha256Hex(input.browser)),
        eq(consoleSignInsTable.provider, input.provider),
        isNull(consoleSignInsTable.consumedAt),
        gt(consoleSignInsTable.expiresAt, new Date().toISOString()),
      ),
    )
    .returning();
  if (!pending)
    throw new ConsoleSignInRefused(
      'invalid_state',
      'This sign-in is unknown, expired, already used, or was started in another browser.',
    );
  if (input.error || !input.code)
    throw new ConsoleSignInRefused(
      'idp_refused',
      `${PROVIDER_NAMES[input.provider]} did not sign the person in (${(input.error ?? 'no code').slice(0, 60)}).`,
    );
  let who: VerifiedIdentity;
  try {
    who = await verifiedIdentity(env, input.provider, {
      code: input.code,
      redirectUri: pending.redirectUri,
      codeVerifier: pending.codeVerifier,
      nonce: pending.nonce,
    });
  } catch (e) {
    if (!(e instanceof SignInError)) throw e;
    log('warn', 'console.sign_in_refused', { correlationId, reason: e.failure, message: e.message });
    throw new ConsoleSignInRefused(
      e.failure === 'invalid_token'
        ? 'invalid_token'
        : e.failure === 'refused'
          ? 'idp_refused'
          : 'idp_unavailable',
      e.message,
    );
  }

  const refuse = async (code: SignInRefusal, message: string, tenantId?: string) => {
    log('warn', 'console.sign_in_refused', {
      correlationId,
      reason: code,
      provider: who.provider,
      organizationId: who.organizationId,
      subject: who.subject,
      ...(tenantId ? { tenantId } : {}),
    });
    if (tenantId)
      await audit(db, {
        tenantId,
        correlationId,
        actor: `${who.provider}:${who.organizationId}/${who.subject}`,
        action: 'console.sign_in_refused',
        subjectType: 'tenant',
        subjectId: tenantId,
        detail: { reason: code, provider: who.provider, organizationId: who.organizationId, name: who.name },
      });
    return new ConsoleSignInRefused(code, message);
  };

  const [existing] = await db
    .select()
    .from(consoleMembersTable)
    .where(
      and(
        eq(consoleMembersTable.provider, who.provider),
        eq(consoleMembersTable.organizationId, who.organizationId),
        eq(consoleMembersTable.subject, who.subject),
      ),
    )
    .limit(1);

  let member: MemberRow;
  let invitation: InvitationRow | undefined;
  if (pending.invitationId) {
    [invitation] = await db
      .select()
      .from(consoleInvitationsTable)
      .where(eq(consoleInvitationsTable.id, pending.invitationId))
      .limit(1);
    // Whether it is still good (unused, unexpired) is decided once, by the conditional update below.
    if (!invitation) throw await refuse('invitation_invalid', 'This invitation no longer exists.');
    const tenantId = invitation.tenantId;
    await assertOrganization(db, tenantId, who, refuse);
    if (existing && existing.tenantId !== tenantId)
      throw await refuse(
        'member_of_another_firm',
        `${who.name} already belongs to another firm's console.`,
        tenantId,
      );
    if (invitation.email && !sameEmail(invitation.email, who.email))
      throw await refuse(
        'invitation_email_mismatch',
        `This invitation is for ${invitation.email}; ${who.name} signed in as ${who.email ?? 'someone without an email'}.`,
        tenantId,
      );
    // Redeemed once: of two sign-ins with one invitation, one wins.
    const [redeemed] = await db
      .update(consoleInvitationsTable)
      .set({ redeemedAt: new Date().toISOString(), redeemedBy: existing?.id ?? 'pending' })
      .where(
        and(
          eq(consoleInvitationsTable.id, invitation.id),
          isNull(consoleInvitationsTable.redeemedAt),
          gt(consoleInvitationsTable.expiresAt, new Date().toISOString()),
        ),
      )
      .returning();
    if (!redeemed)
      throw await refuse('invitation_invalid', 'This invitation expired or was used meanwhile.', tenantId);
    member = existing
      ? await addInvitedRoles(db, existing, invitation)
      : await joinFromInvitation(db, who, invitation, correlationId);
  } else {
    if (!existing) throw await refuse('not_a_member', `${who.name} is not a member of any firm's console.`);
    await assertOrganization(db, existing.tenantId, who, refuse);
    member = existing;
  }
  if (member.state !== 'active')
    throw await refuse('disabled', `${member.name}'s console access is disabled.`, member.tenantId);

  const groupRoles = await mappedRoles(db, member.tenantId, who.provider, who.groups);
  const roles = CONSOLE_ROLES.filter((r) => member.roles.includes(r) || groupRoles.includes(r));
  const session = await createSession(db, { tenantId: member.tenantId, memberId: member.id, roles });
  await db
    .update(consoleMembersTable)
    .set({ lastSignInAt: new Date().toISOString(), name: who.name, email: who.email ?? member.email })
    .where(eq(consoleMembersTable.id, member.id));
  await audit(db, {
    tenantId: member.tenantId,
    correlationId,
    actor: `person:${member.id}`,
    action: 'console.signed_in',
    subjectType: 'console_session',
    subjectId: session.id,
    detail: {
      principal: {
        type: 'console-session',
        personId: member.id,
        name: who.name,
        provider: who.provider,
        subject: who.subject,
        roles: roles.join(','),
        ...(who.email ? { email: who.email } : {}),
      },
      organizationId: who.organizationId,
      assignedRoles: member.roles,
      groupRoles,
      ...(invitation ? { invitation: invitation.id } : {}),
      expiresAt: session.expiresAt,
    },
  });
  return {
    sessionToken: session.token,
    csrfToken: session.csrfToken,
    returnTo: pending.returnTo,
    tenantId: member.tenantId,
    memberId: member.id,
  };
}

const sameEmail = (a: string, b: string | undefined) => Boolean(b) && a.toLowerCase() === b!.toLowerCase();

/** The organisation the firm has proven for this provider (Microsoft 365 tenant, Salesforce org), if any. */
async function assertOrganization(
  db: Db,
  tenantId: string,
  who: VerifiedIdentity,
  refuse: (code: SignInRefusal, message: string, tenantId?: string) => Promise<ConsoleSignInRefused>,
): Promise<void> {
  const [tenant] = await db
    .select({ teams: tenantsTable.teamsTenantId, salesforce: tenantsTable.salesforceOrgId })
    .from(tenantsTable)
    .where(eq(tenantsTable.id, tenantId))
    .limit(1);
  const proven = who.provider === 'entra' ? tenant?.teams : tenant?.salesforce;
  if (proven && proven.toLowerCase() !== who.organizationId.toLowerCase())
    throw await refuse(
      'wrong_organization',
      `This firm signs in with ${who.provider === 'entra' ? 'Microsoft 365 organisation' : 'Salesforce org'} ${proven}; ${who.name} signed in from ${who.organizationId}.`,
      tenantId,
    );
}

async function joinFromInvitation(
  db: Db,
  who: VerifiedIdentity,
  invitation: InvitationRow,
  correlationId: string,
): Promise<MemberRow> {
  const id = `mem_${randomToken(12)}`;
  let row: MemberRow | undefined;
  try {
    [row] = await db
      .insert(consoleMembersTable)
      .values({
        id,
        tenantId: invitation.tenantId,
        provider: who.provider,
        organizationId: who.organizationId,
        subject: who.subject,
        name: who.name,
        email: who.email ?? null,
        roles: invitation.roles,
        invitationId: invitation.id,
      })
      .returning();
  } catch (e) {
    // The same person redeeming two invitations at once: the second finds the first's member.
    if (!uniqueViolation(e)?.includes('console_members')) throw e;
    throw new ConsoleSignInRefused('member_of_another_firm', `${who.name} already has a console membership.`);
  }
  await db
    .update(consoleInvitationsTable)
    .set({ redeemedBy: id })
    .where(eq(consoleInvitationsTable.id, invitation.id));
  await audit(db, {
    tenantId: invitation.tenantId,
    correlationId,
    actor: `person:${id}`,
    action: 'console_member.joined',
    subjectType: 'console_member',
    subjectId: id,
    detail: {
      name: who.name,
      provider: who.provider,
      organizationId: who.organizationId,
      subject: who.subject,
      roles: invitation.roles,
      invitation: { id: invitation.id, createdBy: invitation.createdBy },
    },
  });
  return row!;
}

/** A member accepting another invitation of their own firm gains its roles. */
async function addInvitedRoles(db: Db, member: MemberRow, invitation: InvitationRow): Promise<MemberRow> {
  const roles: ConsoleRole[] = CONSOLE_ROLES.filter(
    (r) => member.roles.includes(r) || invitation.roles.includes(r),
  );
  const [row] = await db
    .update(consoleMembersTable)
    .set({ roles })
    .where(eq(consoleMembersTable.id, member.id))
    .returning();
  return row ?? member;
}

/** Pending sign-ins past their expiry by more than `retentionMs`, dropped by the cron. */
export async function dropExpiredSignIns(db: Db, retentionMs: number): Promise<number> {
  const gone = await db
    .delete(consoleSignInsTable)
    .where(lt(consoleSignInsTable.expiresAt, new Date(Date.now() - retentionMs).toISOString()))
    .returning({ id: consoleSignInsTable.id });
  return gone.length;
}
