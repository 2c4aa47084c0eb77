/**
 * The shared validation pieces, against independent oracles: every real day and nothing else is a
 * CalendarDate, names are refused when blank after trimming, minor units are non-negative safe integers,
 * currencies are the ISO 4217 codes we know the exponent of, amendment numbers are bounded, and every
 * amount of a change set is found for the contract-currency check.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AmendmentChangesSchema,
  AmendmentNumberSchema,
  MAX_AMENDMENT_NUMBER,
  moneyInChanges,
} from '../../shared/model/amendment';
import { CalendarDateSchema, FIRST_YEAR, LAST_YEAR } from '../../shared/model/calendar-date';
import { CURRENCY_EXPONENTS, CurrencyCodeSchema } from '../../shared/model/currency';
import { EntraIdSchema } from '../../shared/model/ids';
import { MinorUnitsSchema, NonNegativeMoneySchema } from '../../shared/model/money';
import { NonBlankNameSchema, nonBlank } from '../../shared/model/text';

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const daysIn = (y: number, m: number) =>
  [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
    m - 1
  ]!;

describe('CalendarDate', () => {
  it('accepts exactly the days that exist (Gregorian leap years) within the supported years', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        (y, m, d) => {
          const text = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
          const real = m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
          const inRange = y >= FIRST_YEAR && y <= LAST_YEAR;
          expect(CalendarDateSchema.safeParse(text).success, text).toBe(real && inRange);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('agrees with Date for every day it accepts (no rolling into the next month)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }),
        (d) => {
          const text = d.toISOString().slice(0, 10);
          expect(CalendarDateSchema.parse(text)).toBe(text);
        },
      ),
    );
  });

  it.each([
    '2026-02-30',
    '2023-02-29',
    '1900-02-29',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-1-5',
    ' 2026-01-05',
    '2026-01-05T00:00:00Z',
    '0206-11-17',
  ])('refuses %s', (text) => expect(CalendarDateSchema.safeParse(text).success).toBe(false));

  it.each(['2024-02-29', '2000-02-29', '2026-12-31'])('accepts %s', (text) =>
    expect(CalendarDateSchema.safeParse(text).success).toBe(true),
  );
});

describe('NonBlankName', () => {
  it('refuses whatever is empty after trimming, keeps the trimmed text otherwise', () => {
    const space = fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u2003', '\ufeff');
    fc.assert(
      fc.property(fc.string({ unit: space, maxLength: 20 }), (blank) => {
        expect(NonBlankNameSchema.safeParse(blank).success).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 300 }), (text) => {
        const out = NonBlankNameSchema.safeParse(text);
        const trimmed = text.trim();
        expect(out.success).toBe(trimmed.length >= 1 && trimmed.length <= 200);
        if (out.success) expect(out.data).toBe(trimmed);
      }),
    );
  });

  it('bounds the length, and a minimum counts characters after trimming', () => {
    expect(nonBlank(5).safeParse('abcdef').success).toBe(false);
    expect(nonBlank(1000, 5).safeParse('  abc  ').success).toBe(false);
    expect(nonBlank(1000, 5).safeParse(' abcde ').success).toBe(true);
  });
});

describe('MinorUnits and NonNegativeMoney', () => {
  it('accept exactly the non-negative safe integers', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double(), fc.maxSafeInteger(), fc.constant(2 ** 53)), (n) => {
        expect(MinorUnitsSchema.safeParse(n).success).toBe(Number.isSafeInteger(n) && n >= 0);
      }),
    );
    for (const bad of ['100', null, Number.NaN, Number.POSITIVE_INFINITY, -0.5])
      expect(MinorUnitsSchema.safeParse(bad).success).toBe(false);
  });

  it('take only ISO 4217 codes whose exponent we know, in capitals', () => {
    const known = Object.keys(CURRENCY_EXPONENTS);
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 4 }), (code) => {
        expect(CurrencyCodeSchema.safeParse(code).success).toBe(known.includes(code));
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...known), fc.nat(), (currency, amountMinor) => {
        expect(NonNegativeMoneySchema.parse({ amountMinor, currency })).toEqual({ amountMinor, currency });
        expect(
          NonNegativeMoneySchema.safeParse({ amountMinor, currency: currency.toLowerCase() }).success,
        ).toBe(false);
      }),
    );
  });
});

describe('amendment numbers and change sets', () => {
  it('accepts whole numbers from 1 to the bound, nothing else', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.double(), fc.integer({ min: -2, max: MAX_AMENDMENT_NUMBER + 2 })),
        (n) => {
          expect(AmendmentNumberSchema.safeParse(n).success).toBe(
            Number.isInteger(n) && n >= 1 && n <= MAX_AMENDMENT_NUMBER,
          );
        },
      ),
    );
  });

  it('finds every amount of a change set, with the path of its field', () => {
    const currency = fc.constantFrom('USD', 'EUR', 'JPY');
    const money = fc.record({ amountMinor: fc.nat(), currency });
    const rate = fc.record({
      role: fc.constantFrom('Consultant', 'Architect'),
      rate: money,
      effectiveFrom: fc.constant('2026-11-17'),
    });
    const milestone = fc.record({
      key: fc.constantFrom('M1', 'M2', 'M3'),
      name: fc.constant('Go-live'),
      amount: money,
      dueDate: fc.constant('2027-01-15'),
    });
    fc.assert(
      fc.property(
        fc.array(rate, { maxLength: 3 }),
        fc.option(money, { nil: undefined }),
        fc.option(money, { nil: undefined }),
        fc.array(milestone, { maxLength: 3 }),
        fc.array(fc.record({ key: fc.constant('M1'), amount: money }), { maxLength: 2 }),
        (rates, budget, notToExceed, added, changed) => {
          const parsed = AmendmentChangesSchema.safeParse({
            rates,
            budget,
            notToExceed,
            milestones: { added, changed },
            endDate: '2027-06-30',
          });
          expect(parsed.success).toBe(true);
          if (!parsed.success) return;
          const found = moneyInChanges(parsed.data);
          const expected = [
            ...rates.map((r, i) => [`rates.${i}.rate`, r.rate.currency]),
            ...(budget ? [['budget', budget.currency]] : []),
            ...(notToExceed ? [['notToExceed', notToExceed.currency]] : []),
            ...added.map((m, i) => [`milestones.added.${i}.amount`, m.amount.currency]),
            ...changed.map((m, i) => [`milestones.changed.${i}.amount`, m.amount.currency]),
          ];
          expect(found.map((f) => [f.field, f.currency])).toEqual(expected);
        },
      ),
    );
  });

  it('refuses negative money, impossible dates and blank roles inside a change set', () => {
    const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });
    for (const bad of [
      { budget: usd(-1) },
      { notToExceed: usd(0.5) },
      { endDate: '2026-02-30' },
      { rates: [{ role: '  ', rate: usd(100), effectiveFrom: '2026-11-17' }] },
      { rates: [{ role: 'Consultant', rate: usd(100), effectiveFrom: '2026-06-31' }] },
      { milestones: { added: [{ key: 'M9', name: ' ', amount: usd(1), dueDate: '2027-01-01' }] } },
      { milestones: { removed: Array.from({ length: 201 }, (_, i) => `M${i}`) } },
      { scope: '   ' },
    ])
      expect(AmendmentChangesSchema.safeParse(bad).success, JSON.stringify(bad).slice(0, 80)).toBe(false);
  });
});

describe('EntraId', () => {
  it('accepts GUIDs in either case, nothing else', () => {
    fc.assert(
      fc.property(fc.uuid(), (id) => {
        expect(EntraIdSchema.safeParse(id).success).toBe(true);
        expect(EntraIdSchema.safeParse(id.toUpperCase()).success).toBe(true);
      }),
    );
    for (const bad of ['contoso.onmicrosoft.com', '72f988bf86f141af91ab2d7cd011db47', ''])
      expect(EntraIdSchema.safeParse(bad).success).toBe(false);
  });
});
