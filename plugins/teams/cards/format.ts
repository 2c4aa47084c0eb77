import { CURRENCY_EXPONENTS } from '../../../shared/model/currency';
import type { CardMoney } from './types';

/**
 * Text formatting for cards. Cards are rendered by Teams in the viewer's locale, but amounts are not (the
 * card is JSON text), so money is written unambiguously: ISO code + grouped decimal, from integer minor
 * units with the ISO exponent, never through a float.
 */

export function exponentOf(currency: string): number {
  const exp = (CURRENCY_EXPONENTS as Record<string, number>)[currency];
  if (exp === undefined) throw new Error(`Unknown ISO 4217 currency: ${currency}`);
  return exp;
}

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 123456 USD → "USD 1,234.56"; 123456 JPY → "JPY 123,456"; −5 EUR → "EUR -0.05". */
export function formatMoney(money: CardMoney): string {
  if (!Number.isSafeInteger(money.amountMinor)) throw new Error('amountMinor must be a safe integer');
  const exp = exponentOf(money.currency);
  const negative = money.amountMinor < 0;
  const digits = String(Math.abs(money.amountMinor)).padStart(exp + 1, '0');
  const whole = digits.slice(0, digits.length - exp);
  const frac = exp > 0 ? `.${digits.slice(digits.length - exp)}` : '';
  return `${money.currency} ${negative ? '-' : ''}${group(whole)}${frac}`;
}

/** The signed difference after − before, "+USD 1,000.00" / "-USD 250.00" / "no change". */
export function formatDelta(before: CardMoney, after: CardMoney): string {
  if (before.currency !== after.currency) return 'currency changed';
  const diff = after.amountMinor - before.amountMinor;
  if (diff === 0) return 'no change';
  const text = formatMoney({ amountMinor: Math.abs(diff), currency: after.currency });
  return diff > 0 ? `+${text}` : `-${text}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A calendar date ("2026-11-30") shown as "Nov 30, 2026": the day it names, whatever the time zone. */
export function formatDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate);
  if (!m) return isoDate;
  return `${MONTHS[Number(m[2]) - 1] ?? m[2]} ${Number(m[3])}, ${m[1]}`;
}

/**
 * An instant, written with the Adaptive Cards DATE/TIME functions so each viewer's client shows it in
 * their own locale and time zone. The functions need RFC 3339 with a zone; anything else is shown as is.
 */
export function formatInstant(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const utc = d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `{{DATE(${utc}, SHORT)}} {{TIME(${utc})}}`;
}

/** Age of something raised at `from`, seen at `now`: "just now", "4 min", "3 h", "2 d". */
export function formatAge(from: string, now: string): string {
  const seconds = Math.max(0, Math.floor((Date.parse(now) - Date.parse(from)) / 1000));
  if (!Number.isFinite(seconds) || seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

export function formatHours(hours: number): string {
  return `${Number(hours.toFixed(2))} h`;
}

/** Long free text is cut so a card stays under the Teams message size limit. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
