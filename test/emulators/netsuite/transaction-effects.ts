import type { Instance } from '../kit/emulator';
import type { NetSuiteState, RecordType, StoredRecord } from './state';
import { entityCurrency, round2 } from './transaction-rules';

/**
 * What NetSuite fills in and recomputes on the delivery-to-billing records: defaults before the
 * checks (date = today, the customer's currency), and at commit the fields it owns: the invoice's
 * auto-numbered tranId, totals, amount paid and status, and a payment's effect on the invoices it
 * applies to. Clients never set those.
 */
const idOf = (v: unknown) => (v as { id?: string } | undefined)?.id;
const today = () => new Date().toISOString().slice(0, 10);
const sum = (lines: Record<string, unknown>[] | undefined) =>
  round2((lines ?? []).reduce((a, l) => a + (typeof l.amount === 'number' ? l.amount : 0), 0));

export function applyDefaults(state: NetSuiteState, type: RecordType, record: StoredRecord): void {
  const f = record.fields;
  if (type === 'timeBill' || type === 'expenseReport' || type === 'invoice' || type === 'customerPayment')
    f.tranDate ??= today();
  if (type === 'timeBill') f.approvalStatus ??= { id: '1' };
  if (type === 'invoice') {
    const currency = entityCurrency(state, idOf(f.entity));
    if (!f.currency && currency) f.currency = { id: currency };
    for (const line of record.sublists.item ?? []) {
      if (
        typeof line.amount !== 'number' &&
        typeof line.quantity === 'number' &&
        typeof line.rate === 'number'
      )
        line.amount = round2(line.quantity * line.rate);
    }
  }
  if (type === 'expenseReport') {
    const employee = state.employees[idOf(f.employee) ?? ''];
    const reportCurrency =
      idOf(f.expenseReportCurrency) ?? state.subsidiaries[employee?.subsidiary ?? '']?.currency;
    if (reportCurrency) f.expenseReportCurrency ??= { id: reportCurrency };
    for (const line of record.sublists.expense ?? []) {
      if (reportCurrency) line.currency ??= { id: reportCurrency };
      line.expenseDate ??= f.tranDate;
    }
  }
}

/** Recompute an invoice's amounts and status from its lines and what has been paid on it. */
export function settleInvoice(invoice: StoredRecord): void {
  const f = invoice.fields;
  const total = sum(invoice.sublists.item);
  const paid = round2(Number(f.amountPaid ?? 0));
  f.total = total;
  f.amountPaid = paid;
  f.amountRemaining = round2(Math.max(total - paid, 0));
  if (idOf(f.status) === 'V') return;
  f.status = { id: total > 0 && paid >= total ? 'B' : 'A' };
}

function applyPayment(state: NetSuiteState, payment: StoredRecord | undefined, sign: 1 | -1, now: string) {
  for (const line of payment?.sublists.apply ?? []) {
    if (line.apply === false) continue;
    const invoice = state.records.invoice[idOf(line.doc) ?? ''];
    if (!invoice) continue;
    invoice.fields.amountPaid = round2(
      Number(invoice.fields.amountPaid ?? 0) + sign * Number(line.amount ?? 0),
    );
    invoice.lastModifiedDate = now;
    settleInvoice(invoice);
  }
}

/** Runs once the record passed every check and has its id; `existing` is the record before this save. */
export function commitTransaction(
  instance: Instance<NetSuiteState>,
  type: RecordType,
  record: StoredRecord,
  existing: StoredRecord | undefined,
): void {
  const state = instance.state;
  const f = record.fields;
  if (type === 'invoice') {
    if (!existing) f.tranId = `INV${++state.sequences.invoiceNumber}`;
    f.amountPaid ??= 0;
    settleInvoice(record);
  }
  if (type === 'expenseReport') {
    if (!existing) f.tranId = `EXP${record.id}`;
    f.total = sum(record.sublists.expense);
  }
  if (type === 'customerPayment') {
    if (!existing) f.tranId = `PYMT${record.id}`;
    const now = record.lastModifiedDate;
    applyPayment(state, existing, -1, now);
    for (const line of record.sublists.apply ?? []) {
      if (line.apply === false || typeof line.amount === 'number') continue;
      const invoice = state.records.invoice[idOf(line.doc) ?? ''];
      line.amount = Number(invoice?.fields.amountRemaining ?? 0);
    }
    applyPayment(state, record, 1, now);
    f.applied = sum((record.sublists.apply ?? []).filter((l) => l.apply !== false));
    f.unapplied = round2(Number(f.payment) - Number(f.applied));
  }
}
