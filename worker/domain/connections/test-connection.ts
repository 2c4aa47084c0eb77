import { count, eq } from 'drizzle-orm';
import {
  type ConnectionCheck,
  type ConnectionRole,
  type ConnectionTest,
  SYSTEM_OF_ROLE,
} from '../../../shared/api/connections';
import { ConnectorError } from '../../connectors/errors';
import type { KantataConnector } from '../../connectors/kantata';
import type { NetSuiteConnector } from '../../connectors/netsuite';
import type { SalesforceConnector } from '../../connectors/salesforce';
import type { Db } from '../../db/client';
import { approvalPoliciesTable, teamsConversationsTable, tenantsTable } from '../../db/schema';
import type { Env } from '../../env';
import { log } from '../../http/logger';
import { type AuditedPrincipal, audit, byPrincipal } from '../audit';
import { botConnector, teamsConfigured } from '../teams/config';
import { connectionRow, connectionSecrets, loadConnector } from '../tenancy/connectors';
import { activeConnectKeys, connectKeyViews } from './docusign-keys';
import { readSignals } from './signals';

/**
 * "Test connection" in the console: a real read of each system through its connector, with the connection's
 * own credentials, reporting each thing it needs with what to fix. Audited with the person who asked.
 */

const NAMES: Record<ConnectionRole, string> = {
  crm: 'Salesforce',
  psa: 'Kantata',
  erp: 'NetSuite',
  clm: 'DocuSign',
  teams: 'Microsoft Teams',
};

const notConnected = (role: ConnectionRole): ConnectionCheck[] => [
  {
    name: 'Connected',
    ok: false,
    message: `${NAMES[role]} is not connected.`,
    fix: `Connect it in the console: Connections › ${NAMES[role]}.`,
  },
];

async function crmChecks(db: Db, env: Env, tenantId: string): Promise<ConnectionCheck[]> {
  const loaded = await loadConnector(env, db, tenantId, 'crm');
  if (!loaded) return notConnected('crm');
  const [tenant] = await db
    .select({ orgId: tenantsTable.salesforceOrgId })
    .from(tenantsTable)
    .where(eq(tenantsTable.id, tenantId));
  return (loaded.connector as SalesforceConnector).checkSetup({ orgId: tenant?.orgId ?? undefined });
}

async function psaChecks(db: Db, env: Env, tenantId: string): Promise<ConnectionCheck[]> {
  const loaded = await loadConnector(env, db, tenantId, 'psa');
  if (!loaded) return notConnected('psa');
  // The names the firm's deals use, when the CRM is connected and answers; otherwise only what Kantata has.
  let expected: { templates: string[]; roles: string[] } | undefined;
  const crm = await loadConnector(env, db, tenantId, 'crm').catch(() => undefined);
  if (crm) expected = await (crm.connector as SalesforceConnector).setupNames().catch(() => undefined);
  return (loaded.connector as KantataConnector).checkSetup(expected);
}

async function erpChecks(db: Db, env: Env, tenantId: string): Promise<ConnectionCheck[]> {
  const loaded = await loadConnector(env, db, tenantId, 'erp');
  if (!loaded) return notConnected('erp');
  return (loaded.connector as NetSuiteConnector).checkSetup();
}

async function clmChecks(
  db: Db,
  env: Env,
  tenantId: string,
  listenerUrl: string,
): Promise<ConnectionCheck[]> {
  const row = await connectionRow(db, tenantId, 'clm');
  if (!row) return notConnected('clm');
  const secrets = await connectionSecrets(env, db, tenantId, 'clm');
  const active = activeConnectKeys(row.config, secrets);
  const keys = connectKeyViews(
    row.config,
    Array.isArray(secrets?.connectHmacKeys) ? secrets.connectHmacKeys.length : 0,
  );
  const overlapping = keys.filter((k) => k.active && k.retiresAt);
  const { 'docusign.connect_verified': lastVerified } = await readSignals(db, tenantId, [
    'docusign.connect_verified',
  ]);
  return [
    active.length
      ? {
          name: 'Connect keys',
          ok: true,
          message: `${active.length} key${active.length > 1 ? 's' : ''} verif${active.length > 1 ? 'y' : 'ies'} DocuSign's signatures.${overlapping.length ? ` ${overlapping.length} stop${overlapping.length > 1 ? '' : 's'} after the rotation's overlap (${overlapping.map((k) => k.retiresAt).join(', ')}).` : ''}`,
          ...(overlapping.length
            ? {
                fix: 'Delete the previous key in DocuSign (Admin › Connect › Connect Keys) before its overlap ends.',
              }
            : {}),
        }
      : {
          name: 'Connect keys',
          ok: false,
          message: 'No Connect key verifies DocuSign messages: every message is refused.',
          fix: 'In DocuSign Admin › Connect › Connect Keys, click Add Secret Key and paste the key here.',
        },
    lastVerified
      ? { name: 'Messages', ok: true, message: `The last signed Connect message arrived ${lastVerified}.` }
      : {
          name: 'Messages',
          ok: false,
          message: 'No signed Connect message has arrived yet.',
          fix: `In DocuSign Admin › Connect, add a configuration publishing "Envelope Signed/Completed" as JSON (SIM) to ${listenerUrl}, with "Include HMAC Signature" on and the envelope's custom fields included; then sign a test amendment.`,
        },
  ];
}

async function teamsChecks(db: Db, env: Env, tenantId: string): Promise<ConnectionCheck[]> {
  const [tenant] = await db
    .select({ tid: tenantsTable.teamsTenantId })
    .from(tenantsTable)
    .where(eq(tenantsTable.id, tenantId));
  const checks: ConnectionCheck[] = [
    tenant?.tid
      ? { name: 'Microsoft 365 organisation', ok: true, message: `Organisation ${tenant.tid} is proven.` }
      : {
          name: 'Microsoft 365 organisation',
          ok: false,
          message: "The firm's Microsoft 365 organisation is not connected.",
          fix: 'Connections › Microsoft Teams › Connect: an administrator of the organisation signs in and consents.',
        },
  ];
  if (!teamsConfigured(env))
    checks.push({
      name: 'Bot credentials',
      ok: false,
      message: "Handoff's Teams bot is not configured on this deployment.",
      fix: 'The operator sets TEAMS_BOT_APP_ID and TEAMS_BOT_APP_PASSWORD (plugins/teams/README.md).',
    });
  else {
    try {
      await botConnector(env).checkCredentials();
      checks.push({ name: 'Bot credentials', ok: true, message: 'Microsoft issued the bot a token.' });
    } catch (e) {
      if (!(e instanceof ConnectorError)) throw e;
      checks.push({
        name: 'Bot credentials',
        ok: false,
        message: e.message,
        fix: e.fix ?? 'The operator renews TEAMS_BOT_APP_PASSWORD (the bot registration’s client secret).',
      });
    }
  }
  const [conversations] = await db
    .select({ n: count() })
    .from(teamsConversationsTable)
    .where(eq(teamsConversationsTable.tenantId, tenantId));
  checks.push(
    (conversations?.n ?? 0) > 0
      ? {
          name: 'Bot installed',
          ok: true,
          message: `${conversations!.n} ${conversations!.n === 1 ? 'person has' : 'people have'} the bot in Teams.`,
        }
      : {
          name: 'Bot installed',
          ok: false,
          message: 'Nobody of the firm has the Handoff bot in Teams yet: cards cannot reach anyone.',
          fix: 'Upload the Handoff Teams app in the Teams admin center (Manage apps › Upload) and install it for the approvers (plugins/teams/README.md).',
        },
  );
  const [policy] = await db
    .select({ tenantId: approvalPoliciesTable.tenantId })
    .from(approvalPoliciesTable)
    .where(eq(approvalPoliciesTable.tenantId, tenantId));
  checks.push(
    policy
      ? { name: 'Approvers', ok: true, message: 'Approvers are named.' }
      : {
          name: 'Approvers',
          ok: false,
          message: 'No approvers are named: milestones and change orders wait for nobody.',
          fix: 'Name them with PUT /v1/admin/approvals-policy (milestone and change order approvers, exception owners).',
        },
  );
  return checks;
}

/** Tests one connection of the firm and audits the result with the person (or key) who asked. */
export async function testConnection(
  db: Db,
  env: Env,
  input: { tenantId: string; role: ConnectionRole; origin: string },
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<ConnectionTest> {
  const { tenantId, role } = input;
  let checks: ConnectionCheck[];
  try {
    checks =
      role === 'crm'
        ? await crmChecks(db, env, tenantId)
        : role === 'psa'
          ? await psaChecks(db, env, tenantId)
          : role === 'erp'
            ? await erpChecks(db, env, tenantId)
            : role === 'clm'
              ? await clmChecks(db, env, tenantId, docusignListenerUrl(input.origin, tenantId))
              : await teamsChecks(db, env, tenantId);
  } catch (e) {
    // A stored connection that no longer reads (settings from an older version, a vendor answer in a shape
    // nobody documented) is a finding of the test, not a failure of the console.
    log('warn', 'connection.test_failed', {
      correlationId: by.correlationId,
      tenantId,
      role,
      error: String(e),
    });
    checks = [
      {
        name: 'Test',
        ok: false,
        message: `The test could not finish: ${e instanceof Error ? e.message : String(e)}`.slice(0, 500),
        fix:
          e instanceof ConnectorError && e.fix
            ? e.fix
            : `Reconnect ${NAMES[role]} from the console; if this persists, quote the request id to support.`,
      },
    ];
  }
  const result: ConnectionTest = {
    role,
    system: SYSTEM_OF_ROLE[role],
    ok: checks.every((c) => c.ok),
    checks,
    testedAt: new Date().toISOString(),
  };
  await audit(
    db,
    byPrincipal(by.who, {
      tenantId,
      correlationId: by.correlationId,
      action: 'connection.tested',
      subjectType: 'connection',
      subjectId: role,
      detail: { ok: result.ok, failed: checks.filter((c) => !c.ok).map((c) => c.name) },
    }),
  );
  return result;
}

/** Where DocuSign Connect posts this firm's messages. */
export function docusignListenerUrl(origin: string, tenantId: string): string {
  return `${origin}/v1/webhooks/docusign/${encodeURIComponent(tenantId)}`;
}
