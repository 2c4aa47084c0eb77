import type { EmulatorApp } from '../kit/emulator';
import { instanceBase } from './oauth';
import { optionsOf } from './options';
import { createRecord } from './record-store';
import type { NetSuiteState, StoredRecord } from './state';
import { billingCustomerOf, INVOICE_STATUSES } from './transaction-rules';

/**
 * The two things a sandbox user does on an invoice page: record a customer payment (created exactly
 * as `POST /record/v1/customerPayment` would, so it runs the same checks and effects) and email the
 * invoice (a `message` on the invoice's Communication subtab; "To Be E-mailed" is cleared).
 */
const PAYMENT_PATH = '/app/accounting/transactions/custpymt.nl';
const INVOICE_PATH = '/app/accounting/transactions/custinvc.nl';
const idOf = (v: unknown) => (v as { id?: string } | undefined)?.id;
const esc = (v: unknown) => String(v ?? '').replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);

function recipient(state: NetSuiteState, invoice: StoredRecord): string {
  const customer = state.records.customer[billingCustomerOf(state, idOf(invoice.fields.entity)) ?? ''];
  return String(invoice.fields.email ?? customer?.fields.email ?? '');
}

export function invoiceActions(state: NetSuiteState, invoice: StoredRecord, base: string): string {
  const f = invoice.fields;
  const status = INVOICE_STATUSES[idOf(f.status) as keyof typeof INVOICE_STATUSES] ?? idOf(f.status);
  const emailed = Object.values(state.messages).filter((m) => m.transaction === invoice.id);
  const due = Number(f.amountRemaining ?? 0);
  return `<p class="meta">Status <strong>${esc(status)}</strong> · Total ${esc(f.total)} · Paid ${esc(f.amountPaid)} · Due ${esc(due)} · ${emailed.length ? `Emailed ${esc(emailed.at(-1)!.messageDate)} to ${esc(emailed.at(-1)!.recipientEmail)}` : 'Not emailed yet'}</p>
<form method="post" action="${base}${PAYMENT_PATH}" style="display:inline-block;margin-right:1rem">
<input type="hidden" name="inv" value="${esc(invoice.id)}"><label>Amount <input name="amount" value="${esc(due)}" size="10"></label>
<button type="submit"${due > 0 ? '' : ' disabled'}>Record payment</button></form>
<form method="post" action="${base}${INVOICE_PATH}?id=${esc(invoice.id)}" style="display:inline-block">
<input type="hidden" name="action" value="email"><label>To <input name="to" value="${esc(recipient(state, invoice))}"></label>
<button type="submit">Email invoice</button></form>`;
}

export function registerInvoiceActions(app: EmulatorApp<NetSuiteState>): void {
  app.post(PAYMENT_PATH, async (c) => {
    const instance = c.get('instance');
    const form = new URLSearchParams(await c.req.text());
    const invoice = instance.state.records.invoice[form.get('inv') ?? ''];
    if (!invoice) return c.html('<p>No such invoice.</p>', 404);
    const amount = Number(form.get('amount'));
    const result = createRecord(
      { instance, options: optionsOf(instance), base: instanceBase(c) },
      'customerPayment',
      {
        customer: { id: billingCustomerOf(instance.state, idOf(invoice.fields.entity)) },
        payment: amount,
        currency: invoice.fields.currency,
        memo: `Payment of ${String(invoice.fields.tranId)} recorded in the NetSuite UI`,
        apply: { items: [{ doc: { id: invoice.id }, apply: true, amount }] },
      },
    );
    if (!result.ok) return c.html(`<p>NetSuite refused the payment: ${esc(result.problem.detail)}</p>`, 400);
    return c.redirect(`/i/${instance.id}${INVOICE_PATH}?id=${invoice.id}`, 303);
  });

  app.post(INVOICE_PATH, async (c) => {
    const instance = c.get('instance');
    const { state } = instance;
    const invoice = state.records.invoice[c.req.query('id') ?? ''];
    if (!invoice) return c.html('<p>No such invoice.</p>', 404);
    const form = new URLSearchParams(await c.req.text());
    if (form.get('action') !== 'email') return c.html('<p>Unknown action.</p>', 400);
    const to = form.get('to') || recipient(state, invoice);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(to)) return c.html('<p>Enter a valid recipient email.</p>', 400);
    const id = String(++state.sequences.message);
    state.messages[id] = {
      id,
      transaction: invoice.id,
      subject: `Invoice ${String(invoice.fields.tranId)}`,
      recipientEmail: to,
      messageDate: new Date().toISOString().slice(0, 10),
    };
    invoice.fields.toBeEmailed = false;
    instance.effect('invoice.email');
    return c.redirect(`/i/${instance.id}${INVOICE_PATH}?id=${invoice.id}`, 303);
  });
}
