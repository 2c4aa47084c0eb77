// Sandbox stand-in: tells the stand-in record page to re-read the record (LDS would refetch it).
export const RECORD_UPDATED_EVENT = 'handoff-sandbox:record-updated';

export function notifyRecordUpdateAvailable(recordIds) {
  window.dispatchEvent(new CustomEvent(RECORD_UPDATED_EVENT, { detail: { recordIds } }));
  return Promise.resolve();
}
