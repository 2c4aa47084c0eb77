import {
  type AmendmentChanges,
  type AmendmentChangesInput,
  AmendmentChangesSchema,
} from '../../../shared/model/amendment';
import type { Contract, Milestone, Rate } from '../../../shared/model/contract';
import { type Money, money, sumMoney } from '../../../shared/model/money';
import { AmendmentError } from './errors';
import type { ScopedContract } from './scope';

function dayBefore(isoDate: string): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

function sameCurrency(contract: Contract, m: Money, field: string): void {
  if (m.currency !== contract.currency)
    throw new AmendmentError(
      'CURRENCY_MISMATCH',
      `${field} is in ${m.currency} but contract ${contract.number} is in ${contract.currency}; an amendment cannot change the contract currency`,
      field,
    );
}

const sameRole = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * A rate from `effectiveFrom` on replaces the role's rates from that date: an open rate that began
 * earlier now ends the day before, a rate that would have started on or after that date is dropped
 * (the amendment is the later agreement).
 */
function applyRates(contract: Contract, changes: AmendmentChanges): Contract['rateCard'] {
  if (changes.rates.length === 0) return contract.rateCard;
  let rates: Rate[] = [...(contract.rateCard?.rates ?? [])];
  for (const [i, change] of changes.rates.entries()) {
    sameCurrency(contract, change.rate, `rates.${i}.rate`);
    if (change.rate.amountMinor < 0)
      throw new AmendmentError(
        'NEGATIVE_RATE',
        `The ${change.role} rate cannot be negative`,
        `rates.${i}.rate`,
      );
    rates = rates.flatMap((r): Rate[] => {
      if (!sameRole(r.role, change.role)) return [r];
      if (r.effectiveFrom >= change.effectiveFrom) return [];
      if (!r.effectiveTo || r.effectiveTo >= change.effectiveFrom)
        return [{ ...r, effectiveTo: dayBefore(change.effectiveFrom) }];
      return [r];
    });
    rates.push({
      role: change.role,
      rate: change.rate,
      unit: change.unit,
      effectiveFrom: change.effectiveFrom,
    });
  }
  rates.sort((a, b) => a.role.localeCompare(b.role) || a.effectiveFrom.localeCompare(b.effectiveFrom));
  return {
    name: contract.rateCard?.name ?? `${contract.number} rates`,
    currency: contract.currency,
    rates,
  };
}

function applyMilestones(contract: Contract, changes: AmendmentChanges): Milestone[] | undefined {
  const { added, removed, changed } = changes.milestones;
  if (added.length + removed.length + changed.length === 0) return undefined;
  const model = contract.billingModel;
  if (model.type !== 'fixed_fee')
    throw new AmendmentError(
      'NO_MILESTONES',
      `Contract ${contract.number} is billed ${model.type.replaceAll('_', ' ')}, so it has no milestones to change`,
      'milestones',
    );
  const byKey = new Map(model.milestones.map((m) => [m.key, m]));
  for (const key of removed) {
    if (!byKey.has(key))
      throw new AmendmentError(
        'UNKNOWN_MILESTONE',
        `The contract has no milestone ${key} to remove`,
        `milestones.removed.${key}`,
      );
    byKey.delete(key);
  }
  for (const change of changed) {
    const current = byKey.get(change.key);
    if (!current)
      throw new AmendmentError(
        'UNKNOWN_MILESTONE',
        `The contract has no milestone ${change.key} to change`,
        `milestones.changed.${change.key}`,
      );
    if (change.amount) sameCurrency(contract, change.amount, `milestones.changed.${change.key}.amount`);
    const { key: _key, ...fields } = change;
    byKey.set(change.key, {
      ...current,
      ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    });
  }
  for (const m of added) {
    if (byKey.has(m.key) || removed.includes(m.key))
      throw new AmendmentError(
        'DUPLICATE_MILESTONE',
        `Milestone ${m.key} already exists`,
        `milestones.added.${m.key}`,
      );
    sameCurrency(contract, m.amount, `milestones.added.${m.key}.amount`);
    byKey.set(m.key, m);
  }
  const result = [...byKey.values()];
  if (result.length === 0)
    throw new AmendmentError(
      'NO_MILESTONES_LEFT',
      'A fixed-fee contract needs at least one milestone',
      'milestones.removed',
    );
  return result.sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.key.localeCompare(b.key));
}

/**
 * The contract as amended. Pure: the input is not modified. Throws AmendmentError when the change set
 * does not fit the contract (other currency, unknown milestone, a cap on a fixed-fee contract...).
 * Without an explicit budget, a fixed-fee contract's value moves by the change in its milestone total.
 */
export function applyAmendment(
  contract: Contract,
  input: AmendmentChanges | AmendmentChangesInput,
): Contract {
  const changes = AmendmentChangesSchema.parse(input);
  const next: ScopedContract = structuredClone(contract);

  next.rateCard = applyRates(contract, changes);

  const milestones = applyMilestones(contract, changes);
  if (milestones && next.billingModel.type === 'fixed_fee') {
    const before = sumMoney(
      next.billingModel.milestones.map((m) => m.amount),
      contract.currency,
    );
    const after = sumMoney(
      milestones.map((m) => m.amount),
      contract.currency,
    );
    next.billingModel = { ...next.billingModel, milestones };
    if (!changes.budget)
      next.totalValue = money(
        contract.totalValue.amountMinor + after.amountMinor - before.amountMinor,
        contract.currency,
      );
  }

  if (changes.budget) {
    sameCurrency(contract, changes.budget, 'budget');
    if (changes.budget.amountMinor < 0)
      throw new AmendmentError('NEGATIVE_BUDGET', 'The budget cannot be negative', 'budget');
    next.totalValue = changes.budget;
  }

  if (changes.notToExceed !== undefined) {
    if (next.billingModel.type !== 'time_and_materials')
      throw new AmendmentError(
        'NO_CAP',
        `Contract ${contract.number} is billed ${next.billingModel.type.replaceAll('_', ' ')}; only time-and-materials contracts have a not-to-exceed cap`,
        'notToExceed',
      );
    if (changes.notToExceed) sameCurrency(contract, changes.notToExceed, 'notToExceed');
    next.billingModel = { type: 'time_and_materials', notToExceed: changes.notToExceed ?? undefined };
  }

  if (changes.endDate) {
    if (changes.endDate < contract.effectiveDate)
      throw new AmendmentError(
        'END_BEFORE_START',
        `The new end date ${changes.endDate} is before the contract start ${contract.effectiveDate}`,
        'endDate',
      );
    next.endDate = changes.endDate;
  }
  if (changes.scope !== undefined) next.scope = changes.scope;
  return next;
}
