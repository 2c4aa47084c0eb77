import { type Money, toDecimalString } from '../../../shared/model/money';

/**
 * NetSuite takes amounts and percentages as JSON numbers. JSON.rawJSON (V8 11.4+, so Node 22 and
 * workerd) writes the exact decimal literal instead of a float's shortest form; where it is missing
 * the value goes through Number, which is exact for any amount below 2^53 minor units anyway.
 */
const rawJSON = (JSON as unknown as { rawJSON?: (text: string) => unknown }).rawJSON;

export function decimalLiteral(text: string): unknown {
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new RangeError(`Not a decimal: ${text}`);
  return rawJSON ? rawJSON(text) : Number(text);
}

export function moneyNumber(m: Money): unknown {
  return decimalLiteral(toDecimalString(m));
}

export function toJson(body: unknown): string {
  return JSON.stringify(body);
}
