import type { z } from 'zod';
import { ConnectorError } from '../errors';
import type { FetchLike } from '../ports';
import type { KantataConnection } from './config';
import { kantataHttpError, kantataNetworkError, SYSTEM, unexpectedResponse } from './errors';
import { type Envelope, EnvelopeSchema } from './schemas';

export type Query = Record<string, string | number | boolean | undefined>;

/** Most Kantata lists allow 200 per page; past this many pages a check-before-act would be unreliable. */
const PER_PAGE = 200;
const MAX_PAGES = 25;

export interface KantataHttp {
  request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    opts?: { query?: Query; body?: unknown },
  ): Promise<Envelope>;
  /** Every record of `key` matching `query`, across pages, in the order of `results`. */
  list<T extends z.ZodTypeAny>(
    path: string,
    key: string,
    schema: T,
    query?: Query,
  ): Promise<{ records: z.output<T>[]; envelope: Envelope }>;
}

/** The records of type `key` referenced by `results` (the canonical answer, in order). */
export function recordsOf<T extends z.ZodTypeAny>(
  envelope: Envelope,
  key: string,
  schema: T,
  method = 'GET',
  path = '',
): z.output<T>[] {
  const { records, rejected } = readRecords(envelope, key, schema);
  const [bad] = rejected;
  if (bad) throw unexpectedResponse(method, path, `${key} ${bad.id}: ${bad.reason}`, undefined, bad.field);
  return records;
}

/**
 * The records of `key` in an answer, each parsed on its own: one the schema refuses is set aside with the
 * vendor's field that failed (`time_entries.date_performed`), so it can be reported without losing the rest.
 */
export function readRecords<T extends z.ZodTypeAny>(
  envelope: Envelope,
  key: string,
  schema: T,
): { records: z.output<T>[]; rejected: { id: string; field?: string; reason: string }[] } {
  const table = (envelope as Record<string, unknown>)[key];
  const records: z.output<T>[] = [];
  const rejected: { id: string; field?: string; reason: string }[] = [];
  for (const ref of envelope.results) {
    if (ref.key !== key) continue;
    const raw = table && typeof table === 'object' ? (table as Record<string, unknown>)[ref.id] : undefined;
    const parsed = schema.safeParse(raw);
    if (parsed.success) {
      records.push(parsed.data);
      continue;
    }
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : undefined;
    rejected.push({
      id: String(ref.id),
      ...(where ? { field: `${key}.${where}` } : {}),
      reason:
        raw === undefined
          ? 'missing from the answer'
          : `${where ?? 'record'}: ${issue?.message ?? 'invalid'}`,
    });
  }
  return { records, rejected };
}

/** The one record a create/update/show answers with. */
export function singleOf<T extends z.ZodTypeAny>(
  envelope: Envelope,
  key: string,
  schema: T,
  method: string,
  path: string,
): z.output<T> {
  const [record] = recordsOf(envelope, key, schema, method, path);
  if (record === undefined) throw unexpectedResponse(method, path, `no ${key} in the answer`);
  return record;
}

/** Included associations (e.g. `external_references`) indexed by id. */
export function includedOf<T extends z.ZodTypeAny>(
  envelope: Envelope,
  key: string,
  schema: T,
): Map<string, z.output<T>> {
  const table = (envelope as Record<string, unknown>)[key];
  const out = new Map<string, z.output<T>>();
  if (!table || typeof table !== 'object') return out;
  for (const [id, raw] of Object.entries(table as Record<string, unknown>)) {
    const parsed = schema.safeParse(raw);
    if (parsed.success) out.set(id, parsed.data);
  }
  return out;
}

export function createKantataHttp(config: KantataConnection, fetchImpl: FetchLike): KantataHttp {
  async function request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    opts: { query?: Query; body?: unknown } = {},
  ) {
    const url = new URL(`${config.baseUrl}${path}`);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(url.toString(), {
        method,
        headers: {
          Authorization: `Bearer ${config.accessToken}`,
          Accept: 'application/json',
          ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      // Reading the body can fail too (connection cut mid-response): same as no answer.
      text = await response.text();
    } catch (cause) {
      if (cause instanceof ConnectorError) throw cause; // refused by the outbound guard: not a network error
      throw kantataNetworkError(cause, config.timeoutMs);
    }
    if (!response.ok) throw kantataHttpError(method, path, response, text);
    if (response.status === 204 || text.trim() === '') return { results: [] } as Envelope;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      // A 2xx with a body that is not JSON is most likely cut short or rewritten by a proxy: worth a retry.
      throw new ConnectorError({
        system: SYSTEM,
        message: `Kantata ${method} ${path} answered ${response.status} with a body that is not JSON`,
        retryable: true,
        code: 'BAD_RESPONSE',
        status: response.status,
        cause,
      });
    }
    const parsed = EnvelopeSchema.safeParse(json);
    if (!parsed.success)
      throw unexpectedResponse(method, path, parsed.error.issues[0]?.message ?? 'not an envelope');
    return parsed.data;
  }

  async function list<T extends z.ZodTypeAny>(path: string, key: string, schema: T, query: Query = {}) {
    const records: z.output<T>[] = [];
    let merged: Envelope = { results: [] };
    for (let page = 1; page <= MAX_PAGES; page += 1) {
      const envelope = await request('GET', path, { query: { ...query, page, per_page: PER_PAGE } });
      const batch = recordsOf(envelope, key, schema, 'GET', path);
      records.push(...batch);
      // Keep included associations of every page (e.g. external_references) for the caller.
      merged = mergeEnvelopes(merged, envelope);
      const total = envelope.count ?? records.length;
      if (batch.length === 0 || records.length >= total) return { records, envelope: merged };
    }
    throw new ConnectorError({
      system: SYSTEM,
      message: `Kantata GET ${path} returned more than ${PER_PAGE * MAX_PAGES} ${key}; refusing to guess which exist`,
      retryable: false,
      code: 'TOO_MANY_RESULTS',
      fix: 'Archive old Kantata records of this kind, or contact Handoff support to narrow the lookup.',
    });
  }

  return { request, list };
}

function mergeEnvelopes(a: Envelope, b: Envelope): Envelope {
  const out: Record<string, unknown> = { ...a, results: [...a.results, ...b.results], count: b.count };
  for (const [k, v] of Object.entries(b)) {
    if (k === 'results' || k === 'count' || k === 'meta' || !v || typeof v !== 'object' || Array.isArray(v))
      continue;
    out[k] = { ...((out[k] as object | undefined) ?? {}), ...(v as object) };
  }
  return out as Envelope;
}
