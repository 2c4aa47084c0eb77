import type { Expense, TimeEntry } from '../../../shared/model/delivery';
import { formatMoney } from '../../../shared/model/money';

/** A time entry or expense in words, for people: who, how much, when (never the PSA's ids). */
export function describeItem(kind: 'time' | 'expense', entry: unknown): string {
  if (kind === 'time') {
    const e = entry as TimeEntry;
    return `${e.personName}, ${e.minutes / 60} h on ${e.date} as ${e.role}`;
  }
  const e = entry as Expense;
  return `${e.personName}, ${e.category} expense of ${formatMoney(e.amount)} on ${e.date}`;
}
