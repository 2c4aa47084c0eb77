import type { Instance } from '../kit/emulator';
import { byExternalId, indexRecord, unindexRecord } from './external-id-index';
import type { NetSuiteEmulatorOptions } from './options';
import { checkRecord, normaliseBody, type Problem, resolveRef, SPECS, userError } from './record-rules';
import { type NetSuiteState, nextRecordId, RECORD_TYPES, type RecordType, type StoredRecord } from './state';
import { applyDefaults, commitTransaction } from './transaction-effects';
import { NONEXISTENT_DETAIL } from './vendor-errors';

/** What a write answers: 204 + Location on success (NetSuite sends no body), or a problem. */
export type WriteResult = { ok: true; status: 204; location: string } | { ok: false; problem: Problem };

export interface StoreContext {
  instance: Instance<NetSuiteState>;
  options: NetSuiteEmulatorOptions;
  /** Instance base URL, the stand-in for https://{account}.suitetalk.api.netsuite.com */
  base: string;
}

export const recordHref = (base: string, type: string, id: string) =>
  `${base}/services/rest/record/v1/${type}/${id}`;

export const notFound = (): Problem => ({ status: 404, code: 'NONEXISTENT_ID', detail: NONEXISTENT_DETAIL });

/** `123` or `eid:abc` as it appears in the URL. */
export function findRecord(state: NetSuiteState, type: RecordType, ref: string): StoredRecord | undefined {
  if (ref.startsWith('eid:')) return byExternalId(state, type, ref.slice(4));
  return state.records[type][ref];
}

const EXTERNAL_ID = /^[A-Za-z0-9_-]{1,255}$/;

/** Apply a body to a copy of the record (or a new one), check it, and only then commit. */
function save(
  ctx: StoreContext,
  type: RecordType,
  existing: StoredRecord | undefined,
  body: Record<string, unknown>,
  opts: { externalId?: string; replace: Set<string> },
): WriteResult {
  const { state } = ctx.instance;
  const normalised = normaliseBody(state, ctx.options, type, body);
  if ('status' in normalised) return { ok: false, problem: normalised };
  const bodyExternalId = normalised.fields.externalId as string | undefined;
  delete normalised.fields.externalId;
  if (opts.externalId && bodyExternalId && bodyExternalId !== opts.externalId) {
    return {
      ok: false,
      problem: userError(
        'The external ID in the body does not match the external ID in the URL.',
        'externalId',
      ),
    };
  }
  const externalId = opts.externalId ?? bodyExternalId ?? existing?.externalId;
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    return { ok: false, problem: userError(`Invalid external ID ${externalId}.`, 'externalId') };
  }
  if (externalId !== undefined && externalId !== existing?.externalId) {
    if (byExternalId(state, type, externalId))
      return {
        ok: false,
        problem: userError('A record with this external ID already exists.', 'externalId'),
      };
  }

  const now = new Date().toISOString();
  const record: StoredRecord = existing
    ? structuredClone(existing)
    : { id: '', dateCreated: now, lastModifiedDate: now, fields: {}, sublists: {} };
  Object.assign(record.fields, normalised.fields);
  for (const name of normalised.cleared) delete record.fields[name];
  for (const [name, lines] of Object.entries(normalised.sublists)) {
    // Lines sent without a line key are added to the sublist unless `replace` names it.
    record.sublists[name] =
      opts.replace.has(name) || !existing ? lines : [...(record.sublists[name] ?? []), ...lines];
  }
  if (externalId !== undefined) record.externalId = externalId;
  if (type === 'job') inheritFromParent(state, record);
  applyDefaults(state, type, record);

  const problem = checkRecord(state, type, record);
  if (problem) return { ok: false, problem };

  record.lastModifiedDate = now;
  if (!existing) {
    record.id = nextRecordId(state, type);
    defaultEntityId(type, record);
  }
  commitTransaction(ctx.instance, type, record, existing);
  state.records[type][record.id] = record;
  indexRecord(state, type, record, existing);
  ctx.instance.effect(`${type}.${existing ? 'update' : 'create'}`);
  return { ok: true, status: 204, location: recordHref(ctx.base, type, record.id) };
}

/** A project takes its subsidiary (and, unless given, currency) from its customer. */
function inheritFromParent(state: NetSuiteState, record: StoredRecord): void {
  const parentId = resolveRef(state, 'customer', record.fields.parent);
  const parent = parentId ? state.records.customer[parentId] : undefined;
  if (!parent) return;
  record.fields.subsidiary = parent.fields.subsidiary;
  record.fields.currency ??= parent.fields.currency;
}

function defaultEntityId(type: RecordType, record: StoredRecord): void {
  if (record.fields.entityId) return;
  if (type === 'customer') record.fields.entityId = record.fields.companyName ?? `CUS${record.id}`;
  if (type === 'job') record.fields.entityId = `PRJ${record.id.padStart(5, '0')}`;
}

export function createRecord(
  ctx: StoreContext,
  type: RecordType,
  body: Record<string, unknown>,
): WriteResult {
  return save(ctx, type, undefined, body, { replace: new Set() });
}

/** `PUT .../{type}/eid:{externalId}`: update the record with that external id, or create it. */
export function upsertRecord(
  ctx: StoreContext,
  type: RecordType,
  ref: string,
  body: Record<string, unknown>,
  replace: Set<string>,
): WriteResult {
  if (!ref.startsWith('eid:')) {
    return {
      ok: false,
      problem: {
        status: 405,
        code: 'INVALID_REQUEST',
        detail: 'The upsert operation (PUT) needs an external ID in the URL: eid:{externalId}.',
      },
    };
  }
  const externalId = ref.slice(4);
  return save(ctx, type, findRecord(ctx.instance.state, type, ref), body, { externalId, replace });
}

export function updateRecord(
  ctx: StoreContext,
  type: RecordType,
  ref: string,
  body: Record<string, unknown>,
  replace: Set<string>,
): WriteResult {
  const existing = findRecord(ctx.instance.state, type, ref);
  if (!existing) return { ok: false, problem: notFound() };
  return save(ctx, type, existing, body, { replace });
}

export function deleteRecord(ctx: StoreContext, type: RecordType, ref: string): WriteResult {
  const existing = findRecord(ctx.instance.state, type, ref);
  if (!existing) return { ok: false, problem: notFound() };
  delete ctx.instance.state.records[type][existing.id];
  unindexRecord(ctx.instance.state, type, existing);
  ctx.instance.effect(`${type}.delete`);
  return { ok: true, status: 204, location: recordHref(ctx.base, type, existing.id) };
}

/** Record type names in REST paths are case-insensitive ("timebill", "timeBill"). */
const TYPE_NAMES = new Map(RECORD_TYPES.map((t) => [t.toLowerCase(), t]));
export function recordTypeOf(name: string): RecordType | undefined {
  const type = TYPE_NAMES.get(name.toLowerCase());
  return type && Object.hasOwn(SPECS, type) ? type : undefined;
}
