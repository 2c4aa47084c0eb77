import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { createKantataConnector, KantataConnectionSchema } from '../../connectors/kantata';
import { createNetSuiteConnector, NetSuiteConnectionSchema } from '../../connectors/netsuite';
import { type OutboundPolicy, outboundPolicyFromEnv } from '../../connectors/outbound-guard';
import type { CrmPort, ErpPort, FetchLike, PsaPort } from '../../connectors/ports';
import { createSalesforceConnector, SalesforceConnectionSchema } from '../../connectors/salesforce';
import type { Db } from '../../db/client';
import { connectionsTable } from '../../db/schema';
import { governedFetch } from '../../durable-objects/erp-governor';
import type { Env } from '../../env';
import { decryptSecret } from '../crypto';
import { dataKeyring } from '../keyring';
import { monitored, outcomeRecorder } from '../operations/monitoring';
import { mergeConfig } from './connection-config';

export interface Connectors {
  crm: CrmPort;
  psa: PsaPort;
  erp: ErpPort;
}

type Role = 'crm' | 'psa' | 'erp' | 'clm';

interface ConnectorFactory<P> {
  schema: z.ZodType;
  /** Which account the ERP governor counts against (one governor per ERP account). */
  accountKey?(config: Record<string, unknown>): string;
  /** `outbound`: what the deployment allows besides the vendor's hosts; the connector checks every request. */
  create(config: never, deps: { fetch?: FetchLike; outbound?: OutboundPolicy }): P;
  /**
   * Settings the deployment holds, not the firm (Handoff's own OAuth app secret for a connection a person
   * authorized): filled in when the connector is built, never stored with the connection.
   */
  fromDeployment?(env: Env, config: Record<string, unknown>): Record<string, unknown>;
}

/** Every system Handoff can connect, by role. Another vendor is one more entry here. */
/** DocuSign Connect pushes to us; the connection only holds the HMAC keys its messages are signed with. */
const DocuSignConnectionSchema = z.object({
  accountId: z.string().min(1).optional(),
  connectHmacKeys: z
    .array(z.string().min(16, 'Paste the Connect HMAC key from DocuSign Admin'))
    .min(1, 'Add at least one Connect HMAC key'),
});

export const CONNECTOR_REGISTRY: {
  crm: Record<string, ConnectorFactory<CrmPort>>;
  psa: Record<string, ConnectorFactory<PsaPort>>;
  erp: Record<string, ConnectorFactory<ErpPort>>;
  clm: Record<string, ConnectorFactory<unknown>>;
} = {
  crm: {
    salesforce: {
      schema: SalesforceConnectionSchema,
      create: createSalesforceConnector,
      // A connection made with the web server flow refreshes with Handoff's External Client App secret.
      fromDeployment: (env, config) => {
        const auth = config.auth as Record<string, unknown> | undefined;
        return auth?.refreshToken && !auth.clientSecret && env.SALESFORCE_CLIENT_SECRET
          ? { auth: { clientSecret: env.SALESFORCE_CLIENT_SECRET } }
          : {};
      },
    },
  },
  psa: { kantata: { schema: KantataConnectionSchema, create: createKantataConnector } },
  erp: {
    netsuite: {
      schema: NetSuiteConnectionSchema,
      accountKey: (c) => `netsuite:${String(c.accountId ?? c.baseUrl)}`,
      create: createNetSuiteConnector,
    },
  },
  clm: { docusign: { schema: DocuSignConnectionSchema, create: () => ({ system: 'docusign' }) } },
};

export class MissingConnectionError extends Error {
  constructor(readonly role: Role) {
    super(`No ${role.toUpperCase()} connection is configured for this tenant`);
    this.name = 'MissingConnectionError';
  }
}

/** The tenant's connectors, built from its stored connections; ERP calls go through the account's governor. */
export async function loadConnectors(env: Env, db: Db, tenantId: string): Promise<Connectors> {
  const rows = await db.select().from(connectionsTable).where(eq(connectionsTable.tenantId, tenantId));
  const build = async (role: Exclude<Role, 'clm'>) => {
    const row = rows.find((r) => r.role === role);
    if (!row) throw new MissingConnectionError(role);
    // Every call's outcome is counted for the console's health and the outage rule.
    return monitored(
      (await buildConnector(env, tenantId, row)) as object,
      outcomeRecorder(env, tenantId, role, row.system),
    );
  };
  const [crm, psa, erp] = await Promise.all([build('crm'), build('psa'), build('erp')]);
  return { crm: crm as CrmPort, psa: psa as PsaPort, erp: erp as ErpPort };
}

type ConnectionRow = typeof connectionsTable.$inferSelect;

/** One connector from its stored connection: secrets decrypted, deployment settings filled in, guarded. */
async function buildConnector(env: Env, tenantId: string, row: ConnectionRow): Promise<unknown> {
  const factory = (CONNECTOR_REGISTRY[row.role] as Record<string, ConnectorFactory<unknown>>)[row.system];
  if (!factory) throw new Error(`Unknown ${row.role} system ${row.system}`);
  const secrets = JSON.parse(await decryptSecret(dataKeyring(env), tenantId, row.secretCiphertext)) as Record<
    string,
    unknown
  >;
  const merged = mergeConfig(row.config, secrets);
  const config = factory.schema.parse(
    factory.fromDeployment ? mergeConfig(merged, factory.fromDeployment(env, merged)) : merged,
  ) as Record<string, unknown>;
  const outbound = outboundPolicyFromEnv(env);
  const fetch = factory.accountKey
    ? governedFetch(env, factory.accountKey(config), row.concurrencyLimit, { system: row.system, outbound })
    : undefined;
  return factory.create(config as never, fetch ? { fetch, outbound } : { outbound });
}

/** One role's connector (the CRM, PSA or ERP), or undefined when the tenant has not connected it. */
export async function loadConnector<R extends keyof Connectors>(
  env: Env,
  db: Db,
  tenantId: string,
  role: R,
): Promise<{ connector: Connectors[R]; row: ConnectionRow } | undefined> {
  const row = await connectionRow(db, tenantId, role);
  if (!row) return undefined;
  return { connector: (await buildConnector(env, tenantId, row)) as Connectors[R], row };
}

export async function connectionRow(db: Db, tenantId: string, role: Role) {
  const [row] = await db
    .select()
    .from(connectionsTable)
    .where(and(eq(connectionsTable.tenantId, tenantId), eq(connectionsTable.role, role)))
    .limit(1);
  return row;
}

/** The decrypted secrets of one connection (e.g. the PSA's webhook signing secret). */
export async function connectionSecrets(
  env: Env,
  db: Db,
  tenantId: string,
  role: Role,
): Promise<Record<string, unknown> | undefined> {
  const row = await connectionRow(db, tenantId, role);
  if (!row) return undefined;
  return JSON.parse(await decryptSecret(dataKeyring(env), tenantId, row.secretCiphertext)) as Record<
    string,
    unknown
  >;
}
