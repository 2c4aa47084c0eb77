import { exponentOf as isoExponent } from '../../../shared/model/currency-exponents';

export interface MoneyLike {
  amountMinor: number;
  currency: string;
}

/** The currency's exponent; for a code the table lacks, what Intl says rather than a guess of 2. */
export function exponentOf(currency: string): number {
  const known = isoExponent(currency);
  if (known !== undefined) return known;
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits as number;
  } catch {
    return 2;
  }
}

/** Minor units → exact decimal string ("-1234.500" for KWD), never through a float. */
export function minorToDecimal(amountMinor: number, exponent: number): string {
  const neg = amountMinor < 0;
  const digits = Math.abs(amountMinor)
    .toString()
    .padStart(exponent + 1, '0');
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const frac = exponent === 0 ? '' : `.${digits.slice(-exponent)}`;
  return `${neg ? '-' : ''}${whole}${frac}`;
}

const formatters = new Map<string, Intl.NumberFormat>();

/** "$1,234.50", "¥1,235", "KWD 1.235": Intl does the symbols and grouping, the exponent is ISO's. */
export function formatMoney(m: MoneyLike, locale?: string): string {
  const exponent = exponentOf(m.currency);
  const id = `${locale ?? ''}|${m.currency}`;
  let nf = formatters.get(id);
  if (!nf) {
    try {
      nf = new Intl.NumberFormat(locale, {
        style: 'currency',
        currency: m.currency,
        minimumFractionDigits: exponent,
        maximumFractionDigits: exponent,
      });
    } catch {
      return `${minorToDecimal(m.amountMinor, exponent)} ${m.currency}`;
    }
    formatters.set(id, nf);
  }
  // Intl formats a decimal string exactly (ES2023), so 2^53-sized amounts keep their last digit.
  return nf.format(minorToDecimal(m.amountMinor, exponent) as unknown as number);
}

/** "just now", "4 min ago", "3 h ago", "2 d ago": short enough for a narrow sidebar. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  if (s < 86_400 * 60) return `${Math.floor(s / 86_400)} d ago`;
  return `${Math.floor(s / (86_400 * 30))} mo ago`;
}

/** An ISO date (YYYY-MM-DD) as a short local date, without the time zone shifting it a day. */
export function formatDate(iso: string, locale?: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!match) return iso;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

/** Whole percent of part in whole, or null when there is no whole to measure against. */
export function percentOf(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  return Math.round((part / whole) * 100);
}
