import type { Problem } from './record-rules';
import type { NetSuiteState } from './state';
import { accountDate, DATE_COLUMNS, type Row, suiteQlTable } from './suiteql-tables';

/**
 * A sliver of SuiteQL (`POST /services/rest/query/v1/suiteql`, header `Prefer: transient`):
 *   SELECT * | col [AS alias] | TO_CHAR(col, 'YYYY-MM-DD') AS alias, ...
 *   FROM table [WHERE cond [AND cond]...] [ORDER BY col [ASC|DESC]]
 * where cond is `col = 'v'`, `col = 12` or `col IN ('a', 'b')`. Values come back as strings, column
 * names lower-case, dates in the account's format unless TO_CHAR'd, as SuiteQL returns them.
 */
type Token = { kind: 'word' | 'string' | 'number' | 'punct'; value: string };

function tokenize(q: string): Token[] | undefined {
  const tokens: Token[] = [];
  const re = /\s*(?:([A-Za-z_][A-Za-z0-9_.]*)|'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)|([(),=*;]))/y;
  let i = 0;
  while (i < q.length) {
    if (/^\s*$/.test(q.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(q);
    if (!m) return undefined;
    i = re.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: 'word', value: m[1] });
    else if (m[2] !== undefined) tokens.push({ kind: 'string', value: m[2].replace(/''/g, "'") });
    else if (m[3] !== undefined) tokens.push({ kind: 'number', value: m[3] });
    else tokens.push({ kind: 'punct', value: m[4]! });
  }
  return tokens;
}

interface Column {
  source: string;
  alias: string;
  isoDate: boolean;
}
interface Query {
  columns: Column[] | '*';
  table: string;
  where: { column: string; values: string[] }[];
  orderBy?: { column: string; desc: boolean };
}

function parse(tokens: Token[]): Query | string {
  let p = 0;
  const peek = () => tokens[p];
  const isWord = (w: string) => peek()?.kind === 'word' && peek()!.value.toLowerCase() === w;
  const expect = (pred: boolean, what: string) => {
    if (!pred) throw new Error(`Expected ${what} near "${peek()?.value ?? 'end of query'}".`);
    return tokens[p++]!;
  };
  const ident = (what: string) => expect(peek()?.kind === 'word', what).value.toLowerCase();
  try {
    expect(isWord('select'), 'SELECT');
    let columns: Column[] | '*' = [];
    if (peek()?.value === '*') {
      p++;
      columns = '*';
    } else {
      do {
        let column: Column;
        if (isWord('to_char')) {
          p++;
          expect(peek()?.value === '(', '(');
          const source = ident('a column');
          expect(peek()?.value === ',', ',');
          const format = expect(peek()?.kind === 'string', 'a date format').value;
          if (format.toUpperCase() !== 'YYYY-MM-DD') throw new Error(`Unsupported date format ${format}.`);
          expect(peek()?.value === ')', ')');
          column = { source, alias: source, isoDate: true };
        } else {
          const source = ident('a column');
          column = { source, alias: source, isoDate: false };
        }
        if (isWord('as')) {
          p++;
          column.alias = ident('an alias');
        }
        columns.push(column);
      } while (peek()?.value === ',' && p++ >= 0);
    }
    expect(isWord('from'), 'FROM');
    const table = ident('a table');
    const where: Query['where'] = [];
    if (isWord('where')) {
      p++;
      do {
        const column = ident('a column');
        if (peek()?.value === '=') {
          p++;
          where.push({
            column,
            values: [expect(['string', 'number'].includes(peek()?.kind ?? ''), 'a value').value],
          });
        } else {
          expect(isWord('in'), '= or IN');
          expect(peek()?.value === '(', '(');
          const values: string[] = [];
          do values.push(expect(['string', 'number'].includes(peek()?.kind ?? ''), 'a value').value);
          while (peek()?.value === ',' && p++ >= 0);
          expect(peek()?.value === ')', ')');
          where.push({ column, values });
        }
      } while (isWord('and') && p++ >= 0);
    }
    let orderBy: Query['orderBy'];
    if (isWord('order')) {
      p++;
      expect(isWord('by'), 'BY');
      orderBy = { column: ident('a column'), desc: false };
      if (isWord('desc') || isWord('asc')) orderBy.desc = tokens[p++]!.value.toLowerCase() === 'desc';
    }
    if (peek()?.value === ';') p++;
    if (p < tokens.length) throw new Error(`Unexpected "${peek()!.value}".`);
    return { columns, table, where, orderBy };
  } catch (e) {
    return (e as Error).message;
  }
}

export function runSuiteQl(state: NetSuiteState, q: string): { rows: Record<string, string>[] } | Problem {
  const invalid = (detail: string): Problem => ({
    status: 400,
    code: 'INVALID_PARAMETER',
    detail: `Invalid search query. ${detail}`,
  });
  const tokens = tokenize(q);
  const query = tokens ? parse(tokens) : 'The query could not be read.';
  if (typeof query === 'string') return invalid(`Search error occurred: ${query}`);
  const table = suiteQlTable(state, query.table);
  if (!table) return invalid(`Search error occurred: Record '${query.table}' was not found.`);

  const first = query.where[0];
  const indexed = first && (first.column === 'id' || first.column === 'externalid') && table.lookup;
  let rows: Iterable<Row> = indexed
    ? first.values.flatMap((v) => table.lookup!(first.column as 'id', v))
    : table.rows();
  const filters = indexed ? query.where.slice(1) : query.where;
  const out: Row[] = [];
  let known: Set<string> | undefined;
  for (const row of rows) {
    known ??= new Set(Object.keys(row));
    const unknown = [
      ...(query.columns === '*' ? [] : query.columns.map((c) => c.source)),
      ...query.where.map((w) => w.column),
      ...(query.orderBy ? [query.orderBy.column] : []),
    ].find((c) => !known!.has(c));
    if (unknown)
      return invalid(`Search error occurred: Field '${unknown}' for record '${query.table}' was not found.`);
    if (filters.every((w) => w.values.includes(row[w.column] ?? ''))) out.push(row);
  }
  rows = out;
  if (query.orderBy) {
    const { column, desc } = query.orderBy;
    const numeric = out.every((r) => /^-?\d+(\.\d+)?$/.test(r[column] ?? ''));
    out.sort((a, b) => {
      const x = a[column] ?? '';
      const y = b[column] ?? '';
      const cmp = numeric ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
      return desc ? -cmp : cmp;
    });
  }
  const show = (row: Row, column: string, iso: boolean) =>
    DATE_COLUMNS.has(column) && !iso ? accountDate(row[column]) : (row[column] ?? '');
  return {
    rows: out.map((r) =>
      query.columns === '*'
        ? Object.fromEntries(Object.keys(r).map((k) => [k, show(r, k, false)]))
        : Object.fromEntries(query.columns.map((c) => [c.alias, show(r, c.source, c.isoDate)])),
    ),
  };
}
