import { z } from 'zod';

/**
 * Algorithms NetSuite accepts for the client-credentials assertion ("The Request Token Structure":
 * PS256/384/512 or ES256/384/512; RS256 is refused).
 */
export const NetSuiteJwtAlgorithmSchema = z.enum(['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512']);
export type NetSuiteJwtAlgorithm = z.infer<typeof NetSuiteJwtAlgorithmSchema>;

/** OAuth 2.0 client credentials (machine to machine): the certificate's private key signs a JWT assertion. */
export const NetSuiteClientCredentialsSchema = z.object({
  clientId: z.string().min(1, 'The integration record’s client ID is required'),
  /** The Certificate ID shown in Setup > Integration > OAuth 2.0 Client Credentials (M2M) Setup; sent as `kid`. */
  certificateId: z.string().min(1, 'The certificate ID from the M2M setup page is required'),
  /** PKCS#8 PEM ("BEGIN PRIVATE KEY") of the certificate uploaded to NetSuite. */
  privateKeyPem: z.string().min(1),
  /** Detected from the key when absent (RSA → PS256, EC → ES256/384/512 by curve). */
  algorithm: NetSuiteJwtAlgorithmSchema.optional(),
  scope: z.string().default('rest_webservices'),
});
export type NetSuiteClientCredentials = z.infer<typeof NetSuiteClientCredentialsSchema>;

/** A ready bearer token (minted elsewhere); it cannot be refreshed, so it is for simple setups and tests. */
export const NetSuiteAccessTokenSchema = z.object({ accessToken: z.string().min(1) });

export const NetSuiteAuthSchema = z.union([NetSuiteClientCredentialsSchema, NetSuiteAccessTokenSchema]);
export type NetSuiteAuth = z.infer<typeof NetSuiteAuthSchema>;

const CustomFieldId = z
  .string()
  .regex(/^cust[a-z]*_[a-z0-9_]+$/, 'Use the custom field’s script id, e.g. custentity_handoff_psa_id')
  .nullable();

/**
 * Custom entity fields the Handoff bundle adds to the project (job) record. Set one to null when the
 * account does not have it: NetSuite refuses a body that names a field the record does not have.
 */
export const NetSuiteCustomFieldsSchema = z.object({
  psaProjectId: CustomFieldId.default('custentity_handoff_psa_id'),
  psaProjectUrl: CustomFieldId.default('custentity_handoff_psa_url'),
  contractNumber: CustomFieldId.default('custentity_handoff_contract_number'),
  notToExceed: CustomFieldId.default('custentity_handoff_not_to_exceed'),
});
export type NetSuiteCustomFields = z.infer<typeof NetSuiteCustomFieldsSchema>;

export const NetSuiteConnectionSchema = z.object({
  /** e.g. "1234567" or "1234567_SB1" for a sandbox. */
  accountId: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'Use the account ID from Setup > Company > Company Information'),
  /** Default `https://{account}.suitetalk.api.netsuite.com`. */
  baseUrl: z.string().url().optional(),
  /** Default `https://{account}.app.netsuite.com` (record links shown to people). */
  uiBaseUrl: z.string().url().optional(),
  auth: NetSuiteAuthSchema,
  timeoutMs: z.number().int().positive().default(15_000),
  /** Refresh the access token this long before it expires (NetSuite issues 60-minute tokens). */
  tokenRefreshSkewSeconds: z.number().int().nonnegative().default(120),
  /** ISO 4217 code → currency internal id. Codes missing here are looked up once (SuiteQL) and cached. */
  currencyIds: z.record(z.string(), z.string()).default({}),
  /** Subsidiary name as the CRM sends it (or an alias) → subsidiary internal id. Others are looked up by name. */
  subsidiaryIds: z.record(z.string(), z.string()).default({}),
  /** Used when the customer names no billing subsidiary. */
  defaultSubsidiaryId: z.string().optional(),
  customFields: NetSuiteCustomFieldsSchema.prefault({}),
  /**
   * Items the delivery records bill through: an internal id, or the item's name (Item Name/Number),
   * looked up once with SuiteQL. Time bills need a service item; invoice lines need an item too.
   */
  items: z
    .object({
      time: z.string().min(1).default('Professional Services'),
      expense: z.string().min(1).default('Reimbursable Expenses'),
      invoice: z.string().min(1).default('Milestone Billing'),
    })
    .prefault({}),
  /** PSA expense category name → NetSuite expense category internal id. Others are matched by name. */
  expenseCategoryIds: z.record(z.string(), z.string()).default({}),
  /** Expense category (id or name) for PSA categories NetSuite does not have; unset = such lines fail. */
  defaultExpenseCategory: z.string().optional(),
  /**
   * How many records of one post call are written at once. NetSuite's concurrency budget (5 to 15 per
   * account, shared by every integration) is the ceiling; the worker's governor may lower it further.
   */
  postConcurrency: z.number().int().min(1).max(15).default(4),
});
export type NetSuiteConnection = z.infer<typeof NetSuiteConnectionSchema>;
export type NetSuiteConnectionInput = z.input<typeof NetSuiteConnectionSchema>;

/** Account IDs appear in host names lower-cased with "_" turned into "-" (1234567_SB1 → 1234567-sb1). */
export function accountHostPrefix(accountId: string): string {
  return accountId.toLowerCase().replace(/_/g, '-');
}

export function suiteTalkBaseUrl(config: NetSuiteConnection): string {
  return (
    config.baseUrl ?? `https://${accountHostPrefix(config.accountId)}.suitetalk.api.netsuite.com`
  ).replace(/\/+$/, '');
}

export function uiBaseUrl(config: NetSuiteConnection): string {
  return (config.uiBaseUrl ?? `https://${accountHostPrefix(config.accountId)}.app.netsuite.com`).replace(
    /\/+$/,
    '',
  );
}

export const TOKEN_PATH = '/services/rest/auth/oauth2/v1/token';
