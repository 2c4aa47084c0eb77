import { jsonParserError, noSuchColumnOnSobject, SfApiError } from './errors';
import { makeId, to18 } from './ids';
import { type FieldDef, findField, findObject, type ObjectDef, objectByPrefix } from './schema';
import type { SalesforceState, SfRecord, SfValue } from './state';

/** Where a committed write is counted (the instance's effect counter, or a Composite transaction's buffer). */
export type EffectSink = (name: string) => void;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Salesforce's DateTime wire format: UTC with milliseconds and a `+0000` offset. */
export function sfDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+0000`;
}

function isValidDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v);
}

function cannotDeserialize(type: string, value: unknown): SfApiError {
  const kind =
    typeof value === 'string'
      ? 'VALUE_STRING'
      : typeof value === 'number'
        ? 'VALUE_NUMBER_INT'
        : typeof value === 'boolean'
          ? 'VALUE_TRUE'
          : 'START_OBJECT';
  return jsonParserError(
    `Cannot deserialize instance of ${type} from ${kind} value ${JSON.stringify(value)} or request may be missing a required field`,
  );
}

/** Check one incoming value against its field and return it in stored form. */
function coerce(state: SalesforceState, obj: ObjectDef, field: FieldDef, value: unknown): SfValue {
  if (value === null) return null;
  const label = field.label;
  switch (field.type) {
    case 'string':
    case 'textarea':
    case 'url':
    case 'email': {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
        throw cannotDeserialize('string', value);
      const s = String(value);
      if (s === '') return null;
      if (field.length !== undefined && s.length > field.length) {
        throw new SfApiError(
          400,
          'STRING_TOO_LONG',
          `${label}: data value too large: ${s.slice(0, 50)} (max length=${field.length})`,
          [field.name],
        );
      }
      if (field.type === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s)) {
        throw new SfApiError(400, 'INVALID_EMAIL_ADDRESS', `${label}: invalid email address: ${s}`, [
          field.name,
        ]);
      }
      return s;
    }
    case 'picklist': {
      if (typeof value !== 'string') throw cannotDeserialize('picklist', value);
      if (value === '') return null;
      if (!field.picklist?.includes(value)) {
        throw new SfApiError(
          400,
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          `${label}: bad value for restricted picklist field: ${value}`,
          [field.name],
        );
      }
      return value;
    }
    case 'currency':
    case 'double':
    case 'percent': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value)
            : Number.NaN;
      if (!Number.isFinite(n))
        throw cannotDeserialize(field.type === 'currency' ? 'currency' : 'double', value);
      return n;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw cannotDeserialize('boolean', value);
    }
    case 'date': {
      if (typeof value !== 'string' || !isValidDate(value.slice(0, 10)))
        throw cannotDeserialize('date', value);
      return value.slice(0, 10);
    }
    case 'datetime': {
      const ms =
        typeof value === 'string' ? Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : Number.NaN;
      if (Number.isNaN(ms)) throw cannotDeserialize('datetime', value);
      return sfDateTime(ms);
    }
    case 'reference': {
      const id = typeof value === 'string' ? to18(value) : undefined;
      const target = field.referenceTo ? findObject(field.referenceTo) : undefined;
      if (!id || !target || objectByPrefix(id)?.name !== target.name) {
        throw new SfApiError(400, 'MALFORMED_ID', `${label}: id value of incorrect type: ${String(value)}`, [
          field.name,
        ]);
      }
      if (!state.records[target.name]?.[id]) {
        throw new SfApiError(400, 'INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [field.name]);
      }
      return id;
    }
    case 'id':
      throw new SfApiError(
        400,
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${field.name}.`,
        [field.name],
      );
  }
  throw cannotDeserialize(obj.name, value);
}

/**
 * Validate a request body against the object: unknown fields, read-only fields and bad values are
 * refused the way the API refuses them. `attributes` (and, for collections, `id`) are envelope keys.
 */
export function parseWrite(
  state: SalesforceState,
  obj: ObjectDef,
  body: unknown,
  envelopeKeys: string[] = ['attributes'],
): SfRecord {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw jsonParserError(
      `Cannot deserialize instance of ${obj.name} from ${Array.isArray(body) ? 'START_ARRAY' : 'VALUE_STRING'} value`,
    );
  }
  const out: SfRecord = {};
  const readOnly: string[] = [];
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (envelopeKeys.includes(key)) continue;
    const field = findField(obj, key);
    if (!field) throw noSuchColumnOnSobject(key, obj.name);
    if (field.readOnly) {
      readOnly.push(field.name);
      continue;
    }
    out[field.name] = coerce(state, obj, field, value);
  }
  if (readOnly.length > 0) {
    throw new SfApiError(
      400,
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      readOnly,
    );
  }
  return out;
}

function addMonthsMinusDay(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** Formula-like and system-maintained fields Salesforce computes on save. */
function derive(obj: ObjectDef, rec: SfRecord, before: SfRecord | undefined, now: number): void {
  if (obj.name === 'User') rec.Name = [rec.FirstName, rec.LastName].filter(Boolean).join(' ');
  if (obj.name === 'Opportunity') {
    rec.IsClosed = rec.StageName === 'Closed Won' || rec.StageName === 'Closed Lost';
    rec.IsWon = rec.StageName === 'Closed Won';
  }
  if (obj.name === 'Contract') {
    if (typeof rec.StartDate === 'string' && typeof rec.ContractTerm === 'number')
      rec.EndDate = addMonthsMinusDay(rec.StartDate, rec.ContractTerm);
    if (rec.Status === 'Activated' && before?.Status !== 'Activated') rec.ActivatedDate = sfDateTime(now);
  }
}

function checkRequired(obj: ObjectDef, rec: SfRecord): void {
  const missing = obj.fields
    .filter((f) => f.required && !f.readOnly && (rec[f.name] === undefined || rec[f.name] === null))
    .map((f) => f.name);
  if (missing.length > 0)
    throw new SfApiError(
      400,
      'REQUIRED_FIELD_MISSING',
      `Required fields are missing: [${missing.join(', ')}]`,
      missing,
    );
}

function checkUnique(state: SalesforceState, obj: ObjectDef, rec: SfRecord): void {
  for (const f of obj.fields.filter((x) => x.unique)) {
    const v = rec[f.name];
    if (v === undefined || v === null) continue;
    const clash = Object.values(state.records[obj.name] ?? {}).find(
      (other) =>
        other.Id !== rec.Id &&
        typeof other[f.name] === 'string' &&
        String(other[f.name]).toLowerCase() === String(v).toLowerCase(),
    );
    if (clash) {
      throw new SfApiError(
        400,
        'DUPLICATE_VALUE',
        `duplicate value found: ${f.name} duplicates value on record with id: ${clash.Id}`,
        [f.name],
      );
    }
  }
}

export function createRecord(
  state: SalesforceState,
  obj: ObjectDef,
  values: SfRecord,
  effect: EffectSink,
  now = Date.now(),
): SfRecord {
  const n = (state.counters[obj.keyPrefix] ?? 0) + 1;
  const id = makeId(obj.keyPrefix, n);
  const stamp = sfDateTime(now);
  const rec: SfRecord = { Id: id, IsDeleted: false };
  if (findField(obj, 'OwnerId')) rec.OwnerId = state.integrationUserId;
  if (findField(obj, 'CurrencyIsoCode')) rec.CurrencyIsoCode = state.defaultCurrency;
  if (obj.name === 'Contract') rec.Status = 'Draft';
  if (obj.name === 'User') rec.IsActive = true;
  Object.assign(rec, values, {
    CreatedDate: stamp,
    CreatedById: state.integrationUserId,
    LastModifiedDate: stamp,
    LastModifiedById: state.integrationUserId,
    SystemModstamp: stamp,
  });
  checkRequired(obj, rec);
  checkUnique(state, obj, rec);
  if (obj.name === 'Contract') {
    const next = (state.counters.ContractNumber ?? 0) + 1;
    rec.ContractNumber = String(next).padStart(8, '0');
    state.counters.ContractNumber = next;
  }
  derive(obj, rec, undefined, now);
  state.counters[obj.keyPrefix] = n;
  state.records[obj.name]![id] = rec;
  effect(`${obj.name}.create`);
  return rec;
}

export function updateRecord(
  state: SalesforceState,
  obj: ObjectDef,
  id: string,
  values: SfRecord,
  effect: EffectSink,
  now = Date.now(),
): SfRecord {
  const before = state.records[obj.name]?.[id];
  if (!before) throw new SfApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
  const stamp = sfDateTime(now);
  const rec: SfRecord = {
    ...before,
    ...values,
    LastModifiedDate: stamp,
    LastModifiedById: state.integrationUserId,
    SystemModstamp: stamp,
  };
  checkRequired(obj, rec);
  checkUnique(state, obj, rec);
  derive(obj, rec, before, now);
  state.records[obj.name]![id] = rec;
  effect(`${obj.name}.update`);
  return rec;
}

/** Resolve a record id for an object, answering as the API does for ids of another type or unknown ids. */
export function requireRecord(state: SalesforceState, obj: ObjectDef, rawId: string): SfRecord {
  const id = to18(rawId);
  if (!id)
    throw new SfApiError(
      404,
      'NOT_FOUND',
      `Provided external ID field does not exist or is not accessible: ${rawId}`,
    );
  if (objectByPrefix(id)?.name !== obj.name) {
    throw new SfApiError(400, 'MALFORMED_ID', `${obj.label} ID: id value of incorrect type: ${rawId}`, [
      'Id',
    ]);
  }
  const rec = state.records[obj.name]?.[id];
  if (!rec) throw new SfApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
  return rec;
}

export function recordUrl(version: string, objectName: string, id: string): string {
  return `/services/data/v${version}/sobjects/${objectName}/${id}`;
}

/** A record as the sObject Rows resource returns it: attributes first, then every (or the asked) field. */
export function serializeRecord(
  obj: ObjectDef,
  rec: SfRecord,
  version: string,
  fields?: FieldDef[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: { type: obj.name, url: recordUrl(version, obj.name, String(rec.Id)) },
  };
  for (const f of fields ?? obj.fields) out[f.name] = rec[f.name] ?? null;
  return out;
}

/** Seed data goes in as the org already holds it: no validation, no effect counted, derived fields set. */
export function insertSeedRecord(
  state: SalesforceState,
  objectName: string,
  n: number,
  values: SfRecord,
  at = '2026-01-05T09:00:00.000+0000',
): SfRecord {
  const obj = findObject(objectName);
  if (!obj) throw new Error(`Unknown object ${objectName}`);
  const id = makeId(obj.keyPrefix, n);
  const rec: SfRecord = { Id: id, IsDeleted: false };
  if (findField(obj, 'OwnerId')) rec.OwnerId = state.integrationUserId;
  if (findField(obj, 'CurrencyIsoCode')) rec.CurrencyIsoCode = state.defaultCurrency;
  Object.assign(
    rec,
    {
      CreatedDate: at,
      CreatedById: state.integrationUserId,
      LastModifiedDate: at,
      LastModifiedById: state.integrationUserId,
      SystemModstamp: at,
    },
    values,
  );
  derive(obj, rec, rec, Date.parse(at.replace('+0000', 'Z')));
  state.records[obj.name]![id] = rec;
  state.counters[obj.keyPrefix] = Math.max(state.counters[obj.keyPrefix] ?? 0, n);
  return rec;
}
