import { describe, expect, it } from 'vitest';
import { allocateMoney, formatMoney, fromDecimal, money, toDecimalString } from '../../shared/model/money';
import { planBillingSchedule, planProject, scheduleTotal } from '../../worker/domain/activation/plan';
import { fixedFeeContract } from '../factories/contract';

describe('money in integer minor units', () => {
  it('converts decimals by each currency exponent and refuses extra precision', () => {
    expect(fromDecimal('1234.5', 'USD')).toEqual(money(123450, 'USD'));
    expect(fromDecimal('1234', 'JPY')).toEqual(money(1234, 'JPY'));
    expect(fromDecimal('1.234', 'KWD')).toEqual(money(1234, 'KWD'));
    expect(() => fromDecimal('1.234', 'USD')).toThrow(/more decimals/);
    expect(() => fromDecimal('12.5', 'JPY')).toThrow(/more decimals/);
    expect(toDecimalString(money(-5, 'USD'))).toBe('-0.05');
    expect(toDecimalString(money(1234, 'KWD'))).toBe('1.234');
    expect(formatMoney(money(15_000_000, 'USD'))).toBe('$150,000.00');
  });

  it('allocates without losing or inventing a minor unit', () => {
    const parts = allocateMoney(money(10_000, 'USD'), [1, 1, 1]);
    expect(parts.map((p) => p.amountMinor)).toEqual([3334, 3333, 3333]);
    expect(allocateMoney(money(-100, 'JPY'), [1, 2]).reduce((a, p) => a + p.amountMinor, 0)).toBe(-100);
  });
});

describe('planning the project and the billing schedule from the contract', () => {
  it('turns milestones into WBS phases with their deliverables and a milestone billing schedule that adds up', () => {
    const contract = fixedFeeContract();
    const project = planProject(contract);
    expect(project.wbs.map((n) => n.name)).toEqual([
      'Mobilisation',
      'Discovery',
      'Build',
      'Go-live',
      'Closure',
    ]);
    expect(project.wbs[1]?.children?.map((n) => n.name)).toEqual(['Current-state assessment']);
    expect(project.budget).toEqual(contract.totalValue);
    const schedule = planBillingSchedule(contract);
    expect(schedule.type).toBe('milestone');
    expect(schedule.lines.map((l) => l.description)).toEqual([
      'Discovery (SOW §4.1)',
      'Build (SOW §4.2)',
      'Go-live (SOW §4.3)',
    ]);
    expect(scheduleTotal(schedule)).toEqual(contract.totalValue);
  });

  it('budgets a T&M project at its cap and spreads a retainer over its periods', () => {
    const tm = fixedFeeContract({
      billingModel: { type: 'time_and_materials', notToExceed: money(25_000_000, 'USD') },
    });
    expect(planProject(tm).budget).toEqual(money(25_000_000, 'USD'));
    expect(planBillingSchedule(tm)).toMatchObject({
      type: 'time_and_materials',
      notToExceed: money(25_000_000, 'USD'),
    });
    const retainer = fixedFeeContract({
      totalValue: money(1_000_000, 'USD'),
      billingModel: {
        type: 'retainer',
        amountPerPeriod: money(333_334, 'USD'),
        period: 'quarterly',
        periods: 3,
      },
    });
    const s = planBillingSchedule(retainer);
    expect(s.lines.map((l) => l.date)).toEqual(['2026-01-05', '2026-04-05', '2026-07-05']);
  });
});
