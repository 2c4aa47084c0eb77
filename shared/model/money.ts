import { z } from 'zod';
import { type CurrencyCode, CurrencyCodeSchema, currencyExponent } from './currency';

/** Money is an integer count of the currency's minor unit (cents, yen, fils). Never a float. */
export const MoneySchema = z
  .object({
    amountMinor: z
      .number()
      .int('amountMinor must be a whole number of minor units (e.g. cents)')
      .refine(Number.isSafeInteger, 'amountMinor is too large'),
    currency: CurrencyCodeSchema,
  })
  .meta({
    id: 'Money',
    description: 'An amount in integer minor units of an ISO 4217 currency (USD cents, JPY yen, KWD fils).',
    example: { amountMinor: 1_650_000, currency: 'USD' },
  });
export type Money = z.infer<typeof MoneySchema>;

/** A count of minor units that cannot be negative: a price, a rate, a budget, a cap, a threshold. */
export const MinorUnitsSchema = z
  .number()
  .int('Use a whole number of minor units (e.g. cents: 1650.00 USD is 165000)')
  .min(0, 'Must not be negative')
  .max(Number.MAX_SAFE_INTEGER, 'Too large');

/** Money that cannot be negative (rates, budgets, caps, milestone amounts), as clients send it. */
export const NonNegativeMoneySchema = z
  .object({ amountMinor: MinorUnitsSchema, currency: CurrencyCodeSchema })
  .meta({
    id: 'NonNegativeMoney',
    description: 'A non-negative amount in integer minor units of an ISO 4217 currency.',
    example: { amountMinor: 18_000, currency: 'USD' },
  });

export function money(amountMinor: number, currency: CurrencyCode): Money {
  if (!Number.isSafeInteger(amountMinor))
    throw new RangeError(`amountMinor must be a safe integer, got ${amountMinor}`);
  return { amountMinor, currency };
}

export class CurrencyMismatchError extends Error {
  constructor(a: CurrencyCode, b: CurrencyCode) {
    super(`Cannot combine ${a} with ${b}`);
    this.name = 'CurrencyMismatchError';
  }
}

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency);
  return money(a.amountMinor + b.amountMinor, a.currency);
}

export function sumMoney(items: readonly Money[], currency: CurrencyCode): Money {
  return items.reduce((acc, m) => addMoney(acc, m), money(0, currency));
}

/**
 * Split an amount by integer weights without losing a minor unit (largest remainder method; ties go to
 * the earlier share so the result is deterministic).
 */
export function allocateMoney(total: Money, weights: readonly number[]): Money[] {
  if (weights.length === 0) throw new RangeError('allocate needs at least one weight');
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0))
    throw new RangeError('weights must be non-negative integers');
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) throw new RangeError('weights must not all be zero');
  const sign = total.amountMinor < 0 ? -1 : 1;
  const abs = BigInt(Math.abs(total.amountMinor));
  const big = BigInt(sum);
  const shares = weights.map((w) => (abs * BigInt(w)) / big);
  const remainders = weights.map((w, i) => ({ i, r: (abs * BigInt(w)) % big }));
  let left = abs - shares.reduce((a, b) => a + b, 0n);
  remainders.sort((x, y) => (x.r === y.r ? x.i - y.i : x.r > y.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    shares[i] = (shares[i] ?? 0n) + 1n;
    left -= 1n;
  }
  // `|| 0` turns the -0 of a zero share of a negative total into 0.
  return shares.map((s) => money(sign * Number(s) || 0, total.currency));
}

/** Minor units → decimal string in the currency's exponent ("1234.50"), for APIs that take decimals. */
export function toDecimalString(m: Money): string {
  const exp = currencyExponent(m.currency);
  const neg = m.amountMinor < 0;
  const digits = Math.abs(m.amountMinor)
    .toString()
    .padStart(exp + 1, '0');
  const whole = exp === 0 ? digits : digits.slice(0, -exp);
  const frac = exp === 0 ? '' : `.${digits.slice(-exp)}`;
  return `${neg ? '-' : ''}${whole}${frac}`;
}

/** Decimal (string or number as sent by a vendor) → minor units, refusing more precision than the currency has. */
export function fromDecimal(value: string | number, currency: CurrencyCode): Money {
  const exp = currencyExponent(currency);
  const text = typeof value === 'number' ? value.toFixed(Math.max(exp, 0) + 4) : value.trim();
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new RangeError(`Not a decimal amount: ${value}`);
  const [, neg, whole, frac = ''] = match;
  const significant = frac.replace(/0+$/, '');
  if (significant.length > exp)
    throw new RangeError(`${value} has more decimals than ${currency} allows (${exp})`);
  const minor = BigInt(whole!) * 10n ** BigInt(exp) + BigInt((frac + '0'.repeat(exp)).slice(0, exp) || '0');
  return money(Number(neg ? -minor : minor), currency);
}

export function formatMoney(m: Money, locale = 'en-US'): string {
  const exp = currencyExponent(m.currency);
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: m.currency,
    minimumFractionDigits: exp,
    maximumFractionDigits: exp,
  }).format(Number(toDecimalString(m)));
}
