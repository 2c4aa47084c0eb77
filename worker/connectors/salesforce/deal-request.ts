import { z } from 'zod';
import { ConnectorError } from '../errors';
import { ACCOUNT_FIELDS, CONTRACT_FIELDS, MILESTONE_FIELDS, OPPORTUNITY_FIELDS, RATE_FIELDS } from './fields';
import { SYSTEM, salesforceError } from './sf-errors';

/**
 * One Composite request reads a whole deal (it counts as one API call): the opportunity with its
 * account and contract through relationship fields, then the milestone and rate children, which
 * take the opportunity id from the first subrequest by reference (`@{deal.records[0].Id}`), so the
 * same request works whether the seller started from the opportunity or from its contract.
 */

export type DealEntry = { kind: 'opportunity' | 'contract'; id: string };

const ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

export function classifyRecordId(id: string): DealEntry {
  if (ID.test(id) && id.startsWith('006')) return { kind: 'opportunity', id };
  if (ID.test(id) && id.startsWith('800')) return { kind: 'contract', id };
  throw new ConnectorError({
    system: SYSTEM,
    message: `${id} is not a Salesforce Opportunity (006...) or Contract (800...) id`,
    retryable: false,
    code: 'MALFORMED_ID',
    fix: 'Start the activation from an Opportunity or a Contract record page.',
  });
}

const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 18-character, case-insensitive form of a record id (Salesforce appends 3 characters encoding which of the 15 are upper case). */
export function to18(id: string): string {
  if (id.length !== 15) return id;
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const ch = id.charAt(chunk * 5 + i);
      if (ch >= 'A' && ch <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX.charAt(bits);
  }
  return id + suffix;
}

export function opportunityForContractSoql(contractId: string): string {
  return `SELECT Id FROM Opportunity WHERE ContractId = ${soqlString(contractId)} ORDER BY CloseDate DESC LIMIT 1`;
}

export const soqlString = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** A query URL for a subrequest: SOQL percent-encoded, `@{...}` references left raw so Salesforce can resolve them. */
function queryUrl(version: string, soql: string): string {
  const q = soql
    .split(/(@\{[^}]+\})/)
    .map((part) => (part.startsWith('@{') ? part : encodeURIComponent(part)))
    .join('');
  return `/services/data/v${version}/query?q=${q}`;
}

const DEAL_REF = '@{deal.records[0].Id}';

export function buildDealComposite(entry: DealEntry, version: string) {
  const select = [
    ...Object.keys(OPPORTUNITY_FIELDS),
    ...Object.keys(ACCOUNT_FIELDS).map((f) => `Account.${f}`),
    ...Object.keys(CONTRACT_FIELDS).map((f) => `Contract.${f}`),
  ].join(', ');
  // A contract may in principle be linked from several opportunities; the most recent one wins.
  const where =
    entry.kind === 'opportunity'
      ? `Id = ${soqlString(entry.id)}`
      : `ContractId = ${soqlString(entry.id)} ORDER BY CloseDate DESC`;
  return {
    // Reads only: one failing child query must not hide the others' answers.
    allOrNone: false,
    compositeRequest: [
      {
        method: 'GET',
        referenceId: 'deal',
        url: queryUrl(version, `SELECT ${select} FROM Opportunity WHERE ${where} LIMIT 1`),
      },
      {
        method: 'GET',
        referenceId: 'milestones',
        url: queryUrl(
          version,
          `SELECT ${Object.keys(MILESTONE_FIELDS).join(', ')} FROM Handoff_Milestone__c WHERE Opportunity__c = '${DEAL_REF}' ORDER BY Sequence__c ASC NULLS LAST, Name`,
        ),
      },
      {
        method: 'GET',
        referenceId: 'rates',
        url: queryUrl(
          version,
          `SELECT ${Object.keys(RATE_FIELDS).join(', ')} FROM Handoff_Rate__c WHERE Opportunity__c = '${DEAL_REF}' ORDER BY Role__c, Effective_From__c`,
        ),
      },
    ],
  };
}

const CompositeResponseSchema = z.object({
  compositeResponse: z.array(
    z.object({
      body: z.unknown(),
      httpHeaders: z.record(z.string(), z.string()).optional(),
      httpStatusCode: z.number(),
      referenceId: z.string(),
    }),
  ),
});

const QueryResultSchema = z.object({
  totalSize: z.number(),
  done: z.boolean(),
  records: z.array(z.record(z.string(), z.unknown())),
  nextRecordsUrl: z.string().optional(),
});

export interface DealRows {
  opportunity: Record<string, unknown>;
  milestones: Record<string, unknown>[];
  rates: Record<string, unknown>[];
}

const unexpected = (what: string) =>
  new ConnectorError({
    system: SYSTEM,
    message: `Unexpected Salesforce composite response: ${what}`,
    retryable: false,
    code: 'UNEXPECTED_RESPONSE',
  });

export function parseDealComposite(entry: DealEntry, raw: unknown): DealRows {
  const parsed = CompositeResponseSchema.safeParse(raw);
  if (!parsed.success) throw unexpected('no compositeResponse');
  const byRef = new Map(parsed.data.compositeResponse.map((r) => [r.referenceId, r]));
  const rows = (ref: string) => {
    const sub = byRef.get(ref);
    if (!sub) throw unexpected(`missing ${ref}`);
    if (sub.httpStatusCode >= 400) throw salesforceError(sub.httpStatusCode, sub.body);
    const result = QueryResultSchema.safeParse(sub.body);
    if (!result.success) throw unexpected(`${ref} is not a query result`);
    if (!result.data.done) throw unexpected(`${ref} has more than one batch of records`);
    return result.data.records;
  };
  // The deal subrequest first: when it failed or found nothing, the children fail by reference, and
  // the deal's own answer is the one worth reporting.
  const deal = rows('deal');
  const opportunity = deal[0];
  if (!opportunity) throw dealNotFound(entry);
  return { opportunity, milestones: rows('milestones'), rates: rows('rates') };
}

export function dealNotFound(entry: DealEntry): ConnectorError {
  return new ConnectorError({
    system: SYSTEM,
    message:
      entry.kind === 'opportunity'
        ? `Opportunity ${entry.id} was not found`
        : `No opportunity is linked to contract ${entry.id}`,
    retryable: false,
    code: 'NOT_FOUND',
    status: 404,
    fix:
      entry.kind === 'opportunity'
        ? 'Check the record id: the opportunity may have been deleted, or it is not shared with the Handoff integration user.'
        : 'Link the contract to its opportunity (Opportunity > Contract) and try again.',
  });
}
