import type { FetchLike, PsaPort } from '../ports';
import { type KantataConnectionInput, KantataConnectionSchema } from './config';
import type { KantataContext } from './context';
import { createKantataHttp } from './http';
import { linkExternal } from './links';
import { createProject } from './project';
import { ensureRateCard } from './rate-card';
import { ensureTeam } from './team';
import { ensureWbsAndMilestones } from './wbs';

export interface KantataConnector extends PsaPort {
  readonly system: 'kantata';
}

/**
 * The Kantata OX (Mavenlink) PSA connector. `deps.fetch` lets the worker route calls through its
 * per-account governor; every call has its own timeout and every failure is a ConnectorError.
 */
export function createKantataConnector(
  config: KantataConnectionInput,
  deps: { fetch?: FetchLike } = {},
): KantataConnector {
  const settings = KantataConnectionSchema.parse(config);
  // Called through a wrapper: workerd refuses a detached `fetch` ("Illegal invocation").
  const fetchImpl: FetchLike = deps.fetch ?? ((input, init) => fetch(input, init));
  const ctx: KantataContext = { http: createKantataHttp(settings, fetchImpl), config: settings };
  const recordUrl = (id: string) => `${settings.uiBaseUrl}/workspaces/${encodeURIComponent(id)}`;

  return {
    system: 'kantata',
    createProject: (spec, key) => createProject(ctx, spec, key, recordUrl),
    ensureWbsAndMilestones: (projectId, spec) => ensureWbsAndMilestones(ctx, projectId, spec),
    ensureRateCard: (projectId, rateCard, key) => ensureRateCard(ctx, projectId, rateCard, key),
    ensureTeam: (projectId, team) => ensureTeam(ctx, projectId, team),
    linkExternal: (projectId, links) => linkExternal(ctx, projectId, links),
    recordUrl,
  };
}
