import { toDecimalString } from '../../../shared/model/money';
import type { CrmWriteBack } from '../ports';
import { WRITE_BACK_FIELDS } from './fields';

/** Handoff_Message__c is a 32,768-character long text area; a longer message would be refused with STRING_TOO_LONG. */
const MAX_MESSAGE = 32_000;

/**
 * The Opportunity fields for one write-back. Links and ids that the update does not carry are left
 * out (an earlier write-back may have set them); the message is always written so a stale error
 * message disappears when the status moves on.
 */
export function writeBackFields(update: CrmWriteBack, now: Date): Record<string, string | number | null> {
  const fields: Record<string, string | number | null> = {
    [WRITE_BACK_FIELDS.status]: update.status,
    [WRITE_BACK_FIELDS.activationId]: update.activationId,
    [WRITE_BACK_FIELDS.message]: update.message ? update.message.slice(0, MAX_MESSAGE) : null,
    [WRITE_BACK_FIELDS.lastSync]: now.toISOString(),
  };
  const optional = [
    'psaProjectUrl',
    'erpProjectUrl',
    'erpCustomerId',
    'erpProjectId',
    'psaProjectId',
    'lastInvoiceNumber',
    'lastInvoiceStatus',
  ] as const;
  for (const key of optional) {
    const value = update[key];
    if (value !== undefined) fields[WRITE_BACK_FIELDS[key]] = value;
  }
  // Currency fields take JSON numbers; the decimal string keeps the exact minor units.
  for (const key of ['billedAmount', 'paidAmount', 'unbilledAmount'] as const) {
    const value = update[key];
    if (value !== undefined) fields[WRITE_BACK_FIELDS[key]] = Number(toDecimalString(value));
  }
  return fields;
}
