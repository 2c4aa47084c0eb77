import { describe, expect, it } from 'vitest';
import {
  exponentOf,
  formatMoney as format,
  formatAge,
  formatDate,
  minorToDecimal,
  percentOf,
} from '../src/format';

// Intl separates code and amount with a no-break space; compare with plain spaces.
const formatMoney = (...args: Parameters<typeof format>) => format(...args).replace(/\u00a0/g, ' ');

describe('sidebar number formatting', () => {
  it('formats minor units with the currency exponent: USD 2, JPY 0, KWD 3', () => {
    expect(formatMoney({ amountMinor: 123_456, currency: 'USD' }, 'en-US')).toBe('$1,234.56');
    expect(formatMoney({ amountMinor: 123_456, currency: 'JPY' }, 'en-US')).toBe('¥123,456');
    expect(formatMoney({ amountMinor: 1_234_567, currency: 'KWD' }, 'en-US')).toBe('KWD 1,234.567');
    expect(formatMoney({ amountMinor: -5, currency: 'EUR' }, 'de-DE')).toBe('-0,05 €');
  });

  it('keeps ISO exponents where Intl disagrees (HUF and IDR have 2 minor digits)', () => {
    expect(exponentOf('HUF')).toBe(2);
    expect(formatMoney({ amountMinor: 150, currency: 'HUF' }, 'en-US')).toBe('HUF 1.50');
  });

  it('does not lose the last digit of a large amount to floating point', () => {
    expect(minorToDecimal(9_007_199_254_740_991, 2)).toBe('90071992547409.91');
    expect(formatMoney({ amountMinor: 9_007_199_254_740_991, currency: 'USD' }, 'en-US')).toBe(
      '$90,071,992,547,409.91',
    );
  });

  it('says ages the short way', () => {
    expect(formatAge(10)).toBe('just now');
    expect(formatAge(4 * 60)).toBe('4 min ago');
    expect(formatAge(3 * 3600 + 1200)).toBe('3 h ago');
    expect(formatAge(2 * 86_400 + 5)).toBe('2 d ago');
  });

  it('shows ISO dates on the day they name, whatever the time zone', () => {
    expect(formatDate('2026-11-30', 'en-US')).toBe('Nov 30, 2026');
  });

  it('has no percentage of nothing', () => {
    expect(percentOf(5, 0)).toBeNull();
    expect(percentOf(1, 3)).toBe(33);
  });
});
