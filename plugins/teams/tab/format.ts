import { exponentOf } from '../../../shared/model/currency-exponents';
import type { CardMoney } from '../cards/types';

/** Same text as the cards' formatMoney ("USD 1,234.56"), without the server-side model. */
export function formatMoney(money: CardMoney): string {
  const exp = exponentOf(money.currency);
  if (exp === undefined || !Number.isSafeInteger(money.amountMinor)) return `${money.currency} ?`;
  const digits = String(Math.abs(money.amountMinor)).padStart(exp + 1, '0');
  const whole = digits.slice(0, digits.length - exp).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = exp > 0 ? `.${digits.slice(digits.length - exp)}` : '';
  return `${money.currency} ${money.amountMinor < 0 ? '-' : ''}${whole}${frac}`;
}
