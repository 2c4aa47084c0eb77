import { z } from 'zod';
import { type CurrencyCode, CurrencyCodeSchema } from '../../../shared/model/currency';
import type { ErpInvoice, InvoiceStatus } from '../../../shared/model/delivery';
import { fromDecimal } from '../../../shared/model/money';
import { ConnectorError } from '../errors';
import { type SuiteQl, sqlId } from './suiteql';
import { SYSTEM } from './vendor-error';

/**
 * Invoices read back with SuiteQL on `transaction` (type CustInvc). Dates are TO_CHAR'd because
 * SuiteQL otherwise formats them in the account's date preference.
 */
export const INVOICE_COLUMNS =
  "id, tranid, TO_CHAR(trandate, 'YYYY-MM-DD') AS trandate, status, currency, foreigntotal, foreignamountpaid, foreignamountunpaid";

const text = z.union([z.string(), z.number()]).transform(String);
const InvoiceRowSchema = z.object({
  id: text,
  tranid: text,
  trandate: z.string(),
  status: z.string(),
  currency: text,
  foreigntotal: text.nullish(),
  foreignamountpaid: text.nullish(),
  foreignamountunpaid: text.nullish(),
});
type InvoiceRow = z.infer<typeof InvoiceRowSchema>;

/**
 * NetSuite invoice statuses (SuiteQL gives the letter, the UI and BUILTIN.DF the name). "Sent" is
 * not a status in NetSuite: an open invoice that was emailed (a message on it) is `sent`.
 */
const STATUS: Record<string, InvoiceStatus> = {
  a: 'posted',
  open: 'posted',
  b: 'paid',
  'paid in full': 'paid',
  e: 'created',
  'pending approval': 'created',
  v: 'voided',
  voided: 'voided',
  d: 'voided',
  rejected: 'voided',
};

export function invoiceStatus(raw: string, emailed: boolean): InvoiceStatus {
  const key = raw
    .replace(/^.*:\s*/, '')
    .trim()
    .toLowerCase();
  const status = STATUS[key];
  if (!status)
    throw new ConnectorError({
      system: SYSTEM,
      message: `NetSuite invoice status "${raw}" is not one Handoff knows`,
      retryable: false,
      code: 'NETSUITE_UNKNOWN_INVOICE_STATUS',
    });
  return status === 'posted' && emailed ? 'sent' : status;
}

const amount = (value: string | null | undefined, currency: CurrencyCode) =>
  fromDecimal(value === undefined || value === null || value === '' ? '0' : value, currency);

export function toErpInvoice(
  row: InvoiceRow,
  currency: CurrencyCode,
  emailed: boolean,
  url: string,
): ErpInvoice {
  const total = amount(row.foreigntotal, currency);
  const paid =
    row.foreignamountpaid !== undefined && row.foreignamountpaid !== null && row.foreignamountpaid !== ''
      ? amount(row.foreignamountpaid, currency)
      : { currency, amountMinor: total.amountMinor - amount(row.foreignamountunpaid, currency).amountMinor };
  return {
    id: row.id,
    number: row.tranid,
    status: invoiceStatus(row.status, emailed),
    total,
    amountPaid: paid,
    date: row.trandate,
    url,
  };
}

/** Reads invoices and what is needed to show them: their currency codes and whether they were emailed. */
export function createInvoiceReader(query: SuiteQl, recordUrl: (id: string) => string) {
  let currencyCodes: Promise<Map<string, string>> | undefined;

  function codes(): Promise<Map<string, string>> {
    if (!currencyCodes) {
      const loading = query('SELECT id, symbol FROM currency', 'currency lookup').then(
        (rows) => new Map(rows.map((r) => [String(r.id), String(r.symbol).toUpperCase()])),
      );
      currencyCodes = loading;
      loading.catch(() => {
        if (currencyCodes === loading) currencyCodes = undefined;
      });
    }
    return currencyCodes;
  }

  async function emailedIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await query(
      `SELECT transaction FROM message WHERE transaction IN (${ids.map(sqlId).join(', ')})`,
      'invoice email lookup',
    );
    return new Set(rows.map((r) => String(r.transaction)));
  }

  async function toInvoices(raw: Record<string, unknown>[]): Promise<ErpInvoice[]> {
    const rows = raw.map((r) => InvoiceRowSchema.parse(r));
    const open = rows.filter((r) => invoiceStatus(r.status, false) === 'posted').map((r) => r.id);
    const [byId, emailed] = await Promise.all([codes(), emailedIds(open)]);
    return rows.map((row) => {
      const code = CurrencyCodeSchema.safeParse(byId.get(row.currency));
      if (!code.success)
        throw new ConnectorError({
          system: SYSTEM,
          message: `Invoice ${row.tranid} is in NetSuite currency ${row.currency}, which Handoff cannot map to an ISO code`,
          retryable: false,
          code: 'NETSUITE_UNKNOWN_CURRENCY',
        });
      return toErpInvoice(row, code.data, emailed.has(row.id), recordUrl(row.id));
    });
  }

  return {
    async byId(id: string): Promise<ErpInvoice | undefined> {
      const rows = await query(
        `SELECT ${INVOICE_COLUMNS} FROM transaction WHERE id = ${sqlId(id)}`,
        'invoice read',
      );
      return (await toInvoices(rows))[0];
    },
    async ofProject(projectId: string): Promise<ErpInvoice[]> {
      const rows = await query(
        `SELECT ${INVOICE_COLUMNS} FROM transaction WHERE type = 'CustInvc' AND entity = ${sqlId(projectId)} ORDER BY id`,
        'project invoices',
      );
      return toInvoices(rows);
    },
  };
}
