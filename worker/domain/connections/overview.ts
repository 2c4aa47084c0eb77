import { and, count, desc, eq, max } from 'drizzle-orm';
import {
  type ConnectionRole,
  type ConnectionStatus,
  type PluginStatus,
  SYSTEM_OF_ROLE,
} from '../../../shared/api/connections';
import { ConnectorError } from '../../connectors/errors';
import type { SalesforceConnector } from '../../connectors/salesforce';
import type { Db } from '../../db/client';
import {
  apiKeysTable,
  auditLogTable,
  connectionsTable,
  teamsConversationsTable,
  tenantsTable,
} from '../../db/schema';
import type { Env } from '../../env';
import { connectionSecrets, loadConnector } from '../tenancy/connectors';
import { connectKeyViews } from './docusign-keys';
import { readSignals } from './signals';
import { docusignListenerUrl } from './test-connection';

/**
 * The console's Connections page: each system's connection as the firm's people may see it (what it reaches,
 * who authorized it, the choices made, the latest test), and whether each Handoff plugin is installed.
 */

const ROLES: ConnectionRole[] = ['crm', 'psa', 'erp', 'clm', 'teams'];

/** Only what describes a connection: never a key, token or secret (those are in the encrypted secrets). */
function details(role: ConnectionRole, config: Record<string, unknown>): Record<string, unknown> {
  const pick = (...keys: string[]) =>
    Object.fromEntries(keys.filter((k) => k in config).map((k) => [k, config[k]]));
  switch (role) {
    case 'crm':
      return {
        ...pick('instanceUrl', 'loginUrl', 'org', 'connectedAs'),
        method: config.connectedAs
          ? 'web server flow'
          : (config.auth as Record<string, unknown> | undefined)?.clientId
            ? 'client credentials'
            : 'access token',
      };
    case 'psa':
      return pick('baseUrl', 'uiBaseUrl', 'connectedAs');
    case 'erp':
      return {
        ...pick('accountId', 'subsidiaryIds', 'defaultSubsidiaryId', 'items'),
        certificateId: (config.auth as Record<string, unknown> | undefined)?.certificateId ?? null,
      };
    default:
      return pick('accountId');
  }
}

/** The latest `connection.tested` of each role, from the audit trail. */
async function lastTests(db: Db, tenantId: string) {
  const rows = await db
    .select({ subjectId: auditLogTable.subjectId, detail: auditLogTable.detail, at: auditLogTable.at })
    .from(auditLogTable)
    .where(and(eq(auditLogTable.tenantId, tenantId), eq(auditLogTable.action, 'connection.tested')))
    .orderBy(desc(auditLogTable.id))
    .limit(100);
  const out = new Map<string, { ok: boolean; at: string; failed: string[] }>();
  for (const r of rows)
    if (!out.has(r.subjectId))
      out.set(r.subjectId, {
        ok: r.detail?.ok === true,
        at: r.at,
        failed: Array.isArray(r.detail?.failed) ? (r.detail.failed as string[]) : [],
      });
  return out;
}

export async function connectionOverview(
  db: Db,
  env: Env,
  input: { tenantId: string; origin: string },
): Promise<{ connections: ConnectionStatus[]; listenerUrl: string }> {
  const { tenantId } = input;
  const [rows, [tenant], tests] = await Promise.all([
    db.select().from(connectionsTable).where(eq(connectionsTable.tenantId, tenantId)),
    db
      .select({ tid: tenantsTable.teamsTenantId, orgId: tenantsTable.salesforceOrgId })
      .from(tenantsTable)
      .where(eq(tenantsTable.id, tenantId)),
    lastTests(db, tenantId),
  ]);
  const listenerUrl = docusignListenerUrl(input.origin, tenantId);
  const connections: ConnectionStatus[] = [];
  for (const role of ROLES) {
    const row = role === 'teams' ? undefined : rows.find((r) => r.role === role);
    let extra: Record<string, unknown> = {};
    if (role === 'clm') {
      const secrets = row ? await connectionSecrets(env, db, tenantId, 'clm') : undefined;
      const n = Array.isArray(secrets?.connectHmacKeys) ? secrets.connectHmacKeys.length : 0;
      extra = { listenerUrl, keys: row ? connectKeyViews(row.config, n) : [] };
    }
    if (role === 'teams') extra = { microsoftTenantId: tenant?.tid ?? null };
    if (role === 'crm') extra = { orgId: tenant?.orgId ?? null };
    connections.push({
      role,
      system: row?.system ?? SYSTEM_OF_ROLE[role],
      connected: role === 'teams' ? Boolean(tenant?.tid) : Boolean(row),
      updatedAt: row?.updatedAt ?? null,
      details: { ...(row ? details(role, row.config) : {}), ...extra },
      lastTest: tests.get(role) ?? null,
    });
  }
  return { connections, listenerUrl };
}

/** The sidebar counts as embedded while its host has minted a token this recently. */
const SIDEBAR_RECENT_MS = 7 * 24 * 3_600_000;

export async function pluginStatus(
  db: Db,
  env: Env,
  input: { tenantId: string; origin: string },
): Promise<PluginStatus[]> {
  const { tenantId } = input;
  const host = new URL(input.origin).host;
  const [[crmKey], [teams], signals, crm] = await Promise.all([
    db
      .select({ last: max(apiKeysTable.lastUsedAt) })
      .from(apiKeysTable)
      .where(and(eq(apiKeysTable.tenantId, tenantId), eq(apiKeysTable.scope, 'crm'))),
    db
      .select({ n: count(), last: max(teamsConversationsTable.updatedAt) })
      .from(teamsConversationsTable)
      .where(eq(teamsConversationsTable.tenantId, tenantId)),
    readSignals(db, tenantId, ['sidebar.embed_token']),
    loadConnector(env, db, tenantId, 'crm').catch(() => undefined),
  ]);

  let salesforce: Pick<PluginStatus, 'installed' | 'message' | 'fix'>;
  if (!crm)
    salesforce = {
      installed: null,
      message: 'Connect Salesforce first: Handoff asks the org whether the package is there.',
    };
  else
    try {
      salesforce = await (crm.connector as SalesforceConnector).pluginPresence();
    } catch (e) {
      if (!(e instanceof ConnectorError)) throw e;
      salesforce = {
        installed: null,
        message: `Salesforce did not say: ${e.message}`,
        ...(e.fix ? { fix: e.fix } : {}),
      };
    }

  const sidebarAt = signals['sidebar.embed_token'] ?? null;
  const sidebarRecent = sidebarAt !== null && Date.now() - Date.parse(sidebarAt) < SIDEBAR_RECENT_MS;
  const botAppId = env.TEAMS_BOT_APP_ID ?? '<bot app id>';
  return [
    {
      plugin: 'salesforce',
      ...salesforce,
      lastSeenAt: crmKey?.last ?? null,
      links: [
        {
          label: 'Install guide (plugins/crm-salesforce/README.md)',
          href: 'plugins/crm-salesforce/README.md',
        },
      ],
      command: `npm run sf:deploy -- --target-org <alias> --handoff-url ${input.origin}`,
    },
    {
      plugin: 'teams',
      installed: (teams?.n ?? 0) > 0,
      message:
        (teams?.n ?? 0) > 0
          ? `The bot is installed: ${teams!.n} ${teams!.n === 1 ? 'person has' : 'people have'} it in Teams.`
          : 'Nobody of the firm has the Handoff bot in Teams yet.',
      ...((teams?.n ?? 0) > 0
        ? {}
        : {
            fix: 'Build the app package for this deployment (command below), upload it in the Teams admin center (Manage apps › Upload) and install it for the approvers.',
          }),
      lastSeenAt: teams?.last ?? null,
      links: [{ label: 'Teams app guide (plugins/teams/README.md)', href: 'plugins/teams/README.md' }],
      command: `npx tsx plugins/teams/scripts/package.ts --host ${host} --bot-app-id ${botAppId}`,
    },
    {
      plugin: 'sidebar',
      installed: sidebarRecent,
      message: sidebarRecent
        ? `Embedded: the PSA host minted a sidebar token at ${sidebarAt}.`
        : sidebarAt
          ? `No sidebar token for a week (the last at ${sidebarAt}): is the PSA host page still embedding it?`
          : 'The sidebar has not been embedded yet: no PSA host has minted a token.',
      ...(sidebarRecent
        ? {}
        : {
            fix: 'Serve the sidebar from this origin and have the PSA host page call HandoffSidebar.mount, its backend minting tokens with POST /v1/embed-tokens and the PSA key (plugins/psa-sidebar/README.md).',
          }),
      lastSeenAt: sidebarAt,
      links: [
        { label: 'Sidebar guide (plugins/psa-sidebar/README.md)', href: 'plugins/psa-sidebar/README.md' },
        { label: 'API reference', href: '/docs' },
      ],
      command: 'npm run build:plugins',
    },
  ];
}
