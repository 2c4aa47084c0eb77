import { ConnectorError } from '../../connectors/errors';
import {
  createNetSuiteConnector,
  type NetSuiteChoices,
  NetSuiteConnectionSchema,
  type NetSuiteConnector,
} from '../../connectors/netsuite';
import { outboundPolicyFromEnv } from '../../connectors/outbound-guard';
import type { Db } from '../../db/client';
import type { Env } from '../../env';
import { ApiError } from '../../http/api-error';
import type { AuditedPrincipal } from '../audit';
import { connectionUrlProblems, mergeConfig } from '../tenancy/connection-config';
import { connectionRow, connectionSecrets, loadConnector } from '../tenancy/connectors';
import { saveConnection } from '../tenancy/save-connection';

/**
 * NetSuite in the console: OAuth 2.0 machine to machine (client credentials with a certificate), then the
 * subsidiaries and items Handoff bills through, chosen from lists read live from the account.
 */

export interface NetSuiteCredentialsInput {
  tenantId: string;
  accountId: string;
  clientId: string;
  certificateId: string;
  privateKeyPem: string;
  algorithm?: string;
  baseUrl?: string;
  uiBaseUrl?: string;
  concurrencyLimit?: number;
}

const FIELD_OF: Record<string, string> = {
  'auth.privateKeyPem': 'privateKeyPem',
  'auth.clientId': 'clientId',
  'auth.certificateId': 'certificateId',
  'auth.algorithm': 'algorithm',
  auth: 'certificateId',
};

/** A refusal of the credentials as the console shows it: the field to change and NetSuite's fix. */
function refused(e: ConnectorError): ApiError {
  return new ApiError(
    e.retryable ? 'UPSTREAM_UNAVAILABLE' : 'VALIDATION_FAILED',
    `NetSuite did not accept the connection: ${e.message}`,
    [
      {
        field: FIELD_OF[e.field ?? ''] ?? e.field ?? 'certificateId',
        message: e.message,
        fix:
          e.fix ??
          'Check the account ID, the client ID and the certificate ID of the M2M setup, and that the private key is the certificate’s.',
      },
    ],
    e.retryable ? { retryAfterSeconds: 30 } : {},
  );
}

/**
 * Saves the M2M credentials once NetSuite proves them (a token minted with the certificate's key, then a
 * SuiteQL read): settings chosen before (subsidiaries, items...) are kept. Answers what there is to choose.
 */
export async function saveNetSuiteCredentials(
  db: Db,
  env: Env,
  input: NetSuiteCredentialsInput,
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<{ choices: NetSuiteChoices; updatedAt: string }> {
  const existing = await connectionRow(db, input.tenantId, 'erp');
  const keep = existing?.system === 'netsuite' ? existing.config : {};
  const config: Record<string, unknown> = {
    ...keep,
    accountId: input.accountId,
    ...(input.baseUrl ? { baseUrl: input.baseUrl } : {}),
    ...(input.uiBaseUrl ? { uiBaseUrl: input.uiBaseUrl } : {}),
    auth: {
      clientId: input.clientId,
      certificateId: input.certificateId,
      ...(input.algorithm ? { algorithm: input.algorithm } : {}),
    },
  };
  if (!input.baseUrl) delete config.baseUrl;
  if (!input.uiBaseUrl) delete config.uiBaseUrl;
  const secrets = { auth: { privateKeyPem: input.privateKeyPem } };
  const merged = mergeConfig(config, secrets);
  const problems = [
    ...connectionUrlProblems(env, merged, 'netsuite'),
    ...(() => {
      const parsed = NetSuiteConnectionSchema.safeParse(merged);
      return parsed.success
        ? []
        : parsed.error.issues.map((i) => ({
            field: FIELD_OF[i.path.join('.')] ?? i.path.join('.'),
            message: i.message,
            fix: 'Correct this setting.',
          }));
    })(),
  ];
  if (problems.length)
    throw new ApiError('VALIDATION_FAILED', 'The NetSuite connection is not valid.', problems);
  let choices: NetSuiteChoices;
  try {
    choices = await createNetSuiteConnector(merged as never, {
      outbound: outboundPolicyFromEnv(env),
    }).setupChoices();
  } catch (e) {
    if (e instanceof ConnectorError) throw refused(e);
    throw e;
  }
  const { updatedAt } = await saveConnection(
    db,
    env,
    {
      tenantId: input.tenantId,
      role: 'erp',
      system: 'netsuite',
      config,
      secrets,
      concurrencyLimit: input.concurrencyLimit ?? existing?.concurrencyLimit ?? 5,
    },
    by,
  );
  return { choices, updatedAt };
}

async function netsuite(db: Db, env: Env, tenantId: string) {
  const loaded = await loadConnector(env, db, tenantId, 'erp');
  if (loaded?.row.system !== 'netsuite')
    throw new ApiError('NOT_FOUND', 'NetSuite is not connected for this firm.', [
      { field: 'erp', message: 'not connected', fix: 'Connect NetSuite first (its M2M credentials).' },
    ]);
  return { connector: loaded.connector as NetSuiteConnector, row: loaded.row };
}

/** The subsidiaries and items of the firm's NetSuite account, read now through the connection. */
export async function netsuiteChoicesOf(db: Db, env: Env, tenantId: string): Promise<NetSuiteChoices> {
  const { connector } = await netsuite(db, env, tenantId);
  try {
    return await connector.setupChoices();
  } catch (e) {
    if (e instanceof ConnectorError) throw refused(e);
    throw e;
  }
}

export interface NetSuiteSelections {
  subsidiaryIds: string[];
  defaultSubsidiaryId: string;
  items: { time: string; expense: string; invoice: string };
}

/**
 * Saves which subsidiaries Handoff bills through (by NetSuite's name, the name the CRM's Billing subsidiary
 * holds), the default one, and the items time, expenses and invoices bill through: each checked against the
 * lists read now, so nothing is saved that NetSuite does not have.
 */
export async function saveNetSuiteSelections(
  db: Db,
  env: Env,
  input: { tenantId: string } & NetSuiteSelections,
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<{ config: Record<string, unknown>; updatedAt: string }> {
  const { row } = await netsuite(db, env, input.tenantId);
  const choices = await netsuiteChoicesOf(db, env, input.tenantId);
  const subsidiaries = new Map(choices.subsidiaries.map((s) => [s.id, s]));
  const items = new Map(choices.items.map((i) => [i.id, i]));
  const problems = [
    ...input.subsidiaryIds.flatMap((id, i) =>
      subsidiaries.has(id)
        ? []
        : [
            {
              field: `subsidiaryIds.${i}`,
              message: `NetSuite has no subsidiary ${id}`,
              fix: 'Choose from the list.',
            },
          ],
    ),
    ...(input.subsidiaryIds.includes(input.defaultSubsidiaryId)
      ? []
      : [
          {
            field: 'defaultSubsidiaryId',
            message: 'not one of the chosen subsidiaries',
            fix: 'Choose the default among the subsidiaries Handoff bills through.',
          },
        ]),
    ...(['time', 'expense', 'invoice'] as const).flatMap((k) =>
      items.has(input.items[k])
        ? []
        : [
            {
              field: `items.${k}`,
              message: `NetSuite has no active item ${input.items[k]}`,
              fix: 'Choose from the list, or create the item in NetSuite (Lists › Accounting › Items › New) first.',
            },
          ],
    ),
  ];
  if (problems.length) throw new ApiError('VALIDATION_FAILED', 'These are not all in NetSuite.', problems);
  const secrets = (await connectionSecrets(env, db, input.tenantId, 'erp')) ?? {};
  const config = {
    ...row.config,
    subsidiaryIds: Object.fromEntries(input.subsidiaryIds.map((id) => [subsidiaries.get(id)!.name, id])),
    defaultSubsidiaryId: input.defaultSubsidiaryId,
    items: input.items,
  };
  const { updatedAt } = await saveConnection(
    db,
    env,
    {
      tenantId: input.tenantId,
      role: 'erp',
      system: 'netsuite',
      config,
      secrets,
      concurrencyLimit: row.concurrencyLimit,
    },
    by,
  );
  return { config, updatedAt };
}
