import { guardedFetch, type OutboundPolicy } from '../outbound-guard';
import type { FetchLike, PsaPort, SetupCheck } from '../ports';
import { applyAmendment } from './amendment';
import { publishBillingStatus } from './billing-status';
import { type KantataConnectionInput, KantataConnectionSchema } from './config';
import type { KantataContext } from './context';
import { getExpense, getTimeEntry, listApprovedExpenses, listApprovedTimeEntries } from './delivery';
import { listSubscribedEvents } from './events';
import { createKantataHttp, singleOf } from './http';
import { linkExternal } from './links';
import { getMilestones } from './milestones';
import { createProject } from './project';
import { ensureRateCard } from './rate-card';
import { type KantataSubscribedEvent, UserSchema } from './schemas';
import { kantataSetupChecks } from './setup';
import { ensureTeam } from './team';
import { ensureWbsAndMilestones } from './wbs';

export interface KantataConnector extends PsaPort {
  readonly system: 'kantata';
  /** Kantata's change feed (`GET /subscribed_events`), for polling. */
  listSubscribedEvents(createdAfter: string, eventTypes?: string[]): Promise<KantataSubscribedEvent[]>;
  /** The Kantata user the token acts as (`GET /users/me`): who connected Handoff. */
  whoAmI(): Promise<{ userId: string; name: string; email?: string }>;
  /** The console's connection test: sign-in, and the templates and roles the deals name (when known). */
  checkSetup(expected?: { templates: string[]; roles: string[] }): Promise<SetupCheck[]>;
}

/**
 * The Kantata OX (Mavenlink) PSA connector. `deps.fetch` lets the worker route calls through its
 * per-account governor; every call has its own timeout and every failure is a ConnectorError.
 */
export function createKantataConnector(
  config: KantataConnectionInput,
  deps: { fetch?: FetchLike; outbound?: OutboundPolicy } = {},
): KantataConnector {
  const settings = KantataConnectionSchema.parse(config);
  // Called through a wrapper: workerd refuses a detached `fetch` ("Illegal invocation").
  // Every request is checked against the outbound guard (Kantata's hosts) and never follows a redirect.
  const fetchImpl = guardedFetch(deps.fetch ?? ((input, init) => fetch(input, init)), {
    system: 'kantata',
    targets: 'kantata',
    policy: deps.outbound,
  });
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
    listApprovedTimeEntries: (projectId, since) => listApprovedTimeEntries(ctx, projectId, since),
    listApprovedExpenses: (projectId, since) => listApprovedExpenses(ctx, projectId, since),
    getTimeEntry: (id) => getTimeEntry(ctx, id),
    getExpense: (id) => getExpense(ctx, id),
    getMilestones: (projectId) => getMilestones(ctx, projectId),
    // Idempotent by content (upsert, unchanged references skipped), so the key is not needed to dedupe.
    publishBillingStatus: (projectId, status) => publishBillingStatus(ctx, projectId, status),
    listSubscribedEvents: (createdAfter, eventTypes) => listSubscribedEvents(ctx, createdAfter, eventTypes),
    applyAmendment: (projectId, spec, key) => applyAmendment(ctx, projectId, spec, key),
    checkSetup(expected) {
      return kantataSetupChecks(ctx, () => this.whoAmI(), expected);
    },
    async whoAmI() {
      const envelope = await ctx.http.request('GET', '/users/me');
      const me = singleOf(envelope, 'users', UserSchema, 'GET', '/users/me');
      return { userId: me.id, name: me.full_name, ...(me.email_address ? { email: me.email_address } : {}) };
    },
    // "Who am I": the user the token acts as; one small read.
    probe: async () => {
      await ctx.http.request('GET', '/users/me');
    },
  };
}
