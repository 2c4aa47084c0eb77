import type { NetSuiteState, RecordType, StoredRecord } from './state';

/**
 * External id → internal id per record type, so upserts and `eid:` lookups stay O(1) with tens of
 * thousands of time bills. Kept beside the state rather than in it (a snapshot restore replaces the
 * records object, and the index is rebuilt from it on first use).
 */
const indexes = new WeakMap<Record<string, StoredRecord>, Map<string, string>>();

function indexOf(records: Record<string, StoredRecord>): Map<string, string> {
  let index = indexes.get(records);
  if (!index) {
    index = new Map();
    for (const r of Object.values(records)) if (r.externalId !== undefined) index.set(r.externalId, r.id);
    indexes.set(records, index);
  }
  return index;
}

export function byExternalId(
  state: NetSuiteState,
  type: RecordType,
  externalId: string,
): StoredRecord | undefined {
  const records = state.records[type];
  const id = indexOf(records).get(externalId);
  return id === undefined ? undefined : records[id];
}

/** Call after a record is stored under its id (and before, with the old record, when it changes). */
export function indexRecord(
  state: NetSuiteState,
  type: RecordType,
  record: StoredRecord,
  previous?: StoredRecord,
) {
  const index = indexOf(state.records[type]);
  if (previous?.externalId !== undefined && previous.externalId !== record.externalId)
    index.delete(previous.externalId);
  if (record.externalId !== undefined) index.set(record.externalId, record.id);
}

export function unindexRecord(state: NetSuiteState, type: RecordType, record: StoredRecord) {
  if (record.externalId !== undefined) indexOf(state.records[type]).delete(record.externalId);
}
