import type { Contract, Rate } from '../../../shared/model/contract';
import type { Expense, TimeEntry } from '../../../shared/model/delivery';
import { formatMoney, type Money, money } from '../../../shared/model/money';

/**
 * What happens to one approved time entry or expense before anything reaches the ERP. Pure: the same
 * entry, contract and context always give the same decision, so a replay decides the same way.
 */
export type Decision =
  | { action: 'post'; billable: boolean; amount: Money; rate?: Money; note: string }
  | { action: 'hold'; rule: HoldRule; reason: string; fix: string };

export type HoldRule =
  | 'project-not-active'
  | 'outside-contract-term'
  | 'no-rate-for-role'
  | 'superseded-rate'
  | 'rate-mismatch'
  | 'over-not-to-exceed'
  | 'over-travel-cap'
  | 'currency-mismatch';

export interface BillingContext {
  /** The project's activation is complete and the project live. */
  projectActive: boolean;
  /** Billable time already posted or on its way, for the T&M cap. */
  billedTime: Money;
  /** Billable travel already posted or on its way, for the travel allowance. */
  travelUsed: Money;
}

/** Time × hourly rate in minor units, half-up, as the ERP rounds line amounts. */
export function timeAmount(rate: Money, minutes: number, unit: Rate['unit'] = 'hour'): Money {
  const perMinuteDivisor = unit === 'day' ? 8 * 60 : 60;
  const exact = rate.amountMinor * minutes;
  const whole = Math.floor(exact / perMinuteDivisor);
  const rest = exact - whole * perMinuteDivisor;
  return money(whole + (rest * 2 >= perMinuteDivisor ? 1 : 0), rate.currency);
}

function sameRole(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** The contract's rate for a role on a date, and the ones it superseded. */
export function rateFor(
  contract: Contract,
  role: string,
  date: string,
): { current?: Rate; superseded: Rate[] } {
  const rates = contract.rateCard?.rates.filter((r) => sameRole(r.role, role)) ?? [];
  const current = rates.find((r) => r.effectiveFrom <= date && (!r.effectiveTo || date <= r.effectiveTo));
  return { current, superseded: rates.filter((r) => r !== current && r.effectiveFrom <= date) };
}

function inTerm(contract: Contract, date: string): boolean {
  return date >= contract.effectiveDate && (!contract.endDate || date <= contract.endDate);
}

const notLive: Decision = {
  action: 'hold',
  rule: 'project-not-active',
  reason: 'The project is not active in Handoff (its activation has not completed)',
  fix: 'Finish activating the project from the CRM, then retry.',
};

export function decideTimeEntry(entry: TimeEntry, contract: Contract, ctx: BillingContext): Decision {
  if (!ctx.projectActive) return notLive;
  const zero = money(0, contract.currency);
  if (!inTerm(contract, entry.date)) {
    return {
      action: 'hold',
      rule: 'outside-contract-term',
      reason: `Logged on ${entry.date}, outside the contract term ${contract.effectiveDate} to ${contract.endDate ?? 'open'}`,
      fix: 'Correct the date in the PSA, or extend the term with a change order.',
    };
  }
  const model = contract.billingModel;
  if (!entry.billable)
    return { action: 'post', billable: false, amount: zero, note: 'Non-billable time: posted as cost' };
  if (model.type === 'fixed_fee') {
    return {
      action: 'post',
      billable: false,
      amount: zero,
      note: 'Fixed fee: cost only; billed through its milestones once accepted',
    };
  }
  if (model.type === 'retainer') {
    return { action: 'post', billable: false, amount: zero, note: 'Retainer: covered by the periodic fee' };
  }
  const { current, superseded } = rateFor(contract, entry.role, entry.date);
  if (!current) {
    return {
      action: 'hold',
      rule: 'no-rate-for-role',
      reason: `The rate card has no ${entry.role} rate on ${entry.date}`,
      fix: `Correct ${entry.personName}'s role on the entry, or add ${entry.role} to the rate card with a change order.`,
    };
  }
  if (entry.psaRate && entry.psaRate.amountMinor !== current.rate.amountMinor) {
    const old = superseded.find((r) => r.rate.amountMinor === entry.psaRate?.amountMinor);
    return {
      action: 'hold',
      rule: old ? 'superseded-rate' : 'rate-mismatch',
      reason: old
        ? `Billed at ${formatMoney(entry.psaRate)}/h, the ${entry.role} rate that ended ${old.effectiveTo ?? 'before'}; the contract rate on ${entry.date} is ${formatMoney(current.rate)}/h`
        : `Billed at ${formatMoney(entry.psaRate)}/h but the contract's ${entry.role} rate on ${entry.date} is ${formatMoney(current.rate)}/h`,
      fix: `Update the ${entry.role} rate in the PSA project's rate card to ${formatMoney(current.rate)}/h, or edit and retry to post at the contract rate.`,
    };
  }
  const amount = timeAmount(current.rate, entry.minutes, current.unit);
  if (model.notToExceed && ctx.billedTime.amountMinor + amount.amountMinor > model.notToExceed.amountMinor) {
    const left = money(
      Math.max(0, model.notToExceed.amountMinor - ctx.billedTime.amountMinor),
      contract.currency,
    );
    return {
      action: 'hold',
      rule: 'over-not-to-exceed',
      reason: `${formatMoney(amount)} would pass the not-to-exceed cap of ${formatMoney(model.notToExceed)} (${formatMoney(left)} left)`,
      fix: 'Raise the cap with a change order, or skip it / post it as non-billable.',
    };
  }
  return {
    action: 'post',
    billable: true,
    amount,
    rate: current.rate,
    note: `${entry.minutes / 60} h × ${formatMoney(current.rate)}/h`,
  };
}

export function decideExpense(expense: Expense, contract: Contract, ctx: BillingContext): Decision {
  if (!ctx.projectActive) return notLive;
  if (expense.amount.currency !== contract.currency) {
    return {
      action: 'hold',
      rule: 'currency-mismatch',
      reason: `The expense is in ${expense.amount.currency}; the contract bills in ${contract.currency}`,
      fix: `Enter the expense in ${contract.currency} (converted at the receipt's rate) in the PSA.`,
    };
  }
  if (!inTerm(contract, expense.date)) {
    return {
      action: 'hold',
      rule: 'outside-contract-term',
      reason: `Incurred on ${expense.date}, outside the contract term`,
      fix: 'Correct the date in the PSA, or extend the term with a change order.',
    };
  }
  if (!expense.billable || !contract.expensePolicy.billable) {
    return {
      action: 'post',
      billable: false,
      amount: expense.amount,
      note: 'Non-billable expense: posted as cost',
    };
  }
  const cap = contract.expensePolicy.travelNotToExceed;
  if (expense.isTravel && cap && ctx.travelUsed.amountMinor + expense.amount.amountMinor > cap.amountMinor) {
    const left = money(Math.max(0, cap.amountMinor - ctx.travelUsed.amountMinor), contract.currency);
    return {
      action: 'hold',
      rule: 'over-travel-cap',
      reason: `${formatMoney(expense.amount)} of travel would pass the travel allowance of ${formatMoney(cap)} (${formatMoney(left)} left)`,
      fix: 'Get the customer to raise the travel allowance (change order), or skip it with a reason / post it as non-billable.',
    };
  }
  return {
    action: 'post',
    billable: true,
    amount: expense.amount,
    note: expense.isTravel ? 'Billable travel' : 'Billable expense',
  };
}
