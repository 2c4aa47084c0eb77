import { SfApiError } from './errors';
import { to18 } from './ids';
import { recordUrl } from './records';
import { type FieldDef, findField, findObject, findRelationship, type ObjectDef } from './schema';
import type { SalesforceState, SfRecord, SfValue } from './state';

/**
 * The SOQL subset the emulator answers: SELECT fields (with parent relationship paths such as
 * Account.Name or Opportunity__r.Name, or COUNT()) FROM one object, WHERE with =, !=, <>, <, <=, >, >=,
 * LIKE, IN, NOT IN, AND, OR, NOT and parentheses, ORDER BY (ASC/DESC, NULLS FIRST/LAST), LIMIT and
 * OFFSET. Errors carry the codes Salesforce uses (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE,
 * INVALID_QUERY_FILTER_OPERATOR) and its "ERROR at Row:1:Column:n" message shape.
 */

type Token =
  | { kind: 'word'; text: string; pos: number }
  | { kind: 'string'; text: string; pos: number }
  | { kind: 'number'; text: string; pos: number }
  | { kind: 'op'; text: string; pos: number };

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const ch = soql.charAt(i);
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "'") {
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= soql.length) throw malformed(soql, i, 'unexpected end of string literal');
        const c = soql.charAt(j);
        if (c === '\\') {
          const next = soql.charAt(j + 1);
          text += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          j += 2;
          continue;
        }
        if (c === "'") break;
        text += c;
        j++;
      }
      tokens.push({ kind: 'string', text, pos: i });
      i = j + 1;
      continue;
    }
    const num = /^-?\d+(?:\.\d+)?(?:-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2}))?)?/.exec(soql.slice(i));
    if (num && (ch !== '-' || /\d/.test(soql.charAt(i + 1)))) {
      tokens.push({ kind: 'number', text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(soql.slice(i));
    if (word) {
      tokens.push({ kind: 'word', text: word[0], pos: i });
      i += word[0].length;
      continue;
    }
    const op = /^(<=|>=|!=|<>|=|<|>|,|\(|\))/.exec(soql.slice(i));
    if (op) {
      tokens.push({ kind: 'op', text: op[0], pos: i });
      i += op[0].length;
      continue;
    }
    throw malformed(soql, i, `unexpected token: '${ch}'`);
  }
  return tokens;
}

function located(code: string, soql: string, pos: number, text: string): SfApiError {
  return new SfApiError(
    400,
    code,
    `\n${soql}\n${' '.repeat(pos)}^\nERROR at Row:1:Column:${pos + 1}\n${text}`,
  );
}
const malformed = (soql: string, pos: number, text: string) => located('MALFORMED_QUERY', soql, pos, text);

type Literal = {
  type: 'string' | 'number' | 'boolean' | 'null' | 'date' | 'datetime';
  value: SfValue;
  pos: number;
};

type Condition =
  | { op: 'and'; left: Condition; right: Condition }
  | { op: 'or'; left: Condition; right: Condition }
  | { op: 'not'; inner: Condition }
  | { op: 'cmp'; path: string; pos: number; cmp: string; value: Literal }
  | { op: 'in'; path: string; pos: number; negate: boolean; values: Literal[] };

export interface SoqlQuery {
  soql: string;
  count: boolean;
  fields: { path: string; pos: number }[];
  object: { name: string; pos: number };
  where?: Condition;
  orderBy: { path: string; pos: number; desc: boolean; nullsLast: boolean }[];
  limit?: number;
  offset?: number;
}

const isKw = (t: Token | undefined, kw: string) => t?.kind === 'word' && t.text.toUpperCase() === kw;

export function parseSoql(soql: string): SoqlQuery {
  const tokens = tokenize(soql);
  let i = 0;
  const peek = () => tokens[i];
  const endPos = soql.length;
  const expectKw = (kw: string) => {
    const t = tokens[i];
    if (!isKw(t, kw))
      throw malformed(soql, t?.pos ?? endPos, `unexpected token: ${t ? `'${t.text}'` : '<EOF>'}`);
    i++;
  };
  expectKw('SELECT');
  const fields: SoqlQuery['fields'] = [];
  let count = false;
  if (isKw(peek(), 'COUNT') && tokens[i + 1]?.text === '(' && tokens[i + 2]?.text === ')') {
    count = true;
    i += 3;
  } else {
    for (;;) {
      const t = tokens[i];
      if (t?.text === '(')
        throw malformed(soql, t.pos, "unexpected token: '(' (the emulator does not support subqueries)");
      if (t?.kind !== 'word' || isKw(t, 'FROM'))
        throw malformed(soql, t?.pos ?? endPos, `unexpected token: ${t ? `'${t.text}'` : '<EOF>'}`);
      if (fields.some((f) => f.path.toLowerCase() === t.text.toLowerCase())) {
        throw new SfApiError(400, 'MALFORMED_QUERY', `duplicate field selected: ${t.text}`);
      }
      fields.push({ path: t.text, pos: t.pos });
      i++;
      if (tokens[i]?.text === ',') {
        i++;
        continue;
      }
      break;
    }
  }
  expectKw('FROM');
  const objTok = tokens[i];
  if (objTok?.kind !== 'word') throw malformed(soql, objTok?.pos ?? endPos, 'unexpected token: <EOF>');
  i++;

  const literal = (): Literal => {
    const t = tokens[i];
    if (!t) throw malformed(soql, endPos, 'unexpected token: <EOF>');
    i++;
    if (t.kind === 'string') return { type: 'string', value: t.text, pos: t.pos };
    if (t.kind === 'number') {
      if (/T/.test(t.text)) return { type: 'datetime', value: t.text, pos: t.pos };
      if (/^\d{4}-\d{2}-\d{2}$/.test(t.text)) return { type: 'date', value: t.text, pos: t.pos };
      return { type: 'number', value: Number(t.text), pos: t.pos };
    }
    if (isKw(t, 'NULL')) return { type: 'null', value: null, pos: t.pos };
    if (isKw(t, 'TRUE') || isKw(t, 'FALSE'))
      return { type: 'boolean', value: t.text.toUpperCase() === 'TRUE', pos: t.pos };
    if (isKw(t, 'TODAY')) return { type: 'date', value: new Date().toISOString().slice(0, 10), pos: t.pos };
    throw malformed(soql, t.pos, `unexpected token: '${t.text}'`);
  };

  const comparison = (): Condition => {
    const t = tokens[i];
    if (t?.text === '(') {
      i++;
      const inner = orExpr();
      if (tokens[i]?.text !== ')')
        throw malformed(soql, tokens[i]?.pos ?? endPos, 'expecting a right parentheses');
      i++;
      return inner;
    }
    if (isKw(t, 'NOT')) {
      i++;
      return { op: 'not', inner: comparison() };
    }
    if (t?.kind !== 'word')
      throw malformed(soql, t?.pos ?? endPos, `unexpected token: ${t ? `'${t.text}'` : '<EOF>'}`);
    i++;
    let negate = false;
    if (isKw(peek(), 'NOT') && isKw(tokens[i + 1], 'IN')) {
      negate = true;
      i++;
    }
    if (isKw(peek(), 'IN')) {
      i++;
      if (tokens[i]?.text !== '(')
        throw malformed(soql, tokens[i]?.pos ?? endPos, 'expecting a left parentheses');
      i++;
      const values: Literal[] = [];
      for (;;) {
        values.push(literal());
        if (tokens[i]?.text === ',') {
          i++;
          continue;
        }
        if (tokens[i]?.text === ')') {
          i++;
          break;
        }
        throw malformed(soql, tokens[i]?.pos ?? endPos, 'expecting a right parentheses');
      }
      return { op: 'in', path: t.text, pos: t.pos, negate, values };
    }
    const opTok = tokens[i];
    const cmp = isKw(opTok, 'LIKE')
      ? 'like'
      : opTok?.kind === 'op' && ['=', '!=', '<>', '<', '<=', '>', '>='].includes(opTok.text)
        ? opTok.text
        : undefined;
    if (!cmp)
      throw malformed(soql, opTok?.pos ?? endPos, `unexpected token: ${opTok ? `'${opTok.text}'` : '<EOF>'}`);
    i++;
    return { op: 'cmp', path: t.text, pos: t.pos, cmp: cmp === '<>' ? '!=' : cmp, value: literal() };
  };
  const andExpr = (): Condition => {
    let left = comparison();
    while (isKw(peek(), 'AND')) {
      i++;
      left = { op: 'and', left, right: comparison() };
    }
    return left;
  };
  const orExpr = (): Condition => {
    let left = andExpr();
    while (isKw(peek(), 'OR')) {
      i++;
      left = { op: 'or', left, right: andExpr() };
    }
    return left;
  };

  const query: SoqlQuery = {
    soql,
    count,
    fields,
    object: { name: objTok.text, pos: objTok.pos },
    orderBy: [],
  };
  if (isKw(peek(), 'WHERE')) {
    i++;
    query.where = orExpr();
  }
  if (isKw(peek(), 'ORDER')) {
    i++;
    expectKw('BY');
    for (;;) {
      const t = tokens[i];
      if (t?.kind !== 'word') throw malformed(soql, t?.pos ?? endPos, 'unexpected token: <EOF>');
      i++;
      let desc = false;
      if (isKw(peek(), 'ASC')) i++;
      else if (isKw(peek(), 'DESC')) {
        desc = true;
        i++;
      }
      let nullsLast = desc;
      if (isKw(peek(), 'NULLS')) {
        i++;
        if (isKw(peek(), 'FIRST')) nullsLast = false;
        else if (isKw(peek(), 'LAST')) nullsLast = true;
        else throw malformed(soql, tokens[i]?.pos ?? endPos, 'expecting FIRST or LAST');
        i++;
      }
      query.orderBy.push({ path: t.text, pos: t.pos, desc, nullsLast });
      if (tokens[i]?.text === ',') {
        i++;
        continue;
      }
      break;
    }
  }
  for (const kw of ['LIMIT', 'OFFSET'] as const) {
    if (isKw(peek(), kw)) {
      i++;
      const t = tokens[i];
      if (t?.kind !== 'number' || !/^\d+$/.test(t.text))
        throw malformed(soql, t?.pos ?? endPos, `unexpected token: ${t ? `'${t.text}'` : '<EOF>'}`);
      i++;
      if (kw === 'LIMIT') query.limit = Number(t.text);
      else query.offset = Number(t.text);
    }
  }
  if (i < tokens.length) {
    const t = tokens[i]!;
    throw malformed(soql, t.pos, `unexpected token: '${t.text}'`);
  }
  return query;
}

/** A field path resolved against the schema: the relationships to walk, then the field. */
interface ResolvedPath {
  hops: { field: FieldDef; target: ObjectDef }[];
  field: FieldDef;
}

function resolvePath(soql: string, root: ObjectDef, path: string, pos: number): ResolvedPath {
  const parts = path.split('.');
  // A path may be prefixed with the object's own name (SELECT Opportunity.Name FROM Opportunity).
  if (
    parts.length > 1 &&
    parts[0]!.toLowerCase() === root.name.toLowerCase() &&
    !findRelationship(root, parts[0]!)
  )
    parts.shift();
  const hops: ResolvedPath['hops'] = [];
  let obj = root;
  for (const rel of parts.slice(0, -1)) {
    const ref = findRelationship(obj, rel);
    const target = ref?.referenceTo ? findObject(ref.referenceTo) : undefined;
    if (!ref || !target) {
      throw located(
        'INVALID_FIELD',
        soql,
        pos,
        `Didn't understand relationship '${rel}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    hops.push({ field: ref, target });
    obj = target;
  }
  const name = parts[parts.length - 1]!;
  const field = findField(obj, name);
  if (!field) {
    throw located(
      'INVALID_FIELD',
      soql,
      pos,
      `No such column '${name}' on entity '${obj.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  return { hops, field };
}

function valueAt(state: SalesforceState, rec: SfRecord, p: ResolvedPath): SfValue {
  let current: SfRecord | undefined = rec;
  for (const hop of p.hops) {
    const id: SfValue | undefined = current?.[hop.field.name];
    current = typeof id === 'string' ? state.records[hop.target.name]?.[id] : undefined;
    if (!current) return null;
  }
  return current[p.field.name] ?? null;
}

const NUMERIC = new Set(['currency', 'double', 'percent']);
const TEXT = new Set(['string', 'textarea', 'email', 'url', 'picklist']);

/** Refuse a literal of the wrong kind for the field, as Salesforce does when it compiles the query. */
function checkLiteral(soql: string, field: FieldDef, lit: Literal): void {
  if (lit.type === 'null') return;
  const mustBe = (type: string, quoted: boolean) =>
    located(
      'INVALID_QUERY_FILTER_OPERATOR',
      soql,
      lit.pos,
      `value of filter criterion for field '${field.name}' must be of type ${type} and should ${quoted ? '' : 'not '}be enclosed in quotes`,
    );
  if (field.type === 'id' || field.type === 'reference') {
    if (lit.type !== 'string') throw mustBe('id', true);
    if (!to18(String(lit.value)))
      throw located('INVALID_QUERY_FILTER_OPERATOR', soql, lit.pos, `invalid ID field: ${String(lit.value)}`);
    return;
  }
  if (NUMERIC.has(field.type) && lit.type !== 'number') throw mustBe('double', false);
  if (field.type === 'date' && lit.type !== 'date') throw mustBe('date', false);
  if (field.type === 'datetime' && lit.type !== 'datetime') throw mustBe('dateTime', false);
  if (field.type === 'boolean' && lit.type !== 'boolean') throw mustBe('boolean', false);
  if (TEXT.has(field.type) && lit.type !== 'string') throw mustBe('string', true);
}

function normalize(field: FieldDef, v: SfValue): SfValue {
  if (v === null) return null;
  if (field.type === 'id' || field.type === 'reference') return to18(String(v)) ?? String(v);
  if (TEXT.has(field.type)) return String(v).toLowerCase();
  if (field.type === 'datetime') return Date.parse(String(v).replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return v;
}

function compare(a: SfValue, b: SfValue): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function likeToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${body}$`, 'is');
}

export interface QueryOutcome {
  totalSize: number;
  rows: Record<string, unknown>[];
}

export function runSoql(state: SalesforceState, soql: string, version: string): QueryOutcome {
  const q = parseSoql(soql);
  const root = findObject(q.object.name);
  if (!root) {
    throw located(
      'INVALID_TYPE',
      soql,
      q.object.pos,
      `sObject type '${q.object.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  const selected = q.fields.map((f) => ({ ...f, resolved: resolvePath(soql, root, f.path, f.pos) }));
  const order = q.orderBy.map((o) => ({ ...o, resolved: resolvePath(soql, root, o.path, o.pos) }));

  const compile = (c: Condition): ((r: SfRecord) => boolean) => {
    if (c.op === 'and') {
      const [l, r] = [compile(c.left), compile(c.right)];
      return (rec) => l(rec) && r(rec);
    }
    if (c.op === 'or') {
      const [l, r] = [compile(c.left), compile(c.right)];
      return (rec) => l(rec) || r(rec);
    }
    if (c.op === 'not') {
      const inner = compile(c.inner);
      return (rec) => !inner(rec);
    }
    const path = resolvePath(soql, root, c.path, c.pos);
    if (c.op === 'in') {
      for (const v of c.values) checkLiteral(soql, path.field, v);
      const set = c.values.map((v) => normalize(path.field, v.value));
      return (rec) => {
        const v = normalize(path.field, valueAt(state, rec, path));
        return set.includes(v) !== c.negate;
      };
    }
    if (c.cmp === 'like') {
      if (!TEXT.has(path.field.type))
        throw located(
          'INVALID_QUERY_FILTER_OPERATOR',
          soql,
          c.pos,
          `invalid operator on ${path.field.type} field: LIKE`,
        );
      const re = likeToRegExp(String(c.value.value ?? ''));
      return (rec) => {
        const v = valueAt(state, rec, path);
        return v !== null && re.test(String(v));
      };
    }
    checkLiteral(soql, path.field, c.value);
    const want = normalize(path.field, c.value.value);
    return (rec) => {
      const have = normalize(path.field, valueAt(state, rec, path));
      if (c.cmp === '=') return have === want;
      if (c.cmp === '!=') return have !== want;
      if (have === null || want === null) return false;
      const d = compare(have, want);
      return c.cmp === '<' ? d < 0 : c.cmp === '<=' ? d <= 0 : c.cmp === '>' ? d > 0 : d >= 0;
    };
  };
  const where = q.where ? compile(q.where) : () => true;

  let rows = Object.values(state.records[root.name] ?? {}).filter((r) => !r.IsDeleted && where(r));
  if (order.length > 0) {
    rows = [...rows].sort((a, b) => {
      for (const o of order) {
        const va = normalize(o.resolved.field, valueAt(state, a, o.resolved));
        const vb = normalize(o.resolved.field, valueAt(state, b, o.resolved));
        if (va === vb) continue;
        if (va === null) return o.nullsLast ? 1 : -1;
        if (vb === null) return o.nullsLast ? -1 : 1;
        const d = compare(va, vb);
        return o.desc ? -d : d;
      }
      return 0;
    });
  }
  if (q.offset) rows = rows.slice(q.offset);
  if (q.limit !== undefined) rows = rows.slice(0, q.limit);
  if (q.count) return { totalSize: rows.length, rows: [] };

  const shaped = rows.map((rec) => {
    const out: Record<string, unknown> = {
      attributes: { type: root.name, url: recordUrl(version, root.name, String(rec.Id)) },
    };
    for (const f of selected) {
      let target = out;
      let current: SfRecord | undefined = rec;
      let broken = false;
      for (const hop of f.resolved.hops) {
        const key = hop.field.relationshipName!;
        const id: SfValue | undefined = current?.[hop.field.name];
        current = typeof id === 'string' ? state.records[hop.target.name]?.[id] : undefined;
        if (!current) {
          target[key] = null;
          broken = true;
          break;
        }
        const existing = target[key] as Record<string, unknown> | null | undefined;
        if (!existing) {
          target[key] = {
            attributes: {
              type: hop.target.name,
              url: recordUrl(version, hop.target.name, String(current.Id)),
            },
          };
        }
        target = target[key] as Record<string, unknown>;
      }
      if (!broken) target[f.resolved.field.name] = current?.[f.resolved.field.name] ?? null;
    }
    return out;
  });
  return { totalSize: shaped.length, rows: shaped };
}
