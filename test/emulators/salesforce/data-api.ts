import { noSuchColumnOnSobject, notFound, SfApiError } from './errors';
import { to18 } from './ids';
import { checkQueryAgainstSetup, hiddenFields, objectMissing, toolingQuery } from './org-setup';
import {
  createRecord,
  type EffectSink,
  parseWrite,
  recordUrl,
  requireRecord,
  serializeRecord,
  updateRecord,
} from './records';
import { type FieldDef, findField, findObject, OBJECTS, type ObjectDef } from './schema';
import { runSoql } from './soql';
import { type SalesforceInstance, type SalesforceState, type SfRecord, salesforceOptions } from './state';

/**
 * The REST resources under /services/data/vXX.X, as one dispatcher so that a Composite subrequest
 * runs exactly the code a direct call runs. Handlers return a status and body or throw SfApiError.
 */

export interface ApiRequest {
  method: string;
  /** Path after /services/data/vXX.X, e.g. "/sobjects/Opportunity/006..." ("" for the version root). */
  path: string;
  query: URLSearchParams;
  body: unknown;
  version: string;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiContext {
  inst: SalesforceInstance;
  effect: EffectSink;
  /** Absolute base URL of the instance (stands in for https://MyDomain.my.salesforce.com). */
  baseUrl: string;
  composite?: (ctx: ApiContext, req: ApiRequest) => ApiResponse;
}

const MAX_COLLECTION = 200;

function requireObject(name: string): ObjectDef {
  const obj = findObject(name);
  if (!obj) throw notFound();
  return obj;
}

function methodNotAllowed(method: string, allowed: string): SfApiError {
  return new SfApiError(
    405,
    'METHOD_NOT_ALLOWED',
    `HTTP Method '${method}' not allowed. Allowed are ${allowed}`,
  );
}

function fieldList(obj: ObjectDef, raw: string | null): FieldDef[] | undefined {
  if (!raw) return undefined;
  return raw.split(',').map((name) => {
    const f = findField(obj, name.trim());
    if (!f) {
      throw new SfApiError(
        400,
        'INVALID_FIELD',
        `No such column '${name.trim()}' on entity '${obj.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    return f;
  });
}

function snapshot(state: SalesforceState) {
  return { records: structuredClone(state.records), counters: { ...state.counters } };
}

function restore(state: SalesforceState, saved: ReturnType<typeof snapshot>): void {
  state.records = saved.records;
  state.counters = saved.counters;
}

function describe(obj: ObjectDef, version: string, hidden: Set<string> = new Set()) {
  const base = `/services/data/v${version}/sobjects/${obj.name}`;
  return {
    name: obj.name,
    label: obj.label,
    labelPlural: obj.labelPlural,
    keyPrefix: obj.keyPrefix,
    custom: obj.custom,
    createable: obj.name !== 'User' && obj.name !== 'Organization',
    updateable: true,
    queryable: true,
    urls: { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` },
    fields: obj.fields
      .filter((f) => !hidden.has(`${obj.name}.${f.name}`.toLowerCase()))
      .map((f) => ({
        name: f.name,
        label: f.label,
        type: f.type,
        length: f.length ?? 0,
        createable: !f.readOnly,
        updateable: !f.readOnly,
        nillable: !f.required && f.type !== 'boolean',
        externalId: f.externalId ?? false,
        unique: f.unique ?? false,
        custom: f.name.endsWith('__c'),
        referenceTo: f.referenceTo ? [f.referenceTo] : [],
        relationshipName: f.relationshipName ?? null,
        picklistValues: (f.picklist ?? []).map((v) => ({
          active: true,
          defaultValue: false,
          label: v,
          value: v,
        })),
      })),
  };
}

/** Records whose external id field holds `value` (case-insensitive, as text external ids are). */
function matchByExternalId(
  state: SalesforceState,
  obj: ObjectDef,
  field: FieldDef,
  value: string,
): SfRecord[] {
  const all = Object.values(state.records[obj.name] ?? {}).filter((r) => !r.IsDeleted);
  if (field.name === 'Id') {
    const id = to18(value);
    return all.filter((r) => r.Id === id);
  }
  return all.filter(
    (r) => typeof r[field.name] === 'string' && String(r[field.name]).toLowerCase() === value.toLowerCase(),
  );
}

function externalIdField(obj: ObjectDef, name: string): FieldDef {
  const f = findField(obj, name);
  if (!f || !(f.externalId || f.name === 'Id'))
    throw new SfApiError(
      404,
      'NOT_FOUND',
      `Provided external ID field does not exist or is not accessible: ${name}`,
    );
  return f;
}

interface UpsertOutcome {
  rec: SfRecord;
  created: boolean;
}

function upsert(
  ctx: ApiContext,
  obj: ObjectDef,
  field: FieldDef,
  value: string,
  body: unknown,
  version: string,
): UpsertOutcome | ApiResponse {
  const { state } = ctx.inst;
  const values = parseWrite(state, obj, body, ['attributes', field.name]);
  const matches = matchByExternalId(state, obj, field, value);
  if (matches.length > 1) {
    return { status: 300, body: matches.map((m) => recordUrl(version, obj.name, String(m.Id))) };
  }
  if (matches.length === 1)
    return { rec: updateRecord(state, obj, String(matches[0]!.Id), values, ctx.effect), created: false };
  if (field.name === 'Id') throw notFound();
  return { rec: createRecord(state, obj, { ...values, [field.name]: value }, ctx.effect), created: true };
}

/** One sObject Collections item, with the per-record error shape collections use (statusCode, not errorCode). */
function collectionError(e: unknown, id?: string) {
  if (e instanceof SfApiError) {
    return {
      ...(id ? { id } : {}),
      success: false,
      errors: e.items.map((i) => ({ statusCode: i.errorCode, message: i.message, fields: i.fields ?? [] })),
    };
  }
  throw e;
}

function collections(ctx: ApiContext, req: ApiRequest, segments: string[]): ApiResponse {
  const { state } = ctx.inst;
  if (req.method === 'GET' || (req.method === 'POST' && segments.length === 1)) {
    // Retrieve: GET ?ids=&fields= or POST {ids, fields} on /composite/sobjects/{Object}.
    const obj = requireObject(segments[0] ?? '');
    const input =
      req.method === 'GET'
        ? { ids: req.query.get('ids')?.split(','), fields: req.query.get('fields')?.split(',') }
        : (req.body as { ids?: string[]; fields?: string[] });
    if (!input?.ids?.length || !input.fields?.length)
      throw new SfApiError(400, 'INVALID_FIELD', 'ids and fields are required');
    if (input.ids.length > 2000)
      throw new SfApiError(400, 'EXCEEDED_ID_LIMIT', 'Exceeded max limit of 2000 ids');
    const fields = fieldList(obj, input.fields.join(','));
    const rows = input.ids.map((raw) => {
      const id = to18(raw);
      const rec = id ? state.records[obj.name]?.[id] : undefined;
      return rec ? serializeRecord(obj, rec, req.version, fields) : null;
    });
    return { status: 200, body: rows };
  }
  const body = req.body as { allOrNone?: boolean; records?: Record<string, unknown>[] } | undefined;
  if (!body || !Array.isArray(body.records))
    throw new SfApiError(400, 'JSON_PARSER_ERROR', 'records is required');
  if (body.records.length > MAX_COLLECTION) {
    throw new SfApiError(
      400,
      'EXCEEDED_ID_LIMIT',
      `The number of records exceeds the limit of ${MAX_COLLECTION}`,
    );
  }
  const allOrNone = body.allOrNone === true;
  const saved = allOrNone ? snapshot(state) : undefined;
  const buffered: string[] = [];
  const sink: EffectSink = allOrNone ? (n) => buffered.push(n) : ctx.effect;
  const inner: ApiContext = { ...ctx, effect: sink };

  const results = body.records.map((item) => {
    const attrs = item.attributes as { type?: string } | undefined;
    const recId = typeof item.id === 'string' ? item.id : typeof item.Id === 'string' ? item.Id : undefined;
    try {
      if (req.method === 'PATCH' && segments.length === 2) {
        const obj = requireObject(segments[0]!);
        if (attrs?.type && attrs.type.toLowerCase() !== obj.name.toLowerCase()) {
          throw new SfApiError(400, 'INVALID_TYPE', `Record type ${attrs.type} does not match ${obj.name}`);
        }
        const field = externalIdField(obj, segments[1]!);
        const key = Object.entries(item).find(([k]) => k.toLowerCase() === field.name.toLowerCase())?.[1];
        if (typeof key !== 'string' || key === '')
          throw new SfApiError(400, 'MISSING_ARGUMENT', `${field.name} not specified`, [field.name]);
        const out = upsert(inner, obj, field, key, item, req.version);
        if ('status' in out)
          throw new SfApiError(
            300,
            'DUPLICATE_EXTERNAL_ID',
            `${field.name}: more than one record found for external id field: ${key}`,
            [field.name],
          );
        return { id: out.rec.Id, success: true, errors: [], created: out.created };
      }
      if (!attrs?.type) throw new SfApiError(400, 'INVALID_TYPE', 'Must send a concrete entity type.');
      const obj = requireObject(attrs.type);
      if (req.method === 'POST') {
        if (recId)
          throw new SfApiError(
            400,
            'INVALID_FIELD_FOR_INSERT_UPDATE',
            'cannot specify Id in an insert call',
            ['Id'],
          );
        const rec = createRecord(state, obj, parseWrite(state, obj, item), sink);
        return { id: rec.Id, success: true, errors: [] };
      }
      if (req.method === 'PATCH') {
        if (!recId)
          throw new SfApiError(400, 'MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']);
        const rec = requireRecord(state, obj, recId);
        updateRecord(
          state,
          obj,
          String(rec.Id),
          parseWrite(state, obj, item, ['attributes', 'id', 'Id']),
          sink,
        );
        return { id: rec.Id, success: true, errors: [] };
      }
      throw methodNotAllowed(req.method, 'GET,POST,PATCH');
    } catch (e) {
      if (e instanceof SfApiError && e.status === 405) throw e;
      return collectionError(e, recId);
    }
  });
  if (allOrNone && results.some((r) => !r.success)) {
    restore(state, saved!);
    return {
      status: 200,
      body: results.map((r) =>
        r.success
          ? {
              id: r.id,
              success: false,
              errors: [
                {
                  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
                  message:
                    'Record rolled back because not all records were valid and the request was using AllOrNone header',
                  fields: [],
                },
              ],
            }
          : r,
      ),
    };
  }
  for (const n of buffered) ctx.effect(n);
  return { status: 200, body: results };
}

function query(ctx: ApiContext, req: ApiRequest, locator?: string): ApiResponse {
  const { state } = ctx.inst;
  const batch = salesforceOptions(ctx.inst.config).queryBatchSize;
  const page = (cursorId: string, offset: number) => {
    const cursor = state.cursors[cursorId];
    if (!cursor || offset > cursor.rows.length)
      throw new SfApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    const rows = cursor.rows.slice(offset, offset + batch);
    const next = offset + batch;
    const done = next >= cursor.rows.length;
    if (done) delete state.cursors[cursorId];
    return {
      status: 200,
      body: {
        totalSize: cursor.totalSize,
        done,
        ...(done ? {} : { nextRecordsUrl: `/services/data/v${req.version}/query/${cursorId}-${next}` }),
        records: rows,
      },
    };
  };
  if (locator) {
    const m = /^(.+)-(\d+)$/.exec(locator);
    if (!m) throw new SfApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    return page(m[1]!, Number(m[2]));
  }
  const q = req.query.get('q');
  if (!q) throw new SfApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
  checkQueryAgainstSetup(ctx.inst, q);
  const outcome = runSoql(state, q, req.version);
  if (outcome.rows.length <= batch) {
    return { status: 200, body: { totalSize: outcome.totalSize, done: true, records: outcome.rows } };
  }
  const cursorId = `01g${ctx.inst.nextId().padStart(12, '0')}`;
  state.cursors[cursorId] = { rows: outcome.rows, totalSize: outcome.totalSize, offset: 0 };
  return page(cursorId, 0);
}

function versionRoot(ctx: ApiContext, version: string) {
  const v = `/services/data/v${version}`;
  return {
    tooling: `${v}/tooling`,
    metadata: `${v}/metadata`,
    query: `${v}/query`,
    queryAll: `${v}/queryAll`,
    composite: `${v}/composite`,
    sobjects: `${v}/sobjects`,
    limits: `${v}/limits`,
    identity: `${ctx.baseUrl}/id/${ctx.inst.state.orgId}/${ctx.inst.state.integrationUserId}`,
  };
}

export function dispatchData(ctx: ApiContext, req: ApiRequest): ApiResponse {
  const { state } = ctx.inst;
  const segments = req.path.split('/').filter(Boolean).map(decodeURIComponent);
  const [head, ...rest] = segments;
  const m = req.method;

  if (!head) {
    if (m !== 'GET') throw methodNotAllowed(m, 'GET,HEAD');
    return { status: 200, body: versionRoot(ctx, req.version) };
  }
  if (head === 'limits' && rest.length === 0) {
    const max = salesforceOptions(ctx.inst.config).apiDailyLimit;
    return {
      status: 200,
      body: { DailyApiRequests: { Max: max, Remaining: Math.max(0, max - state.apiUsage) } },
    };
  }
  if (head === 'tooling' && rest[0] === 'query' && rest.length === 1 && m === 'GET') {
    const q = req.query.get('q');
    if (!q) throw new SfApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    return toolingQuery(ctx.inst, q, req.version);
  }
  if ((head === 'query' || head === 'queryAll') && m === 'GET') {
    if (rest.length > 1) throw notFound();
    return query(ctx, req, rest[0]);
  }
  if (head === 'composite') {
    if (rest.length === 0) {
      if (m !== 'POST' || !ctx.composite) throw methodNotAllowed(m, 'POST');
      return ctx.composite(ctx, req);
    }
    if (rest[0] === 'sobjects') return collections(ctx, req, rest.slice(1));
    throw notFound();
  }
  if (head !== 'sobjects') throw notFound();

  if (rest.length === 0) {
    if (m !== 'GET') throw methodNotAllowed(m, 'GET,HEAD');
    return {
      status: 200,
      body: {
        encoding: 'UTF-8',
        maxBatchSize: 200,
        sobjects: OBJECTS.map((o) => ({
          name: o.name,
          label: o.label,
          keyPrefix: o.keyPrefix,
          custom: o.custom,
          queryable: true,
        })),
      },
    };
  }
  const obj = requireObject(rest[0]!);
  if (objectMissing(ctx.inst, obj.name)) throw notFound();
  const hidden = hiddenFields(ctx.inst);
  if (rest.length === 1) {
    if (m === 'GET')
      return { status: 200, body: { objectDescribe: describe(obj, req.version, hidden), recentItems: [] } };
    if (m === 'POST') {
      const rec = createRecord(state, obj, parseWrite(state, obj, req.body), ctx.effect);
      return {
        status: 201,
        body: { id: rec.Id, success: true, errors: [] },
        headers: { Location: recordUrl(req.version, obj.name, String(rec.Id)) },
      };
    }
    throw methodNotAllowed(m, 'GET,HEAD,POST');
  }
  if (rest.length === 2 && rest[1] === 'describe') {
    if (m !== 'GET') throw methodNotAllowed(m, 'GET,HEAD');
    return { status: 200, body: describe(obj, req.version, hidden) };
  }
  if (rest.length === 2) {
    const rawId = rest[1]!;
    if (m === 'GET') {
      const rec = requireRecord(state, obj, rawId);
      return {
        status: 200,
        body: serializeRecord(obj, rec, req.version, fieldList(obj, req.query.get('fields'))),
      };
    }
    if (m === 'PATCH') {
      const rec = requireRecord(state, obj, rawId);
      updateRecord(state, obj, String(rec.Id), parseWrite(state, obj, req.body), ctx.effect);
      return { status: 204 };
    }
    if (m === 'DELETE') {
      const rec = requireRecord(state, obj, rawId);
      delete state.records[obj.name]![String(rec.Id)];
      ctx.effect(`${obj.name}.delete`);
      return { status: 204 };
    }
    if (m === 'POST') throw methodNotAllowed(m, 'GET,PATCH,DELETE,HEAD');
    throw methodNotAllowed(m, 'GET,PATCH,DELETE,HEAD');
  }
  if (rest.length === 3) {
    const field = findField(obj, rest[1]!);
    if (!field) throw noSuchColumnOnSobject(rest[1]!, obj.name);
    const extField = externalIdField(obj, rest[1]!);
    const value = rest[2]!;
    if (m === 'GET') {
      const matches = matchByExternalId(state, obj, extField, value);
      if (matches.length === 0) throw notFound();
      if (matches.length > 1)
        return { status: 300, body: matches.map((r) => recordUrl(req.version, obj.name, String(r.Id))) };
      return {
        status: 200,
        body: serializeRecord(obj, matches[0]!, req.version, fieldList(obj, req.query.get('fields'))),
      };
    }
    if (m === 'PATCH') {
      const out = upsert(ctx, obj, extField, value, req.body, req.version);
      if ('status' in out) return out;
      const legacy = Number(req.version) < 46;
      if (out.created) {
        return {
          status: 201,
          body: { id: out.rec.Id, success: true, errors: [], ...(legacy ? {} : { created: true }) },
          headers: { Location: recordUrl(req.version, obj.name, String(out.rec.Id)) },
        };
      }
      return legacy
        ? { status: 204 }
        : { status: 200, body: { id: out.rec.Id, success: true, errors: [], created: false } };
    }
    throw methodNotAllowed(m, 'GET,PATCH,DELETE,HEAD');
  }
  throw notFound();
}
