import { ConnectorError } from '../errors';
import { guardedFetch, type OutboundPolicy } from '../outbound-guard';
import type { CrmPort, CrmWriteBack, DealSnapshot, FetchLike, PluginPresence, SetupCheck } from '../ports';
import { type SalesforceConnectionInput, SalesforceConnectionSchema } from './config';
import { mapDeal } from './deal-mapper';
import {
  buildDealComposite,
  classifyRecordId,
  dealNotFound,
  opportunityForContractSoql,
  parseDealComposite,
  to18,
} from './deal-request';
import { createSession } from './session';
import { salesforcePluginPresence, salesforceSetupChecks, salesforceSetupNames } from './setup';
import { SYSTEM } from './sf-errors';
import { writeBackFields } from './write-back';

export interface SalesforceConnector extends CrmPort {
  /** API usage from the last response's Sforce-Limit-Info header, when Salesforce sent one. */
  apiUsage(): { used: number; limit: number } | undefined;
  /** The console's connection test: sign-in (and the org the firm connected), Handoff's fields, API allocation. */
  checkSetup(expected: { orgId?: string }): Promise<SetupCheck[]>;
  /** The project templates and roles the org's deals name. */
  setupNames(): Promise<{ templates: string[]; roles: string[] }>;
  /** Whether the Handoff package is in the org (Tooling API). */
  pluginPresence(): Promise<PluginPresence>;
}

/**
 * The CRM port on Salesforce, through jsforce. Config is validated here; `deps.fetch` (default: the
 * global fetch) carries every HTTP call, token requests included.
 */
export function createSalesforceConnector(
  config: SalesforceConnectionInput,
  deps: { fetch?: FetchLike; outbound?: OutboundPolicy } = {},
): SalesforceConnector {
  const parsed = SalesforceConnectionSchema.safeParse(config);
  if (!parsed.success) {
    throw new ConnectorError({
      system: SYSTEM,
      message: `Invalid Salesforce connection settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      retryable: false,
      code: 'INVALID_CONFIG',
      fix: 'Check the Salesforce instance URL, API version and connected app credentials in Handoff.',
    });
  }
  const settings = parsed.data;
  // Every request (token included) passes the outbound guard and never follows a redirect.
  const fetchFn = guardedFetch(deps.fetch ?? ((input, init) => fetch(input, init)), {
    system: SYSTEM,
    targets: 'salesforce',
    policy: deps.outbound,
  });
  const session = createSession(settings, fetchFn);

  return {
    system: SYSTEM,

    async loadDeal(recordId: string): Promise<DealSnapshot> {
      const entry = classifyRecordId(recordId);
      const body = buildDealComposite(entry, settings.apiVersion);
      const raw = await session.run((conn) => conn.requestPost('/composite', body));
      return mapDeal(parseDealComposite(entry, raw));
    },

    async resolveOpportunityId(recordId: string): Promise<string> {
      const entry = classifyRecordId(recordId);
      if (entry.kind === 'opportunity') return to18(entry.id);
      const result = await session.run(
        async (conn) => await conn.query<{ Id: string }>(opportunityForContractSoql(entry.id)),
      );
      const id = result.records[0]?.Id;
      if (!id) throw dealNotFound(entry);
      return id;
    },

    async writeBack(opportunityId: string, update: CrmWriteBack, key: string): Promise<void> {
      // Idempotent by nature: the same update written twice leaves the same values. `key` needs no
      // vendor-side dedupe here.
      void key;
      const entry = classifyRecordId(opportunityId);
      if (entry.kind !== 'opportunity') {
        throw new ConnectorError({
          system: SYSTEM,
          message: `${opportunityId} is not an Opportunity id`,
          retryable: false,
          code: 'MALFORMED_ID',
        });
      }
      await session.run((conn) =>
        conn.sobject('Opportunity').update({ Id: opportunityId, ...writeBackFields(update, new Date()) }),
      );
    },

    recordUrl(id: string): string {
      return `${settings.instanceUrl}/lightning/r/${id}/view`;
    },

    checkSetup(expected) {
      return salesforceSetupChecks(session, expected, () => this.whoAmI());
    },

    setupNames: () => salesforceSetupNames(session),

    pluginPresence: () => salesforcePluginPresence(session),

    async whoAmI() {
      // The Organization object answers with the api scope alone (userinfo and the identity URL need more).
      const result = await session.run(
        async (conn) =>
          await conn.query<{ Id: string; Name: string }>('SELECT Id, Name FROM Organization LIMIT 1'),
      );
      const org = result.records[0];
      if (!org || !/^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/.test(org.Id))
        throw new ConnectorError({
          system: SYSTEM,
          message: 'Salesforce did not say which org these credentials reach',
          retryable: false,
          code: 'UNEXPECTED_RESPONSE',
          field: 'Organization.Id',
          fix: "Give the integration user the API Enabled permission and read access to the org's details.",
        });
      return { orgId: to18(org.Id), orgName: org.Name };
    },

    apiUsage() {
      return session.apiUsage();
    },
  };
}
