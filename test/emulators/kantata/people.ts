import type { KantataState } from './state';

/**
 * Who may log time on a workspace and at what rate. Kantata only lets participants of a project log time
 * or expenses on it; a person's role on the project is their workspace resource's role.
 */

export function participantRoleId(
  s: KantataState,
  workspaceId: string,
  userId: string,
): string | null | undefined {
  const resource = Object.values(s.workspaceResources).find(
    (r) => r.workspace_id === workspaceId && r.user_id === userId,
  );
  if (!resource) return s.workspaces[workspaceId]?.creator_id === userId ? null : undefined;
  return resource.role_id;
}

/** The bill rate the workspace's rate card gives a role on a date (subunits per hour), else the card default. */
export function billRate(s: KantataState, workspaceId: string, roleId: string | null, date: string): number {
  const w = s.workspaces[workspaceId];
  const cardId = w?.rate_card_id;
  if (!cardId) return 0;
  const published = Object.values(s.rateCardVersions)
    .filter((v) => v.rate_card_id === cardId)
    .map((v) => ({ v, sv: s.rateCardSetVersions[v.rate_card_set_version_id] }))
    .filter(({ sv }) => sv?.active)
    .sort((a, b) => b.sv!.effective_date.localeCompare(a.sv!.effective_date));
  // The version in effect on the date; work dated before the first version takes the earliest one.
  const current = (published.find(({ sv }) => sv!.effective_date <= date) ?? published.at(-1))?.v;
  if (!current) return 0;
  const role = roleId
    ? Object.values(s.rateCardRoles).find(
        (r) => r.rate_card_version_id === current.id && r.role_id === roleId,
      )
    : undefined;
  return role?.rate ?? current.default_rate;
}

/** Add `id` to a workspace's index list (kept sorted by numeric id). */
export function indexAdd(index: Record<string, string[]>, workspaceId: string, id: string) {
  const list = index[workspaceId] ?? [];
  list.push(id);
  index[workspaceId] = list;
}
