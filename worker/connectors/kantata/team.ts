import type { TeamRole } from '../../../shared/model/contract';
import { type KantataContext, kantataId } from './context';
import { resolveRoles } from './roles';
import { WorkspaceResourceSchema } from './schemas';

/**
 * The team becomes one unnamed resource per role the workspace does not staff yet (named or unnamed, from
 * the template or a person). Counting what exists before adding is the idempotency: a resource whose
 * creation answer was lost is found on the next run, so the role is not added twice. Named resources
 * (people) are left to the project manager.
 */
export async function ensureTeam(ctx: KantataContext, projectId: string, team: TeamRole[]): Promise<void> {
  const workspaceId = kantataId(projectId, 'project id');
  if (team.length === 0) return;
  const roles = await resolveRoles(
    ctx,
    team.map((t) => t.role),
  );
  const { records } = await ctx.http.list(
    '/workspace_resources',
    'workspace_resources',
    WorkspaceResourceSchema,
    {
      workspace_id: projectId,
      include_unnamed: true,
      include: 'role',
    },
  );
  const staffed = new Set(records.map((r) => r.role_id).filter(Boolean));
  const missing = [...new Set(roles.values())].filter((roleId) => !staffed.has(roleId));
  // One resource per role, independent of each other: sent side by side.
  await Promise.all(
    missing.map((roleId) =>
      ctx.http.request('POST', '/workspace_resources', {
        body: { workspace_resource: { workspace_id: workspaceId, role_id: kantataId(roleId, 'role id') } },
      }),
    ),
  );
}
