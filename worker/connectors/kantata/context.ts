import { currencyExponent } from '../../../shared/model/currency';
import { type Money, toDecimalString } from '../../../shared/model/money';
import { ConnectorError } from '../errors';
import type { KantataConnection } from './config';
import { SYSTEM } from './errors';
import type { KantataHttp } from './http';

/** What every Kantata operation needs: the HTTP client and the connection settings. */
export interface KantataContext {
  http: KantataHttp;
  config: KantataConnection;
}

/** `service_model` values of the external references Handoff puts on what it creates. */
export const SERVICE_MODEL = {
  project: 'project',
  wbsNode: 'wbs_node',
  milestone: 'milestone',
  rateCard: 'rate_card',
} as const;

/** Kantata ids are integers in request bodies; refuse anything else before it reaches the API. */
export function kantataId(id: string, what: string): number {
  if (!/^\d+$/.test(id) || !Number.isSafeInteger(Number(id))) {
    throw new ConnectorError({
      system: SYSTEM,
      message: `${what} "${id}" is not a Kantata id`,
      retryable: false,
      code: 'INVALID_ID',
      field: what,
    });
  }
  return Number(id);
}

export function validationError(message: string, field: string, fix: string): ConnectorError {
  return new ConnectorError({ system: SYSTEM, message, retryable: false, code: 'VALIDATION', field, fix });
}

export const isIsoDate = (v: string | undefined): v is string => !!v && /^\d{4}-\d{2}-\d{2}$/.test(v);

/**
 * A short, search-friendly token derived from an idempotency key, written where Kantata has no external
 * reference (rate card set titles) or as a second marker (workspace descriptions).
 */
export async function keyMarker(key: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `hk${hex.slice(0, 20)}`;
}

/**
 * Workspace `price` is documented as an integer in the currency's base unit (dollars for USD). Whole
 * amounts go as that integer; an amount with a fraction goes as an exact decimal string, which Kantata's
 * Rails parameter parsing accepts, rather than being rounded or sent as a float.
 */
export function priceValue(m: Money): number | string {
  const unit = 10 ** currencyExponent(m.currency);
  return m.amountMinor % unit === 0 ? m.amountMinor / unit : toDecimalString(m);
}

export const slug = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
