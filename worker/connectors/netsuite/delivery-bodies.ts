import type { ErpExpenseLine, ErpInvoiceInput, ErpTimeLine } from '../ports';
import { moneyNumber } from './decimal-json';

/** NetSuite durations are "H:MM"; minutes stay exact (no decimal hours). */
export function durationOf(minutes: number): string {
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * Approved PSA time → `timeBill` (Track Time) on the project. The contract rate is billed as a custom
 * price level (-1) so NetSuite bills exactly that rate, and the entry arrives approved: it was
 * approved in the PSA, which is where approval happens.
 */
export function timeBillBody(
  line: ErpTimeLine,
  ids: { employeeId: string; itemId: string },
): Record<string, unknown> {
  return {
    employee: { id: ids.employeeId },
    customer: { id: line.projectId },
    tranDate: line.date,
    hours: durationOf(line.minutes),
    isBillable: line.billable,
    item: { id: ids.itemId },
    price: { id: '-1' },
    rate: moneyNumber(line.rate),
    memo: clip(line.memo, 999),
    approvalStatus: { id: '2' },
  };
}

/** One approved PSA expense → an approved `expenseReport` with one `expense` line charged to the project. */
export function expenseReportBody(
  line: ErpExpenseLine,
  ids: { employeeId: string; categoryId: string; currencyId: string },
): Record<string, unknown> {
  return {
    employee: { id: ids.employeeId },
    tranDate: line.date,
    memo: clip(line.memo, 999),
    supervisorApproval: true,
    accountingApproval: true,
    expense: {
      items: [
        {
          expenseDate: line.date,
          category: { id: ids.categoryId },
          amount: moneyNumber(line.amount),
          currency: { id: ids.currencyId },
          isBillable: line.billable,
          customer: { id: line.projectId },
          memo: clip(line.memo, 999),
        },
      ],
    },
  };
}

/** The invoice is raised on the project (Customer:Project), so it lists under the project in NetSuite. */
export function invoiceBody(
  input: ErpInvoiceInput,
  ids: { currencyId: string; itemId: string },
): Record<string, unknown> {
  return {
    entity: { id: input.projectId },
    tranDate: input.date,
    currency: { id: ids.currencyId },
    memo: clip(input.memo, 999),
    item: {
      items: input.lines.map((l) => ({
        item: { id: ids.itemId },
        description: clip([l.description, l.clause, l.evidence].filter(Boolean).join(' · '), 4000),
        quantity: 1,
        rate: moneyNumber(l.amount),
        amount: moneyNumber(l.amount),
      })),
    },
  };
}
