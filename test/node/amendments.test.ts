import { describe, expect, it } from 'vitest';
import type { Contract } from '../../shared/model/contract';
import { money } from '../../shared/model/money';
import {
  AmendmentError,
  applyAmendment,
  diffContracts,
  needsApproval,
  scopeOf,
  supersededTimeAfter,
} from '../../worker/domain/amendments';
import { fixedFeeContract } from '../factories/contract';

const usd = (n: number) => money(n, 'USD');

function withRates(overrides: Partial<Contract> = {}): Contract {
  return fixedFeeContract({
    rateCard: {
      name: 'SOW-1001 rates',
      currency: 'USD',
      rates: [
        { role: 'Consultant', rate: usd(20_000), unit: 'hour', effectiveFrom: '2026-01-05' },
        { role: 'Engineer', rate: usd(15_000), unit: 'hour', effectiveFrom: '2026-01-05' },
      ],
    },
    ...overrides,
  });
}

function tmContract(): Contract {
  return withRates({
    billingModel: { type: 'time_and_materials', notToExceed: usd(10_000_000) },
    totalValue: usd(10_000_000),
  });
}

describe('applyAmendment', () => {
  it('closes the superseded rate the day before the new one and leaves other roles alone', () => {
    const before = withRates();
    const after = applyAmendment(before, {
      rates: [{ role: 'Consultant', rate: usd(22_500), effectiveFrom: '2026-04-01' }],
    });
    expect(after.rateCard?.rates).toEqual([
      {
        role: 'Consultant',
        rate: usd(20_000),
        unit: 'hour',
        effectiveFrom: '2026-01-05',
        effectiveTo: '2026-03-31',
      },
      { role: 'Consultant', rate: usd(22_500), unit: 'hour', effectiveFrom: '2026-04-01' },
      { role: 'Engineer', rate: usd(15_000), unit: 'hour', effectiveFrom: '2026-01-05' },
    ]);
    // Pure: the contract it was given is untouched.
    expect(before.rateCard?.rates).toHaveLength(2);
  });

  it('adds, removes and changes milestones and moves the contract value by the milestone total', () => {
    const after = applyAmendment(withRates(), {
      milestones: {
        added: [
          {
            key: 'a01-4',
            name: 'Hypercare',
            amount: usd(1_500_000),
            dueDate: '2027-01-15',
            deliverables: [],
          },
        ],
        removed: ['a01-1'],
        changed: [{ key: 'a01-2', amount: usd(9_000_000), dueDate: '2026-09-01' }],
      },
      endDate: '2027-01-31',
      scope: 'Rollout to 12 clinics, plus 6 weeks of hypercare',
    });
    const ms = after.billingModel.type === 'fixed_fee' ? after.billingModel.milestones : [];
    expect(ms.map((m) => [m.key, m.amount.amountMinor, m.dueDate])).toEqual([
      ['a01-2', 9_000_000, '2026-09-01'],
      ['a01-3', 4_000_000, '2026-12-01'],
      ['a01-4', 1_500_000, '2027-01-15'],
    ]);
    expect(ms[0]?.name).toBe('Build');
    // 150,000 − 30,000 (removed) + 10,000 (changed) + 15,000 (added)
    expect(after.totalValue).toEqual(usd(14_500_000));
    expect(after.endDate).toBe('2027-01-31');
    expect(scopeOf(after)).toBe('Rollout to 12 clinics, plus 6 weeks of hypercare');
  });

  it('refuses money in another currency, unknown milestones and a cap on a fixed-fee contract', () => {
    const c = withRates();
    const fail = (changes: Parameters<typeof applyAmendment>[1]) => {
      try {
        applyAmendment(c, changes);
      } catch (e) {
        return e as AmendmentError;
      }
      throw new Error('expected a refusal');
    };
    const eur = fail({
      rates: [{ role: 'Consultant', rate: money(20_000, 'EUR'), effectiveFrom: '2026-04-01' }],
    });
    expect(eur).toBeInstanceOf(AmendmentError);
    expect(eur.code).toBe('CURRENCY_MISMATCH');
    expect(eur.message).toMatch(/EUR.*USD/);
    expect(fail({ budget: money(1, 'GBP') }).field).toBe('budget');
    expect(fail({ milestones: { changed: [{ key: 'nope', amount: usd(1) }] } }).code).toBe(
      'UNKNOWN_MILESTONE',
    );
    expect(fail({ notToExceed: usd(1) }).code).toBe('NO_CAP');
    expect(() => applyAmendment(c, {})).toThrow(/at least one term/);
  });

  it('changes the not-to-exceed of a time-and-materials contract', () => {
    const after = applyAmendment(tmContract(), { notToExceed: usd(12_000_000), budget: usd(12_000_000) });
    expect(after.billingModel).toEqual({ type: 'time_and_materials', notToExceed: usd(12_000_000) });
    expect(after.totalValue).toEqual(usd(12_000_000));
  });
});

describe('diffContracts', () => {
  it('shows rates old → new, budget, milestones and billing schedule lines', () => {
    const before = withRates();
    const after = applyAmendment(before, {
      rates: [
        { role: 'Consultant', rate: usd(22_500), effectiveFrom: '2026-04-01' },
        { role: 'Architect', rate: usd(30_000), effectiveFrom: '2026-04-01' },
      ],
      milestones: {
        added: [
          {
            key: 'a01-4',
            name: 'Hypercare',
            amount: usd(1_500_000),
            dueDate: '2027-01-15',
            deliverables: [],
          },
        ],
        changed: [{ key: 'a01-2', amount: usd(9_000_000) }],
      },
      scope: 'Adds hypercare',
    });
    const diff = diffContracts(before, after);
    expect(diff.empty).toBe(false);
    expect(diff.rates).toEqual([
      { role: 'Architect', effectiveFrom: '2026-04-01', unit: 'hour', after: usd(30_000) },
      {
        role: 'Consultant',
        effectiveFrom: '2026-04-01',
        unit: 'hour',
        before: usd(20_000),
        after: usd(22_500),
      },
    ]);
    expect(diff.budget).toEqual({ before: usd(15_000_000), after: usd(17_500_000), delta: usd(2_500_000) });
    expect(diff.milestones.added.map((m) => m.key)).toEqual(['a01-4']);
    expect(diff.milestones.removed).toEqual([]);
    expect(diff.milestones.changed).toEqual([
      {
        key: 'a01-2',
        name: 'Build',
        before: { name: 'Build', amount: usd(8_000_000), dueDate: '2026-08-01' },
        after: { name: 'Build', amount: usd(9_000_000), dueDate: '2026-08-01' },
      },
    ]);
    expect(
      diff.billingSchedule.map((l) => [
        l.key,
        l.change,
        l.amount.before?.amountMinor,
        l.amount.after?.amountMinor,
      ]),
    ).toEqual([
      ['a01-2', 'changed', 8_000_000, 9_000_000],
      ['a01-4', 'added', undefined, 1_500_000],
    ]);
    expect(diff.scope).toEqual({ before: undefined, after: 'Adds hypercare' });
    expect(diff.endDate).toBeUndefined();
  });

  it('is empty for the same contract', () => {
    const c = withRates();
    expect(diffContracts(c, structuredClone(c)).empty).toBe(true);
  });
});

describe('supersededTimeAfter', () => {
  it('counts time on or after the effective date priced at a superseded rate, with the amount to re-rate', () => {
    const after = applyAmendment(withRates(), {
      rates: [{ role: 'Consultant', rate: usd(22_500), effectiveFrom: '2026-04-01' }],
    });
    const posted = [
      { id: 't1', role: 'Consultant', date: '2026-03-31', minutes: 480, rate: usd(20_000) }, // before: fine
      { id: 't2', role: 'Consultant', date: '2026-04-01', minutes: 480, rate: usd(20_000) }, // superseded
      { id: 't3', role: 'Consultant', date: '2026-04-02', minutes: 90, rate: usd(20_000) }, // superseded
      { id: 't4', role: 'Consultant', date: '2026-04-03', minutes: 60, rate: usd(22_500) }, // already new rate
      { id: 't5', role: 'Engineer', date: '2026-04-03', minutes: 60, rate: usd(15_000) }, // unchanged role
    ];
    const s = supersededTimeAfter('2026-04-01', after, posted);
    expect(s.count).toBe(2);
    expect(s.minutes).toBe(570);
    expect(s.entries.map((e) => e.id)).toEqual(['t2', 't3']);
    expect(s.amount).toEqual(usd(190_000)); // 9.5 h × $200
    expect(s.repriced).toEqual(usd(213_750)); // 9.5 h × $225
    expect(s.delta).toEqual(usd(23_750));
  });
});

describe('needsApproval', () => {
  const before = withRates();
  const small = diffContracts(
    before,
    applyAmendment(before, { milestones: { changed: [{ key: 'a01-2', amount: usd(8_050_000) }] } }),
  );
  const rates = diffContracts(
    before,
    applyAmendment(before, { rates: [{ role: 'Engineer', rate: usd(15_500), effectiveFrom: '2026-05-01' }] }),
  );
  const datesOnly = diffContracts(before, applyAmendment(before, { endDate: '2027-02-01' }));

  it('sends changes above the threshold, and under it lets them through', () => {
    expect(needsApproval(small, { approveAboveMinor: 100_000 })).toEqual({
      required: false,
      reason: 'The change of $500.00 is within the approval threshold',
    });
    const big = needsApproval(small, { approveAboveMinor: 10_000 });
    expect(big.required).toBe(true);
    expect(big.reason).toMatch(/\$500\.00, above the approval threshold of \$100\.00/);
  });

  it('sends every rate change when the policy says so, and asks for money changes without a threshold', () => {
    expect(needsApproval(rates, { approveAboveMinor: 1_000_000 }).required).toBe(false);
    expect(needsApproval(rates, { approveAboveMinor: 1_000_000, alwaysForRates: true })).toEqual({
      required: true,
      reason: 'Rates change for Engineer; the policy sends every rate change for approval',
    });
    expect(needsApproval(small, {}).required).toBe(true);
    expect(needsApproval(datesOnly, {}).required).toBe(false);
  });
});
