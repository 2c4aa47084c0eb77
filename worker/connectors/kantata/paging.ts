import type { z } from 'zod';
import { ConnectorError } from '../errors';
import type { KantataContext } from './context';
import { SYSTEM } from './errors';
import { type Query, readRecords, recordsOf } from './http';
import type { Envelope } from './schemas';

/** A project can hold many thousands of entries: page through all of them (200 per page, Kantata's most). */
const PER_PAGE = 200;
const MAX_PAGES = 1000;

/**
 * Every record of `key` matching `query`, with the included associations of every page merged. Records are
 * de-duplicated by id: a record updated while we page can move between pages; the `since` watermark of the
 * next run picks up anything that moved behind us.
 */
export async function listAll<T extends z.ZodTypeAny>(
  ctx: KantataContext,
  path: string,
  key: string,
  schema: T,
  query: Query,
  opts: { lenient?: boolean } = {},
): Promise<{
  records: z.output<T>[];
  included: Record<string, Record<string, unknown>>;
  /** With `lenient`: records that did not parse, each with its field (otherwise one throws). */
  rejected: { id: string; field?: string; reason: string }[];
}> {
  const seen = new Map<string, z.output<T>>();
  const rejected = new Map<string, { id: string; field?: string; reason: string }>();
  const included: Record<string, Record<string, unknown>> = {};
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const envelope: Envelope = await ctx.http.request('GET', path, {
      query: { ...query, page, per_page: PER_PAGE },
    });
    let batch: z.output<T>[];
    let pageSize: number;
    if (opts.lenient) {
      const read = readRecords(envelope, key, schema);
      batch = read.records;
      for (const r of read.rejected) rejected.set(r.id, r);
      pageSize = read.records.length + read.rejected.length;
    } else {
      batch = recordsOf(envelope, key, schema, 'GET', path);
      pageSize = batch.length;
    }
    for (const r of batch) seen.set(String((r as { id: string }).id), r);
    for (const [k, v] of Object.entries(envelope)) {
      if (k === key || k === 'results' || k === 'meta' || !v || typeof v !== 'object' || Array.isArray(v))
        continue;
      included[k] = { ...(included[k] ?? {}), ...(v as Record<string, unknown>) };
    }
    const total = envelope.count ?? 0;
    if (pageSize < PER_PAGE || page * PER_PAGE >= total)
      return { records: [...seen.values()], included, rejected: [...rejected.values()] };
  }
  throw new ConnectorError({
    system: SYSTEM,
    message: `Kantata GET ${path} has more than ${PER_PAGE * MAX_PAGES} ${key}`,
    retryable: false,
    code: 'TOO_MANY_RESULTS',
    fix: 'Sync more often (a recent `since` keeps each listing short), or contact Handoff support.',
  });
}
