import { z } from 'zod';

import { CURRENCY_EXPONENTS } from './currency-exponents';

export { CURRENCY_EXPONENTS };

export type CurrencyCode = keyof typeof CURRENCY_EXPONENTS;

export const CurrencyCodeSchema = z
  .string()
  .refine((c): c is CurrencyCode => Object.hasOwn(CURRENCY_EXPONENTS, c), {
    message: 'Unknown or unsupported ISO 4217 currency code (use three capital letters, e.g. USD, EUR, JPY)',
  })
  .transform((c) => c as CurrencyCode);

export function currencyExponent(currency: CurrencyCode): number {
  return CURRENCY_EXPONENTS[currency];
}
