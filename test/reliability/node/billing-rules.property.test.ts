import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Contract } from '../../../shared/model/contract';
import type { CurrencyCode } from '../../../shared/model/currency';
import type { TimeEntry } from '../../../shared/model/delivery';
import { money } from '../../../shared/model/money';
import { decideTimeEntry, timeAmount } from '../../../worker/domain/billing/rules';
import { fixedFeeContract } from '../../factories/contract';
import { runs, SEED, SEEDED } from '../seed';

const CUR: CurrencyCode = 'USD';

function tmContract(rateMinor: number, unit: 'hour' | 'day', capMinor?: number): Contract {
  return fixedFeeContract({
    billingModel: {
      type: 'time_and_materials',
      ...(capMinor === undefined ? {} : { notToExceed: money(capMinor, CUR) }),
    },
    rateCard: {
      name: 'Standard',
      rates: [{ role: 'Consultant', rate: money(rateMinor, CUR), unit, effectiveFrom: '2026-01-01' }],
    } as Contract['rateCard'],
  });
}

const entry = (minutes: number, date = '2026-06-01'): TimeEntry => ({
  psaId: 'te-1',
  psaProjectId: 'ws-1',
  personName: 'Dev Patel',
  role: 'Consultant',
  date,
  minutes,
  billable: true,
  approved: true,
  updatedAt: '2026-06-01T00:00:00Z',
});

const opts = (n: number) => ({ seed: SEED, numRuns: runs(n) });
const rate = fc.integer({ min: 1, max: 10_000_000 });
const minutes = fc.integer({ min: 1, max: 24 * 60 * 31 });

describe(`contract rules properties ${SEEDED}`, () => {
  it('an amount is minutes × rate, rounded half-up, in exact integer arithmetic', () => {
    fc.assert(
      fc.property(rate, minutes, fc.constantFrom('hour' as const, 'day' as const), (r, m, unit) => {
        const a = timeAmount(money(r, CUR), m, unit);
        const div = BigInt(unit === 'day' ? 480 : 60);
        const exact = BigInt(r) * BigInt(m);
        // half-up: floor((2·exact + div) / (2·div))
        const expected = (2n * exact + div) / (2n * div);
        expect(Number.isSafeInteger(a.amountMinor)).toBe(true);
        expect(BigInt(a.amountMinor)).toBe(expected);
        expect(a.currency).toBe(CUR);
      }),
      opts(1000),
    );
  });

  it('exact halves round up (x.5 minor units → x+1)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (k) => {
        // rate 2k+1 per hour for 30 minutes is exactly k + 0.5 minor units.
        expect(timeAmount(money(2 * k + 1, CUR), 30).amountMinor).toBe(k + 1);
      }),
      opts(300),
    );
  });

  it('a T&M entry never posts above the cap: posting a random stream, billed never passes notToExceed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 30_000 }),
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.array(minutes, { minLength: 1, maxLength: 60 }),
        (r, cap, stream) => {
          const contract = tmContract(r, 'hour', cap);
          let billed = 0;
          for (const m of stream) {
            const d = decideTimeEntry(entry(m), contract, {
              projectActive: true,
              billedTime: money(billed, CUR),
              travelUsed: money(0, CUR),
            });
            const amount = timeAmount(money(r, CUR), m).amountMinor;
            if (d.action === 'post') {
              expect(d.billable).toBe(true);
              expect(d.amount.amountMinor).toBe(amount);
              billed += d.amount.amountMinor;
              expect(billed).toBeLessThanOrEqual(cap);
            } else {
              // Held only when it would really pass the cap.
              expect(d.rule).toBe('over-not-to-exceed');
              expect(billed + amount).toBeGreaterThan(cap);
            }
          }
        },
      ),
      opts(300),
    );
  });

  it('without a cap, every in-term entry at the contract rate posts its amount', () => {
    fc.assert(
      fc.property(rate, minutes, fc.integer({ min: 0, max: 1e12 }), (r, m, billed) => {
        const d = decideTimeEntry(entry(m), tmContract(r, 'hour'), {
          projectActive: true,
          billedTime: money(billed, CUR),
          travelUsed: money(0, CUR),
        });
        expect(d).toMatchObject({ action: 'post', amount: timeAmount(money(r, CUR), m) });
      }),
      opts(300),
    );
  });
});
