import { z } from 'zod';
import { ConnectorError } from '../errors';
import type { ErpExpenseLine, ErpPostResult, ErpTimeLine } from '../ports';
import type { NetSuiteConnection } from './config';
import { toJson } from './decimal-json';
import { expenseReportBody, timeBillBody } from './delivery-bodies';
import type { DeliveryRefs } from './delivery-refs';
import { externalIdFor } from './external-id';
import { lineFailure, mapPool } from './line-results';
import { putByExternalId } from './record-write';
import type { ReferenceIds } from './reference-ids';
import type { RestClient } from './rest-client';
import { type SuiteQl, sqlString } from './suiteql';
import { SYSTEM } from './vendor-error';

/**
 * Posting approved time and expenses. SuiteTalk REST's batch operations are asynchronous jobs whose
 * per-record results come back through job task polling; Handoff instead writes each line as its own
 * `PUT .../eid:{externalId}` upsert, a few at a time, so every line gets its own answer at once and a
 * retry of any line (or the whole batch) lands on the record it created.
 */
export const MAX_BATCH = 100;

const ExistingRow = z.object({ id: z.coerce.string(), externalid: z.coerce.string() });

/** One SuiteQL call per batch tells which lines NetSuite already has (so retries write nothing). */
interface Source {
  table: string;
  /** Extra SuiteQL condition, e.g. the transaction type. */
  filter?: string;
}

async function existingByExternalId(
  query: SuiteQl,
  source: Source,
  externalIds: string[],
): Promise<Map<string, string>> {
  const unique = [...new Set(externalIds)];
  const rows = await query(
    `SELECT id, externalid FROM ${source.table} WHERE externalid IN (${unique.map(sqlString).join(', ')})${source.filter ? ` AND ${source.filter}` : ''}`,
    'existing records lookup',
  );
  return new Map(rows.map((r) => ExistingRow.parse(r)).map((r) => [r.externalid, r.id]));
}

function checkBatch(lines: { key: string }[]): void {
  if (lines.length > MAX_BATCH)
    throw new ConnectorError({
      system: SYSTEM,
      message: `At most ${MAX_BATCH} lines per post call (got ${lines.length})`,
      retryable: false,
      code: 'BATCH_TOO_LARGE',
    });
}

export function createDeliveryPosting(deps: {
  config: NetSuiteConnection;
  client: RestClient;
  query: SuiteQl;
  refs: ReferenceIds;
  people: DeliveryRefs;
}) {
  const { config, client, query, refs, people } = deps;

  async function post<L extends { key: string }>(
    lines: L[],
    source: Source,
    write: (line: L, externalId: string) => Promise<string>,
  ): Promise<ErpPostResult[]> {
    const externalIds = await Promise.all(lines.map((l) => externalIdFor(l.key)));
    const existing = await existingByExternalId(query, source, externalIds);
    return mapPool(lines, config.postConcurrency, async (line, i): Promise<ErpPostResult> => {
      const externalId = externalIds[i]!;
      const found = existing.get(externalId);
      if (found) return { key: line.key, ok: true, id: found, created: false };
      try {
        return { key: line.key, ok: true, id: await write(line, externalId), created: true };
      } catch (e) {
        return lineFailure(line.key, e);
      }
    });
  }

  return {
    async postTimeEntries(lines: ErpTimeLine[]): Promise<ErpPostResult[]> {
      checkBatch(lines);
      if (lines.length === 0) return [];
      const itemId = await people.itemId('time');
      return post(lines, { table: 'timebill' }, async (line, externalId) => {
        const employeeId = await people.employeeId(line);
        return putByExternalId(
          client,
          'timebill',
          externalId,
          toJson(timeBillBody(line, { employeeId, itemId })),
        );
      });
    },

    async postExpenses(lines: ErpExpenseLine[]): Promise<ErpPostResult[]> {
      checkBatch(lines);
      if (lines.length === 0) return [];
      return post(lines, { table: 'transaction', filter: "type = 'ExpRept'" }, async (line, externalId) => {
        const [employeeId, categoryId, currencyId] = await Promise.all([
          people.employeeId({ personName: line.personName }),
          people.expenseCategoryId(line.category),
          refs.currencyId(line.amount.currency),
        ]);
        const body = expenseReportBody(line, { employeeId, categoryId, currencyId });
        // replace=expense: a second writer under the same external id must not append a second line.
        return putByExternalId(client, 'expenseReport', externalId, toJson(body), ['expense']);
      });
    },
  };
}
