import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURRENCY_EXPONENTS, type CurrencyCode } from '../../../shared/model/currency';
import { allocateMoney, fromDecimal, money, toDecimalString } from '../../../shared/model/money';
import { runs, SEED, SEEDED } from '../seed';

const CODES = Object.keys(CURRENCY_EXPONENTS) as CurrencyCode[];
const currency = fc.constantFrom(...CODES);
const amount = fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
const opts = (numRuns: number) => ({ seed: SEED, numRuns: runs(numRuns) });

describe(`money properties ${SEEDED}`, () => {
  it('allocate sums exactly, returns safe integers, and shares of equal weights differ by at most one minor unit', () => {
    fc.assert(
      fc.property(
        amount,
        currency,
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 30 }),
        (total, cur, weights) => {
          fc.pre(weights.some((w) => w > 0));
          const shares = allocateMoney(money(total, cur), weights);
          expect(shares).toHaveLength(weights.length);
          let sum = 0n;
          for (const s of shares) {
            expect(Number.isSafeInteger(s.amountMinor)).toBe(true);
            expect(s.currency).toBe(cur);
            sum += BigInt(s.amountMinor);
          }
          expect(sum).toBe(BigInt(total));
          // A zero weight gets nothing; every share is within one minor unit of its exact proportion.
          const wsum = BigInt(weights.reduce((a, b) => a + b, 0));
          weights.forEach((w, i) => {
            const exactTimesW = BigInt(total) * BigInt(w); // share ≈ exactTimesW / wsum
            const diff = BigInt(shares[i]!.amountMinor) * wsum - exactTimesW;
            expect(diff < 0n ? -diff : diff).toBeLessThan(wsum);
            // (=== 0, not toBe(0): a negative total gives its zero-weight shares -0, harmless in JSON.)
            if (w === 0) expect(shares[i]!.amountMinor === 0).toBe(true);
          });
          // Equal weights: no two shares differ by more than one minor unit.
          const byWeight = new Map<number, number[]>();
          weights.forEach((w, i) => {
            byWeight.set(w, [...(byWeight.get(w) ?? []), shares[i]!.amountMinor]);
          });
          for (const group of byWeight.values())
            expect(Math.max(...group) - Math.min(...group)).toBeLessThanOrEqual(1);
        },
      ),
      opts(500),
    );
  });

  it('allocate is deterministic and sign-symmetric', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        currency,
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 12 }),
        (total, cur, weights) => {
          const pos = allocateMoney(money(total, cur), weights).map((m) => m.amountMinor);
          const neg = allocateMoney(money(-total, cur), weights).map((m) => m.amountMinor);
          expect(allocateMoney(money(total, cur), weights).map((m) => m.amountMinor)).toEqual(pos);
          expect(neg.map((n) => (n === 0 ? 0 : -n))).toEqual(pos);
        },
      ),
      opts(300),
    );
  });

  it("toDecimalString / fromDecimal round-trip for every currency's exponent, as safe integers", () => {
    for (const cur of CODES) {
      const exp = CURRENCY_EXPONENTS[cur];
      fc.assert(
        fc.property(amount, (minor) => {
          const text = toDecimalString(money(minor, cur));
          // The text has exactly the currency's number of decimals and no exponent notation.
          expect(text).toMatch(exp === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${exp}}$`));
          const back = fromDecimal(text, cur);
          expect(Number.isSafeInteger(back.amountMinor)).toBe(true);
          expect(back).toEqual({ amountMinor: minor, currency: cur });
        }),
        opts(60),
      );
    }
  });

  it('fromDecimal refuses more precision than the currency has, and never yields a float', () => {
    fc.assert(
      fc.property(
        currency,
        fc.integer({ min: 0, max: 1_000_000_000 }),
        fc.integer({ min: 1, max: 9 }),
        (cur, whole, extraDigit) => {
          const exp = CURRENCY_EXPONENTS[cur];
          const tooPrecise = `${whole}.${'0'.repeat(exp)}${extraDigit}`;
          expect(() => fromDecimal(tooPrecise, cur)).toThrow(RangeError);
          // Trailing zeros beyond the exponent are fine.
          const padded = fromDecimal(`${whole}.${'0'.repeat(exp + 2)}`, cur);
          expect(padded.amountMinor).toBe(whole * 10 ** exp);
          expect(Number.isInteger(padded.amountMinor)).toBe(true);
        },
      ),
      opts(300),
    );
  });
});
