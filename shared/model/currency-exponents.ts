/**
 * ISO 4217 minor-unit exponents (no dependencies: the browser plugins import this table directly, without
 * pulling zod into their bundles) for the currencies Handoff accepts. A currency not listed here is
 * refused at the edge rather than guessed: a wrong exponent turns 10.00 into 1000.
 */
export const CURRENCY_EXPONENTS = {
  AED: 2,
  AUD: 2,
  BHD: 3,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CLP: 0,
  CNY: 2,
  CZK: 2,
  DKK: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  HUF: 2,
  IDR: 2,
  ILS: 2,
  INR: 2,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  MXN: 2,
  MYR: 2,
  NOK: 2,
  NZD: 2,
  OMR: 3,
  PHP: 2,
  PLN: 2,
  SAR: 2,
  SEK: 2,
  SGD: 2,
  THB: 2,
  TND: 3,
  TRY: 2,
  TWD: 2,
  USD: 2,
  VND: 0,
  ZAR: 2,
} as const satisfies Record<string, number>;

/** The exponent of a currency code from outside (a browser, a vendor), or undefined when we don't know it. */
export function exponentOf(code: string): number | undefined {
  return (CURRENCY_EXPONENTS as Readonly<Record<string, number>>)[code];
}
