import { CURRENCY_EXPONENTS } from '../../../shared/model/currency';

/**
 * Kantata takes a workspace `price` in whole currency units (the docs type it as an integer; Rails form
 * encoding also lets decimal strings through) and shows it back as `price` (decimal string) and
 * `price_in_cents` (subunits). Everything else money-like (`budget_estimate_in_cents`, rate card `rate`) is
 * an integer in subunits.
 */

export function exponentOf(currency: string): number | undefined {
  return Object.hasOwn(CURRENCY_EXPONENTS, currency)
    ? CURRENCY_EXPONENTS[currency as keyof typeof CURRENCY_EXPONENTS]
    : undefined;
}

/** Whole units (number or decimal string) → subunits, or undefined when it is not a valid amount. */
export function priceToSubunits(value: unknown, currency: string): number | undefined {
  const exp = exponentOf(currency) ?? 2;
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = Number.isInteger(value) ? String(value) : value.toFixed(exp + 2);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return undefined;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > exp) return undefined;
  const subunits = Number(m[1]) * 10 ** exp + Number((frac + '0'.repeat(exp)).slice(0, exp) || '0');
  return Number.isSafeInteger(subunits) ? subunits : undefined;
}

export function subunitsToDecimal(subunits: number, currency: string): string {
  const exp = exponentOf(currency) ?? 2;
  if (exp === 0) return String(subunits);
  const digits = Math.abs(subunits)
    .toString()
    .padStart(exp + 1, '0');
  return `${subunits < 0 ? '-' : ''}${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
}

export function formatAmount(subunits: number | null, currency: string): string {
  if (subunits === null) return '—';
  const exp = exponentOf(currency) ?? 2;
  const n = Number(subunitsToDecimal(subunits, currency));
  try {
    return new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency,
      minimumFractionDigits: exp,
      maximumFractionDigits: exp,
    }).format(n);
  } catch {
    return `${subunitsToDecimal(subunits, currency)} ${currency}`;
  }
}
