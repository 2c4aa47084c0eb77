import type { Problem } from './record-rules';
import type { NetSuiteState } from './state';

/**
 * A sliver of SuiteQL (`POST /services/rest/query/v1/suiteql`, header `Prefer: transient`):
 * `SELECT cols|* FROM table [WHERE col = 'value']` over the tables the emulator keeps. Values come
 * back as strings, column names lower-case, as SuiteQL returns them.
 */
type Row = Record<string, string>;

function tables(state: NetSuiteState): Record<string, Row[]> {
  const text = (v: unknown) =>
    v === undefined || v === null
      ? ''
      : typeof v === 'object'
        ? String((v as { id?: unknown }).id ?? '')
        : String(v);
  return {
    currency: Object.values(state.currencies).map((c) => ({ id: c.id, symbol: c.symbol, name: c.name })),
    subsidiary: Object.values(state.subsidiaries).map((s) => ({
      id: s.id,
      name: s.name,
      country: s.country,
      currency: s.currency,
    })),
    customer: Object.values(state.records.customer).map((r) => ({
      id: r.id,
      externalid: r.externalId ?? '',
      companyname: text(r.fields.companyName),
      entityid: text(r.fields.entityId),
      subsidiary: text(r.fields.subsidiary),
      currency: text(r.fields.currency),
    })),
    job: Object.values(state.records.job).map((r) => ({
      id: r.id,
      externalid: r.externalId ?? '',
      companyname: text(r.fields.companyName),
      entityid: text(r.fields.entityId),
      parent: text(r.fields.parent),
      jobbillingtype: text(r.fields.jobBillingType),
    })),
    billingschedule: Object.values(state.records.billingSchedule).map((r) => ({
      id: r.id,
      externalid: r.externalId ?? '',
      name: text(r.fields.name),
      scheduletype: text(r.fields.scheduleType),
      project: text(r.fields.project),
    })),
  };
}

const QUERY = /^\s*select\s+(.+?)\s+from\s+([a-z_]+)(?:\s+where\s+([a-z_]+)\s*=\s*'([^']*)')?\s*;?\s*$/i;

export function runSuiteQl(state: NetSuiteState, q: string): { rows: Record<string, string>[] } | Problem {
  const m = QUERY.exec(q);
  const invalid = (detail: string): Problem => ({
    status: 400,
    code: 'INVALID_PARAMETER',
    detail: `Invalid search query. ${detail}`,
  });
  if (!m) return invalid("The emulator understands SELECT cols FROM table [WHERE col = 'value'].");
  const [, colsText, table, whereCol, whereValue] = m;
  const rows = tables(state)[table!.toLowerCase()];
  if (!rows) return invalid(`Search error occurred: Record '${table}' was not found.`);
  const cols = colsText!.trim() === '*' ? undefined : colsText!.split(',').map((c) => c.trim().toLowerCase());
  const known = new Set(Object.keys(rows[0] ?? { id: '' }));
  const unknown = [...(cols ?? []), ...(whereCol ? [whereCol.toLowerCase()] : [])].find(
    (c) => rows.length > 0 && !known.has(c),
  );
  if (unknown)
    return invalid(`Search error occurred: Field '${unknown}' for record '${table}' was not found.`);
  const filtered = whereCol ? rows.filter((r) => r[whereCol.toLowerCase()] === whereValue) : rows;
  return { rows: filtered.map((r) => (cols ? Object.fromEntries(cols.map((c) => [c, r[c] ?? ''])) : r)) };
}
