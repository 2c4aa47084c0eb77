import { and, eq, gt, isNull } from 'drizzle-orm';
import { outboundPolicyFromEnv } from '../../connectors/outbound-guard';
import type { Db } from '../../db/client';
import { identityClaimsTable } from '../../db/schema';
import type { Env } from '../../env';
import { ApiError } from '../../http/api-error';
import { log } from '../../http/logger';
import { type AuditedPrincipal, audit, byPrincipal } from '../audit';
import { randomToken, sha256Hex } from '../crypto';
import { assignTeamsTenant } from '../teams/teams-tenant';
import {
  type EntraOidcConfig,
  type EntraPrincipal,
  EntraSignInError,
  newAuthorizationRequest,
  redeemAuthorizationCode,
  verifyIdToken,
} from './entra-oidc';

/** A claim must be finished this soon after it is started. */
export const CLAIM_TTL_MS = 10 * 60 * 1000;
export const MICROSOFT_CALLBACK_PATH = '/v1/identity/microsoft/callback';

/**
 * Directory roles (template ids, the `wids` claim) whose holders may connect their organisation: each of them
 * can grant an application tenant-wide consent, so none proves less than the consent itself would.
 * https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference
 */
export const TENANT_ADMIN_ROLES: Readonly<Record<string, string>> = {
  '62e90394-69f5-4237-9190-012177145e10': 'Global Administrator',
  'e8611ab8-c189-46e8-94e1-60213ab1f814': 'Privileged Role Administrator',
  '158c047a-c907-4556-b7ef-446551a6b5f7': 'Cloud Application Administrator',
  '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3': 'Application Administrator',
};

/**
 * Handoff's Entra app: ENTRA_CLIENT_ID / ENTRA_CLIENT_SECRET, else the Teams bot's registration (one
 * multi-tenant app serves both). Undefined when neither is configured.
 */
export function entraOidcConfig(env: Env): EntraOidcConfig | undefined {
  const clientId = env.ENTRA_CLIENT_ID ?? env.TEAMS_BOT_APP_ID;
  const clientSecret = env.ENTRA_CLIENT_SECRET ?? env.TEAMS_BOT_APP_PASSWORD;
  if (!clientId || !clientSecret) return undefined;
  return {
    authority: env.ENTRA_AUTHORITY ?? 'https://login.microsoftonline.com',
    clientId,
    clientSecret,
    outbound: outboundPolicyFromEnv(env),
  };
}

function requireConfig(env: Env): EntraOidcConfig {
  const cfg = entraOidcConfig(env);
  if (!cfg)
    throw new ApiError('UPSTREAM_UNAVAILABLE', 'Microsoft sign-in is not configured on this deployment.', [
      {
        field: 'ENTRA_CLIENT_ID',
        message: 'not set (nor TEAMS_BOT_APP_ID / TEAMS_BOT_APP_PASSWORD)',
        fix: 'The operator sets ENTRA_CLIENT_ID and the secret ENTRA_CLIENT_SECRET of the Handoff app registration.',
      },
    ]);
  return cfg;
}

/**
 * Starts a claim of the tenant's Microsoft 365 organisation: a one-time sign-in request bound to this tenant,
 * kept 10 minutes. The admin opens `authorizeUrl`; the organisation is connected only when one of its
 * administrators signs in there (see `completeMicrosoftClaim`).
 */
export async function startMicrosoftClaim(
  db: Db,
  env: Env,
  input: { tenantId: string; origin: string },
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<{ id: string; authorizeUrl: string; expiresAt: string }> {
  const cfg = requireConfig(env);
  const redirectUri = `${input.origin}${MICROSOFT_CALLBACK_PATH}`;
  const request = await newAuthorizationRequest(cfg, redirectUri);
  const id = `clm_${randomToken(12)}`;
  const expiresAt = new Date(Date.now() + CLAIM_TTL_MS).toISOString();
  await db.insert(identityClaimsTable).values({
    id,
    tenantId: input.tenantId,
    provider: 'microsoft',
    purpose: 'teams_tenant',
    stateHash: await sha256Hex(request.state),
    nonce: request.nonce,
    codeVerifier: request.codeVerifier,
    redirectUri,
    startedBy: { actor: by.who.actor, ...by.who.principal },
    expiresAt,
  });
  await audit(
    db,
    byPrincipal(by.who, {
      tenantId: input.tenantId,
      correlationId: by.correlationId,
      action: 'identity_claim.started',
      subjectType: 'identity_claim',
      subjectId: id,
      detail: { provider: 'microsoft', purpose: 'teams_tenant', expiresAt },
    }),
  );
  return { id, authorizeUrl: request.authorizeUrl, expiresAt };
}

export interface CompletedClaim {
  tenantId: string;
  tenantName: string;
  tid: string;
  principal: EntraPrincipal;
}

const startAgain = 'Start again with POST /v1/admin/identity/microsoft/claims and finish within 10 minutes.';

/**
 * The callback of a claim: consumes its state (once, unexpired, whichever way it ends), redeems the code with
 * the claim's PKCE verifier, verifies the id token against the claim's nonce, requires a tenant administrator,
 * then connects the proven organisation (tid) to the tenant that started the claim, and audits who proved it.
 */
export async function completeMicrosoftClaim(
  db: Db,
  env: Env,
  input: { state: string; code?: string; error?: string; errorDescription?: string },
  correlationId: string,
): Promise<CompletedClaim> {
  const cfg = requireConfig(env);
  // One conditional update: of two callbacks with one state, one finds the row; an expired state finds none.
  const [claim] = await db
    .update(identityClaimsTable)
    .set({ consumedAt: new Date().toISOString() })
    .where(
      and(
        eq(identityClaimsTable.stateHash, await sha256Hex(input.state)),
        eq(identityClaimsTable.provider, 'microsoft'),
        isNull(identityClaimsTable.consumedAt),
        gt(identityClaimsTable.expiresAt, new Date().toISOString()),
      ),
    )
    .returning();
  if (!claim)
    throw new ApiError('BAD_REQUEST', 'This sign-in link is unknown, expired or already used.', [
      { field: 'state', message: 'unknown, expired or already used', fix: startAgain },
    ]);
  const refused = (reason: string, message: string) => {
    log('warn', 'identity_claim.refused', {
      correlationId,
      tenantId: claim.tenantId,
      claim: claim.id,
      reason,
    });
    return message;
  };
  if (input.error)
    throw new ApiError(
      'BAD_REQUEST',
      refused(input.error, `Microsoft did not complete the sign-in (${input.error.slice(0, 60)}).`),
      [
        {
          field: 'error',
          message: (input.errorDescription ?? input.error).split(/\r?\n/)[0]!.slice(0, 300),
          fix: `An administrator of the organisation must sign in and accept. ${startAgain}`,
        },
      ],
    );
  if (!input.code)
    throw new ApiError('BAD_REQUEST', 'The callback carries no authorization code.', [
      { field: 'code', message: 'missing', fix: startAgain },
    ]);

  let principal: EntraPrincipal;
  try {
    const idToken = await redeemAuthorizationCode(cfg, {
      code: input.code,
      redirectUri: claim.redirectUri,
      codeVerifier: claim.codeVerifier,
    });
    principal = await verifyIdToken(cfg, idToken, { nonce: claim.nonce });
  } catch (e) {
    if (!(e instanceof EntraSignInError)) throw e;
    refused(e.failure, e.message);
    const field = e.failure === 'invalid_token' ? 'id_token' : 'code';
    // The protocol's own fix says "start again"; a claim starts again with its own request.
    const fix = e.failure === 'refused' || e.failure === 'invalid_token' ? startAgain : e.fix;
    const detail = [{ field, message: e.message, ...(fix ? { fix } : {}) }];
    if (e.failure === 'unavailable' || e.failure === 'misconfigured')
      throw new ApiError('UPSTREAM_UNAVAILABLE', e.message, detail);
    throw new ApiError('BAD_REQUEST', e.message, detail);
  }

  if (!principal.roles)
    throw new ApiError(
      'FORBIDDEN',
      refused('no_wids', 'The Microsoft sign-in does not say which directory roles the person holds.'),
      [
        {
          field: 'id_token.wids',
          message: 'missing',
          fix: 'The operator sets "groupMembershipClaims": "DirectoryRole" (or "All") in the Handoff app registration manifest, then an administrator signs in again.',
        },
      ],
    );
  const adminRoles = principal.roles.filter((r) => r.toLowerCase() in TENANT_ADMIN_ROLES);
  if (adminRoles.length === 0)
    throw new ApiError(
      'FORBIDDEN',
      refused(
        'not_admin',
        `${principal.name} is not an administrator of Microsoft 365 organisation ${principal.tid}.`,
      ),
      [
        {
          field: 'id_token.wids',
          message: 'holds none of the administrator roles that may connect the organisation',
          fix: `Sign in as a ${Object.values(TENANT_ADMIN_ROLES).join(', ')} of the organisation. ${startAgain}`,
        },
      ],
    );

  const { previous, name } = await assignTeamsTenant(db, claim.tenantId, principal.tid);
  await audit(db, {
    tenantId: claim.tenantId,
    correlationId,
    // The person Microsoft vouched for, as Teams actions are audited: their Entra object id.
    actor: principal.oid,
    action: 'teams_tenant.claimed',
    subjectType: 'tenant',
    subjectId: claim.tenantId,
    detail: {
      principal: {
        type: 'entra-user',
        tid: principal.tid,
        oid: principal.oid,
        name: principal.name,
        ...(principal.preferredUsername ? { preferredUsername: principal.preferredUsername } : {}),
        roles: adminRoles.map((r) => TENANT_ADMIN_ROLES[r.toLowerCase()]!),
      },
      claim: { id: claim.id, startedBy: claim.startedBy },
      before: { teamsTenantId: previous },
      after: { teamsTenantId: principal.tid },
    },
  });
  return { tenantId: claim.tenantId, tenantName: name, tid: principal.tid, principal };
}
