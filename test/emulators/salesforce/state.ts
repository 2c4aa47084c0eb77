import type { Instance, InstanceConfig } from '../kit/emulator';
import { makeId } from './ids';
import type { IssuedAuthCode } from './openid';
import { OBJECTS } from './schema';

export type SfValue = string | number | boolean | null;
/** One stored record, keyed by canonical field API names; always carries Id. */
export type SfRecord = Record<string, SfValue>;

export interface IssuedToken {
  userId: string;
  issuedAt: number;
  /** Epoch ms after which the token answers INVALID_SESSION_ID (options.tokenTtlSeconds). */
  expiresAt?: number;
}

/** A paged query result waiting for `GET /query/{locator}`. */
export interface QueryCursor {
  rows: unknown[];
  totalSize: number;
  offset: number;
}

export interface SalesforceState {
  orgId: string;
  orgName: string;
  /** The run-as user of the client-credentials flow. */
  integrationUserId: string;
  defaultCurrency: string;
  records: Record<string, Record<string, SfRecord>>;
  /** Next id number per key prefix, and the auto-number of ContractNumber. */
  counters: Record<string, number>;
  tokens: Record<string, IssuedToken>;
  /** Calls counted against the daily allocation, shown in Sforce-Limit-Info (a Composite call counts once). */
  apiUsage: number;
  cursors: Record<string, QueryCursor>;
  /** Authorization codes of the web server flow (OpenID Connect), by code. */
  authCodes?: Record<string, IssuedAuthCode>;
  /** Test-only: what id tokens issued to a user (by id) get wrong. */
  idTokenFaults?: Record<string, Record<string, unknown>>;
}

export interface SalesforceOptions {
  clientId: string;
  clientSecret: string;
  /** Tokens accepted without issuing one (handy for the sandbox and for tests of a static token). */
  staticTokens: string[];
  tokenTtlSeconds?: number;
  apiDailyLimit: number;
  /** Records per query batch before nextRecordsUrl (Salesforce: up to 2,000). */
  queryBatchSize: number;
  latestVersion: string;
}

export const DEFAULT_CLIENT_ID = 'handoff-demo-client-id';
export const DEFAULT_CLIENT_SECRET = 'handoff-demo-client-secret';

export function salesforceOptions(config: InstanceConfig): SalesforceOptions {
  const o = config.options as Record<string, unknown>;
  const str = (v: unknown, d: string) => (typeof v === 'string' && v.length > 0 ? v : d);
  const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
  return {
    clientId: str(o.clientId, DEFAULT_CLIENT_ID),
    clientSecret: str(o.clientSecret, DEFAULT_CLIENT_SECRET),
    staticTokens: Array.isArray(o.staticTokens)
      ? o.staticTokens.filter((t): t is string => typeof t === 'string')
      : [],
    tokenTtlSeconds: typeof o.tokenTtlSeconds === 'number' ? o.tokenTtlSeconds : undefined,
    apiDailyLimit: num(o.apiDailyLimit, 100_000),
    queryBatchSize: Math.max(1, Math.min(2000, num(o.queryBatchSize, 2000))),
    latestVersion: str(o.latestVersion, '62.0'),
  };
}

export const INTEGRATION_USER_ID = makeId('005', 1);
/** Every emulated org has an id of its own (as every real org does), unless the options name one. */
function orgIdOf(opts: Record<string, unknown>): string {
  if (typeof opts.orgId === 'string') return opts.orgId;
  return makeId('00D', 1 + Math.floor(Math.random() * 62 ** 6));
}

export function initialSalesforceState(config: InstanceConfig): SalesforceState {
  const records: Record<string, Record<string, SfRecord>> = {};
  for (const o of OBJECTS) records[o.name] = {};
  const opts = config.options as Record<string, unknown>;
  const at = '2026-01-05T09:00:00.000+0000';
  // Every org has at least the user the connected app runs as.
  records.User![INTEGRATION_USER_ID] = {
    Id: INTEGRATION_USER_ID,
    IsDeleted: false,
    Username: 'handoff.integration@example.com',
    FirstName: 'Handoff',
    LastName: 'Integration',
    Name: 'Handoff Integration',
    Email: 'handoff.integration@example.com',
    Title: 'Integration User',
    IsActive: true,
    CreatedDate: at,
    CreatedById: INTEGRATION_USER_ID,
    LastModifiedDate: at,
    LastModifiedById: INTEGRATION_USER_ID,
    SystemModstamp: at,
  };
  const orgId = orgIdOf(opts);
  records.Organization![orgId] = {
    Id: orgId,
    Name: typeof opts.orgName === 'string' ? opts.orgName : 'Emulated Org',
    OrganizationType: 'Enterprise Edition',
    IsSandbox: false,
  };
  return {
    orgId,
    orgName: typeof opts.orgName === 'string' ? opts.orgName : 'Emulated Org',
    integrationUserId: INTEGRATION_USER_ID,
    defaultCurrency: 'USD',
    records,
    counters: { '005': 1, ContractNumber: 100 },
    tokens: {},
    apiUsage: 0,
    cursors: {},
  };
}

export type SalesforceInstance = Instance<SalesforceState>;
