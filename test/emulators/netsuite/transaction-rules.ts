import { type Problem, userError } from './record-rules';
import type { NetSuiteState, RecordType, StoredRecord } from './state';

/**
 * Mandatory fields and cross-record rules of the delivery-to-billing records (time bill, expense
 * report, invoice, customer payment), with the messages NetSuite shows ("Please enter value(s) for:
 * ...", "You must enter at least one line item for this transaction.").
 */
type Missing = (label: string) => Problem;

export const INVOICE_STATUSES = { A: 'Open', B: 'Paid In Full', E: 'Pending Approval', V: 'Voided' };

const idOf = (v: unknown) => (v as { id?: string } | undefined)?.id;
export const round2 = (n: number) => Math.round(n * 100) / 100;
const NO_LINES = 'You must enter at least one line item for this transaction.';

/** The customer an entity bills to: itself, or the parent of a project. */
export function billingCustomerOf(state: NetSuiteState, entityId: string | undefined): string | undefined {
  if (!entityId) return undefined;
  if (state.records.customer[entityId]) return entityId;
  return idOf(state.records.job[entityId]?.fields.parent);
}

export function entityCurrency(state: NetSuiteState, entityId: string | undefined): string | undefined {
  if (!entityId) return undefined;
  const entity = state.records.customer[entityId] ?? state.records.job[entityId];
  return (
    idOf(entity?.fields.currency) ??
    idOf(state.records.customer[billingCustomerOf(state, entityId) ?? '']?.fields.currency)
  );
}

/** Payments of other invoices and of this payment before this save: what is still open on `invoiceId`. */
function openAmount(state: NetSuiteState, invoiceId: string, paymentId: string): number {
  const invoice = state.records.invoice[invoiceId]!;
  const previous = paymentId ? state.records.customerPayment[paymentId] : undefined;
  const already = (previous?.sublists.apply ?? [])
    .filter((l) => idOf(l.doc) === invoiceId && l.apply !== false)
    .reduce((a, l) => a + Number(l.amount ?? 0), 0);
  return round2(Number(invoice.fields.amountRemaining ?? 0) + already);
}

export function checkTransaction(
  state: NetSuiteState,
  type: RecordType,
  record: StoredRecord,
  missing: Missing,
): Problem | undefined {
  const f = record.fields;
  if (type === 'timeBill') {
    if (!f.employee) return missing('Employee');
    if (!f.tranDate) return missing('Date');
    if (!f.hours || f.hours === '0:00') return missing('Duration');
    if (f.isBillable === true && !f.customer) return missing('Customer:Project');
    if (f.isBillable === true && !f.item) return missing('Service Item');
    if (typeof f.rate === 'number' && f.rate < 0) return userError('The rate cannot be negative.', 'rate');
  }
  if (type === 'expenseReport') {
    if (!f.employee) return missing('Employee');
    const lines = record.sublists.expense ?? [];
    if (lines.length === 0) return userError(NO_LINES, 'expense');
    for (const [i, l] of lines.entries()) {
      if (!l.category) return missing('Category');
      if (typeof l.amount !== 'number') return missing('Amount');
      if (l.amount <= 0)
        return userError('The amount of an expense must be greater than zero.', `expense.items[${i}].amount`);
      if (l.isBillable === true && !l.customer) return missing('Customer:Project');
    }
  }
  if (type === 'invoice') {
    if (!f.entity) return missing('Customer');
    const lines = record.sublists.item ?? [];
    if (lines.length === 0) return userError(NO_LINES, 'item');
    for (const [i, l] of lines.entries()) {
      if (!l.item) return missing('Item');
      if (typeof l.amount !== 'number') return missing('Amount');
      if (l.amount < 0)
        return userError('An invoice line amount cannot be negative.', `item.items[${i}].amount`);
    }
    const expected = entityCurrency(state, idOf(f.entity));
    if (expected && idOf(f.currency) && idOf(f.currency) !== expected) {
      return userError(
        `The currency ${state.currencies[idOf(f.currency)!]?.symbol ?? idOf(f.currency)} is not a currency of this customer.`,
        'currency',
      );
    }
  }
  if (type === 'customerPayment') {
    if (!f.customer) return missing('Customer');
    if (typeof f.payment !== 'number' || f.payment <= 0) return missing('Payment Amount');
    let applied = 0;
    for (const [i, l] of (record.sublists.apply ?? []).entries()) {
      if (l.apply === false) continue;
      const invoiceId = idOf(l.doc);
      if (!invoiceId) return missing('Invoice');
      const path = `apply.items[${i}]`;
      if (
        billingCustomerOf(state, idOf(state.records.invoice[invoiceId]?.fields.entity)) !==
        billingCustomerOf(state, idOf(f.customer))
      )
        return userError('You can only apply a payment to invoices of the same customer.', `${path}.doc`);
      const amount = typeof l.amount === 'number' ? l.amount : openAmount(state, invoiceId, record.id);
      if (amount <= 0)
        return userError('The payment amount to apply must be greater than zero.', `${path}.amount`);
      if (amount > openAmount(state, invoiceId, record.id) + 0.004)
        return userError('The amount applied cannot exceed the amount due on the invoice.', `${path}.amount`);
      applied += amount;
    }
    if (applied > f.payment + 0.004)
      return userError('The total amount applied cannot exceed the payment amount.', 'payment');
  }
  return undefined;
}
