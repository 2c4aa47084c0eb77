import { z } from 'zod';
import { ConnectorError } from '../errors';
import { credentialKey, IsolateCache } from '../isolate-cache';
import { type NetSuiteConnection, suiteTalkBaseUrl } from './config';
import type { RestClient } from './rest-client';
import { SYSTEM } from './vendor-error';

const SuiteQlPageSchema = z.object({
  items: z.array(z.record(z.string(), z.unknown())),
  hasMore: z.boolean().optional(),
});

const CurrencyRowSchema = z.object({ id: z.coerce.string(), symbol: z.string() });
const SubsidiaryRowSchema = z.object({
  id: z.coerce.string(),
  name: z.string(),
  country: z.string().nullish(),
});
type SubsidiaryRow = z.infer<typeof SubsidiaryRowSchema>;

/** Currencies and subsidiaries change rarely: the isolate keeps what it read for 15 minutes, by credential. */
const REFERENCE_TTL_MS = 15 * 60_000;
const sharedCurrencies = new IsolateCache<[string, string][]>();
const sharedSubsidiaries = new IsolateCache<SubsidiaryRow[]>();

/**
 * Internal ids of currencies and subsidiaries. The connection's maps win; anything else is read with
 * SuiteQL (`POST /services/rest/query/v1/suiteql`, `Prefer: transient`) and cached in the connector and
 * in the isolate, so the steps of an activation (and a busy month end) cost no extra calls against the
 * account's concurrency budget.
 */
export function createReferenceIds(config: NetSuiteConnection, client: RestClient) {
  let currencies: Promise<Map<string, string>> | undefined;
  let subsidiaries: Promise<SubsidiaryRow[]> | undefined;
  let sharedKey: Promise<string> | undefined;
  const keyOf = () => (sharedKey ??= credentialKey(suiteTalkBaseUrl(config), JSON.stringify(config.auth)));

  async function query(q: string): Promise<Record<string, unknown>[]> {
    const response = await client.send({
      method: 'POST',
      path: '/query/v1/suiteql',
      headers: { Prefer: 'transient' },
      body: JSON.stringify({ q }),
      context: 'reference lookup',
    });
    return SuiteQlPageSchema.parse(await response.json()).items;
  }

  function cached<T>(
    get: () => Promise<T> | undefined,
    set: (p: Promise<T> | undefined) => void,
    load: () => Promise<T>,
  ): Promise<T> {
    const existing = get();
    if (existing) return existing;
    const p = load().catch((e) => {
      set(undefined);
      throw e;
    });
    set(p);
    return p;
  }

  return {
    async currencyId(code: string): Promise<string> {
      const mapped = config.currencyIds[code];
      if (mapped) return mapped;
      const byCode = await cached(
        () => currencies,
        (p) => {
          currencies = p;
        },
        async () => {
          const key = await keyOf();
          const known = sharedCurrencies.get(key);
          if (known) return new Map(known);
          const rows = (await query('SELECT id, symbol FROM currency'))
            .map((r) => CurrencyRowSchema.parse(r))
            .map((r): [string, string] => [r.symbol.toUpperCase(), r.id]);
          sharedCurrencies.set(key, rows, Date.now() + REFERENCE_TTL_MS);
          return new Map(rows);
        },
      );
      const id = byCode.get(code.toUpperCase());
      if (id) return id;
      // Someone may enable it in NetSuite now: the next attempt reads the list again.
      sharedCurrencies.delete(await keyOf());
      currencies = undefined;
      throw new ConnectorError({
        system: SYSTEM,
        message: `Currency ${code} is not set up in NetSuite`,
        retryable: false,
        code: 'NETSUITE_UNKNOWN_CURRENCY',
        field: 'currency',
        fix: `Enable ${code} in NetSuite (Lists > Accounting > Currencies) or map it in the NetSuite connection (currencyIds).`,
      });
    },

    async subsidiaryId(name: string | undefined): Promise<string> {
      const wanted = name?.trim();
      if (wanted && config.subsidiaryIds[wanted]) return config.subsidiaryIds[wanted]!;
      if (!wanted && config.defaultSubsidiaryId) return config.defaultSubsidiaryId;
      const rows = await cached(
        () => subsidiaries,
        (p) => {
          subsidiaries = p;
        },
        async () => {
          const key = await keyOf();
          const known = sharedSubsidiaries.get(key);
          if (known) return known;
          const rows = (await query('SELECT id, name, country FROM subsidiary')).map((r) =>
            SubsidiaryRowSchema.parse(r),
          );
          sharedSubsidiaries.set(key, rows, Date.now() + REFERENCE_TTL_MS);
          return rows;
        },
      );
      if (wanted) {
        const match = rows.find((r) => r.id === wanted || r.name.toLowerCase() === wanted.toLowerCase());
        if (match) return match.id;
      } else if (rows.length === 1) {
        return rows[0]!.id;
      }
      sharedSubsidiaries.delete(await keyOf());
      subsidiaries = undefined;
      throw new ConnectorError({
        system: SYSTEM,
        message: wanted
          ? `NetSuite has no subsidiary named "${wanted}"`
          : 'The customer names no billing subsidiary and NetSuite has several',
        retryable: false,
        code: 'NETSUITE_UNKNOWN_SUBSIDIARY',
        field: 'customer.legalEntity.billingSubsidiary',
        fix: `Set the account’s Billing Subsidiary in the CRM to one of: ${rows.map((r) => r.name).join(', ') || '(none found)'}; or map it (subsidiaryIds) or set defaultSubsidiaryId in the NetSuite connection.`,
      });
    },
  };
}
export type ReferenceIds = ReturnType<typeof createReferenceIds>;
