import type { Contract, Rate } from '../../../shared/model/contract';
import { type Money, money } from '../../../shared/model/money';
import { rateFor, timeAmount } from '../billing/rules';

/** A time entry already posted to the ERP, with the rate it was priced at. */
export interface PostedTimeEntry {
  /** The entry's id or posting key, so the caller can list which entries to correct. */
  id: string;
  role: string;
  date: string;
  minutes: number;
  rate: Money;
  unit?: Rate['unit'];
}

export interface SupersededTime {
  count: number;
  minutes: number;
  /** What the entries were billed at the superseded rates. */
  amount: Money;
  /** What they come to at the amended rates. */
  repriced: Money;
  /** repriced − amount: positive means under-billed. */
  delta: Money;
  entries: { id: string; date: string; role: string; minutes: number; postedRate: Money; newRate: Money }[];
}

/**
 * Time logged on or after the amendment's effective date that was priced at a rate the amendment
 * supersedes: the entries finance must re-rate (reverse and re-post: corrections are never edits).
 * Entries whose role has no rate in the amended contract are not counted; the billing rules hold those.
 */
export function supersededTimeAfter(
  effectiveDate: string,
  newContract: Contract,
  postedEntries: readonly PostedTimeEntry[],
): SupersededTime {
  const currency = newContract.currency;
  let minutes = 0;
  let billed = 0;
  let repriced = 0;
  const entries: SupersededTime['entries'] = [];
  for (const e of postedEntries) {
    if (e.date < effectiveDate) continue;
    const current = rateFor(newContract, e.role, e.date).current;
    if (!current) continue;
    if (current.rate.amountMinor === e.rate.amountMinor && current.rate.currency === e.rate.currency)
      continue;
    if (e.rate.currency !== currency) continue;
    minutes += e.minutes;
    billed += timeAmount(e.rate, e.minutes, e.unit ?? current.unit).amountMinor;
    repriced += timeAmount(current.rate, e.minutes, current.unit).amountMinor;
    entries.push({
      id: e.id,
      date: e.date,
      role: e.role,
      minutes: e.minutes,
      postedRate: e.rate,
      newRate: current.rate,
    });
  }
  return {
    count: entries.length,
    minutes,
    amount: money(billed, currency),
    repriced: money(repriced, currency),
    delta: money(repriced - billed, currency),
    entries,
  };
}
