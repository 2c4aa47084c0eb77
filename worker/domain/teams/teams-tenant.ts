import { and, eq, ne } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { tenantsTable } from '../../db/schema';
import { uniqueViolation } from '../../db/unique-violation';
import { ApiError } from '../../http/api-error';

/** One Microsoft 365 organisation belongs to one tenant: its tid is how a Teams user finds the firm. */
export function teamsTenantClaimed(tid: string): ApiError {
  return new ApiError(
    'CONFLICT',
    `Microsoft 365 organisation ${tid} is already connected to another Handoff tenant.`,
    [
      {
        field: 'tid',
        message: 'already connected to another Handoff tenant',
        fix: 'Sign in with an administrator of the organisation you mean to connect; if it is this one, have it disconnected from the other Handoff tenant first.',
      },
    ],
  );
}

/**
 * Maps a proven Microsoft 365 organisation (tid, stored lower case) to the tenant; answers the tid it held
 * before. Only for a tid proven by a sign-in of that organisation (see identity/microsoft-claims).
 */
export async function assignTeamsTenant(
  db: Db,
  tenantId: string,
  tid: string,
): Promise<{ previous: string | null; name: string }> {
  const teamsTenantId = tid.toLowerCase();
  const [tenant] = await db
    .select({ teamsTenantId: tenantsTable.teamsTenantId, name: tenantsTable.name })
    .from(tenantsTable)
    .where(eq(tenantsTable.id, tenantId))
    .limit(1);
  if (!tenant) throw new ApiError('NOT_FOUND', 'The tenant no longer exists.');
  const [taken] = await db
    .select({ id: tenantsTable.id })
    .from(tenantsTable)
    .where(and(eq(tenantsTable.teamsTenantId, teamsTenantId), ne(tenantsTable.id, tenantId)))
    .limit(1);
  if (taken) throw teamsTenantClaimed(teamsTenantId);
  try {
    await db.update(tenantsTable).set({ teamsTenantId }).where(eq(tenantsTable.id, tenantId));
  } catch (e) {
    // Two tenants claiming one Microsoft 365 organisation at once: the unique index lets one in.
    if (uniqueViolation(e)?.includes('teams_tenant_id')) throw teamsTenantClaimed(teamsTenantId);
    throw e;
  }
  return { previous: tenant.teamsTenantId, name: tenant.name };
}
