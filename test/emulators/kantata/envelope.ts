import type { Context } from 'hono';

/**
 * Kantata OX's response envelope: `count` (size of the whole query), `meta` (pagination), `results` (the
 * canonical ordered list of `{key, id}`), and every record indexed by id under its plural type key, with
 * included associations under their own keys. Errors are `{errors: [{type, message, field?}]}`.
 */

export interface KantataError {
  type: 'validation' | 'system' | 'oauth';
  message: string;
  field?: string;
}

export function errorBody(errors: KantataError[]) {
  return { errors };
}

export function errorResponse(
  c: Context,
  status: 400 | 401 | 403 | 404 | 422 | 429 | 500 | 503,
  errors: KantataError[],
) {
  return c.json(errorBody(errors), status);
}

export const validation = (message: string, field?: string): KantataError => ({
  type: 'validation',
  message,
  ...(field ? { field } : {}),
});
export const system = (message: string): KantataError => ({ type: 'system', message });

export interface Page {
  offset: number;
  size: number;
  number: number;
}

/** `page`/`per_page` (default 20, max 200), or `limit`/`offset` which win when both are given. */
export function readPage(c: Context): Page {
  const q = (name: string) => c.req.query(name);
  const limit = Number(q('limit'));
  const offset = Number(q('offset'));
  if (
    q('limit') !== undefined &&
    q('offset') !== undefined &&
    Number.isInteger(limit) &&
    Number.isInteger(offset)
  ) {
    const size = Math.min(Math.max(limit, 1), 200);
    return { offset: Math.max(offset, 0), size, number: Math.floor(Math.max(offset, 0) / size) + 1 };
  }
  const perPage = Number(q('per_page') ?? 20);
  const page = Number(q('page') ?? 1);
  const size = Number.isInteger(perPage) ? Math.min(Math.max(perPage, 1), 200) : 20;
  const number = Number.isInteger(page) && page > 0 ? page : 1;
  return { offset: (number - 1) * size, size, number };
}

export type Included = Record<string, Record<string, unknown>>;

/** Add an associated record to the envelope's `key` table. */
export function include(included: Included, key: string, id: string, record: Record<string, unknown>) {
  const table = included[key] ?? {};
  table[id] = record;
  included[key] = table;
}

/** Build the envelope for one page of `records` (already filtered and ordered) of type `key`. */
export function listEnvelope<T extends { id: string }>(
  key: string,
  records: T[],
  page: Page,
  serialize: (r: T) => Record<string, unknown>,
  included: Included = {},
) {
  const slice = records.slice(page.offset, page.offset + page.size);
  return envelope(key, slice.map(serialize), records.length, page, included);
}

export function envelope(
  key: string,
  serialized: Record<string, unknown>[],
  total: number,
  page?: Page,
  included: Included = {},
) {
  const size = page?.size ?? 20;
  const body: Record<string, unknown> = {
    count: total,
    meta: {
      count: total,
      page_count: Math.max(1, Math.ceil(total / size)),
      page_number: page?.number ?? 1,
      page_size: size,
    },
    results: serialized.map((r) => ({ key, id: String(r.id) })),
  };
  const own: Record<string, unknown> = { ...(included[key] ?? {}) };
  for (const r of serialized) own[String(r.id)] = r;
  body[key] = own;
  for (const [k, v] of Object.entries(included)) if (k !== key) body[k] = v;
  return body;
}

export function includes(c: Context): Set<string> {
  return new Set(
    (c.req.query('include') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

export function onlyIds(c: Context): Set<string> | undefined {
  const only = c.req.query('only');
  return only
    ? new Set(
        only
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
    : undefined;
}

export const boolParam = (v: string | undefined) => v === 'true' || v === '1';

/** Strip the optional `.json` suffix Kantata accepts on every route. */
export function idParam(c: Context, name = 'id'): string {
  return (c.req.param(name) ?? '').replace(/\.json$/, '');
}

/** Parse a JSON body; `undefined` when it is not a JSON object. */
export async function jsonBody(c: Context): Promise<Record<string, unknown> | undefined> {
  try {
    const body = (await c.req.json()) as unknown;
    return body && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export const now = () => new Date().toISOString();

export const isIsoDate = (v: unknown): v is string =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));

/** Integer ids arrive as numbers or numeric strings (JSON or Rails form encoding). */
export function asId(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return String(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return v;
  return undefined;
}

export function asInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

export const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );
