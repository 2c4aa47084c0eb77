import type { Contract, Milestone, Rate } from '../../../shared/model/contract';
import { type Money, money } from '../../../shared/model/money';
import { planBillingSchedule } from '../activation/plan';
import { scopeOf } from './scope';

export interface Change<T> {
  before?: T;
  after?: T;
}

export interface RateDiff {
  role: string;
  effectiveFrom: string;
  unit: Rate['unit'];
  /** The role's rate in effect on `effectiveFrom` before the amendment (absent for a new role). */
  before?: Money;
  /** Absent when the amendment drops the role. */
  after?: Money;
}

export interface MilestoneDiff {
  key: string;
  name: string;
  before: Pick<Milestone, 'name' | 'amount' | 'dueDate'>;
  after: Pick<Milestone, 'name' | 'amount' | 'dueDate'>;
}

export interface ScheduleLineDiff {
  key: string;
  description: string;
  change: 'added' | 'removed' | 'changed';
  date: Change<string>;
  amount: Change<Money>;
}

/** A structured before/after of two versions of one contract: the change-order card and the audit show it. */
export interface ContractDiff {
  scope?: Change<string>;
  endDate?: Change<string>;
  budget?: { before: Money; after: Money; delta: Money };
  notToExceed?: Change<Money>;
  rates: RateDiff[];
  milestones: { added: Milestone[]; removed: Milestone[]; changed: MilestoneDiff[] };
  billingSchedule: ScheduleLineDiff[];
  /** True when nothing differs (an amendment that restates the contract). */
  empty: boolean;
}

const sameMoney = (a?: Money, b?: Money) => a?.amountMinor === b?.amountMinor && a?.currency === b?.currency;

function rateOn(rates: Rate[], role: string, date: string): Rate | undefined {
  return rates.find(
    (r) => r.role === role && r.effectiveFrom <= date && (!r.effectiveTo || date <= r.effectiveTo),
  );
}

function diffRates(before: Contract, after: Contract): RateDiff[] {
  const old = before.rateCard?.rates ?? [];
  const now = after.rateCard?.rates ?? [];
  const out: RateDiff[] = [];
  for (const r of now) {
    const prior = rateOn(old, r.role, r.effectiveFrom);
    const identical = old.some(
      (o) =>
        o.role === r.role &&
        o.effectiveFrom === r.effectiveFrom &&
        sameMoney(o.rate, r.rate) &&
        o.unit === r.unit,
    );
    if (identical || (prior && sameMoney(prior.rate, r.rate) && prior.unit === r.unit)) continue;
    out.push({
      role: r.role,
      effectiveFrom: r.effectiveFrom,
      unit: r.unit,
      before: prior?.rate,
      after: r.rate,
    });
  }
  const roles = new Set(now.map((r) => r.role));
  for (const role of new Set(old.map((r) => r.role))) {
    if (roles.has(role)) continue;
    const last = old.filter((r) => r.role === role).at(-1)!;
    out.push({ role, effectiveFrom: last.effectiveFrom, unit: last.unit, before: last.rate });
  }
  return out.sort((a, b) => a.role.localeCompare(b.role) || a.effectiveFrom.localeCompare(b.effectiveFrom));
}

const milestonesOf = (c: Contract) => (c.billingModel.type === 'fixed_fee' ? c.billingModel.milestones : []);
const capOf = (c: Contract) =>
  c.billingModel.type === 'time_and_materials' ? c.billingModel.notToExceed : undefined;
const pick = (m: Milestone) => ({ name: m.name, amount: m.amount, dueDate: m.dueDate });

function diffMilestones(before: Contract, after: Contract): ContractDiff['milestones'] {
  const old = new Map(milestonesOf(before).map((m) => [m.key, m]));
  const now = new Map(milestonesOf(after).map((m) => [m.key, m]));
  const changed: MilestoneDiff[] = [];
  for (const [key, m] of now) {
    const o = old.get(key);
    if (o && (o.name !== m.name || o.dueDate !== m.dueDate || !sameMoney(o.amount, m.amount)))
      changed.push({ key, name: m.name, before: pick(o), after: pick(m) });
  }
  return {
    added: [...now.values()].filter((m) => !old.has(m.key)),
    removed: [...old.values()].filter((m) => !now.has(m.key)),
    changed,
  };
}

function diffSchedule(before: Contract, after: Contract): ScheduleLineDiff[] {
  const old = new Map(planBillingSchedule(before).lines.map((l) => [l.key, l]));
  const now = new Map(planBillingSchedule(after).lines.map((l) => [l.key, l]));
  const out: ScheduleLineDiff[] = [];
  for (const [key, l] of now) {
    const o = old.get(key);
    if (!o)
      out.push({
        key,
        description: l.description,
        change: 'added',
        date: { after: l.date },
        amount: { after: l.amount },
      });
    else if (o.date !== l.date || !sameMoney(o.amount, l.amount))
      out.push({
        key,
        description: l.description,
        change: 'changed',
        date: { before: o.date, after: l.date },
        amount: { before: o.amount, after: l.amount },
      });
  }
  for (const [key, o] of old)
    if (!now.has(key))
      out.push({
        key,
        description: o.description,
        change: 'removed',
        date: { before: o.date },
        amount: { before: o.amount },
      });
  return out;
}

export function diffContracts(before: Contract, after: Contract): ContractDiff {
  const diff: ContractDiff = {
    rates: diffRates(before, after),
    milestones: diffMilestones(before, after),
    billingSchedule: diffSchedule(before, after),
    empty: false,
  };
  if (scopeOf(before) !== scopeOf(after)) diff.scope = { before: scopeOf(before), after: scopeOf(after) };
  if (before.endDate !== after.endDate) diff.endDate = { before: before.endDate, after: after.endDate };
  if (!sameMoney(before.totalValue, after.totalValue))
    diff.budget = {
      before: before.totalValue,
      after: after.totalValue,
      delta: money(after.totalValue.amountMinor - before.totalValue.amountMinor, after.totalValue.currency),
    };
  if (!sameMoney(capOf(before), capOf(after)))
    diff.notToExceed = { before: capOf(before), after: capOf(after) };
  const m = diff.milestones;
  diff.empty =
    !diff.scope &&
    !diff.endDate &&
    !diff.budget &&
    !diff.notToExceed &&
    diff.rates.length === 0 &&
    m.added.length + m.removed.length + m.changed.length === 0 &&
    diff.billingSchedule.length === 0;
  return diff;
}
