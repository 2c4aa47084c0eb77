import { z } from 'zod';
import { ConnectorError } from '../errors';
import { credentialKey, IsolateCache } from '../isolate-cache';
import { type NetSuiteConnection, suiteTalkBaseUrl } from './config';
import { type SuiteQl, sqlString } from './suiteql';
import { SYSTEM } from './vendor-error';

const IdRow = z.object({ id: z.coerce.string() });
const CategoryRow = z.object({ id: z.coerce.string(), name: z.string() });

/** Ids found in NetSuite, kept by the isolate for 15 minutes per credential: one month-end batch after
 * another does not look the same people and items up again. */
const FOUND_TTL_MS = 15 * 60_000;
const found = new IsolateCache<string>(5000);

/**
 * Internal ids the delivery records reference: employees (by email, else by name), items and expense
 * categories. Found ids are cached per connector and in the isolate; a person NetSuite lacks is asked
 * again next time, so adding the employee and retrying works without a restart.
 */
export function createDeliveryRefs(config: NetSuiteConnection, query: SuiteQl) {
  let scope: Promise<string> | undefined;
  const scoped = async (key: string) => {
    scope ??= credentialKey(suiteTalkBaseUrl(config), JSON.stringify(config.auth));
    return `${await scope}|${key}`;
  };
  /** The isolate's answer for `key`, else `load`'s (kept when it found an id). */
  const shared = async (key: string, load: () => Promise<string | undefined>) => {
    const k = await scoped(key);
    const hit = found.get(k);
    if (hit) return hit;
    const id = await load();
    if (id) found.set(k, id, Date.now() + FOUND_TTL_MS);
    return id;
  };
  const employees = new Map<string, Promise<string | undefined>>();
  const items = new Map<string, Promise<string>>();
  let categories: Promise<Map<string, string>> | undefined;

  async function findEmployee(name: string, email: string | undefined): Promise<string | undefined> {
    const active = "isinactive = 'F'";
    if (email) {
      const rows = await query(
        `SELECT id FROM employee WHERE email = ${sqlString(email)} AND ${active}`,
        'employee lookup',
      );
      if (rows.length > 0) return IdRow.parse(rows[0]).id;
    }
    const rows = await query(
      `SELECT id FROM employee WHERE entityid = ${sqlString(name)} AND ${active}`,
      'employee lookup',
    );
    // Two active employees with the same name and no email to tell them apart: refuse to guess.
    return rows.length === 1 ? IdRow.parse(rows[0]).id : undefined;
  }

  return {
    async employeeId(person: { personName: string; personEmail?: string }): Promise<string> {
      const name = person.personName.trim();
      const email = person.personEmail?.trim() || undefined;
      const cacheKey = `${email ?? ''}|${name}`;
      let pending = employees.get(cacheKey);
      if (!pending) {
        pending = shared(`employee|${cacheKey}`, () => findEmployee(name, email));
        employees.set(cacheKey, pending);
        pending.then(
          (id) => id === undefined && employees.delete(cacheKey),
          () => employees.delete(cacheKey),
        );
      }
      const id = await pending;
      if (id) return id;
      throw new ConnectorError({
        system: SYSTEM,
        message: `NetSuite has no active employee ${name}${email ? ` <${email}>` : ''}`,
        retryable: false,
        code: 'EMPLOYEE_NOT_FOUND',
        field: 'personName',
        fix: `Add ${name} as an employee in NetSuite (Lists > Employees > Employees > New)${email ? ` with the email ${email}` : ' with exactly this name'}, or correct the person in the PSA, then retry.`,
      });
    },

    itemId(kind: 'time' | 'expense' | 'invoice'): Promise<string> {
      const wanted = config.items[kind];
      if (/^\d+$/.test(wanted)) return Promise.resolve(wanted);
      let pending = items.get(wanted);
      if (!pending) {
        pending = shared(`item|${wanted}`, async () => {
          const rows = await query(`SELECT id FROM item WHERE itemid = ${sqlString(wanted)}`, 'item lookup');
          return rows.length > 0 ? IdRow.parse(rows[0]).id : undefined;
        }).then((id) => {
          if (id) return id;
          throw new ConnectorError({
            system: SYSTEM,
            message: `NetSuite has no item named "${wanted}" for ${kind} billing`,
            retryable: false,
            code: 'NETSUITE_ITEM_NOT_FOUND',
            field: `items.${kind}`,
            fix: `Create the item "${wanted}" in NetSuite (Lists > Accounting > Items > New) or set items.${kind} in the NetSuite connection to an existing item's name or internal id.`,
          });
        });
        items.set(wanted, pending);
        pending.catch(() => items.delete(wanted));
      }
      return pending;
    },

    async expenseCategoryId(category: string): Promise<string> {
      const mapped = config.expenseCategoryIds[category];
      if (mapped) return mapped;
      if (!categories) {
        const loading = query('SELECT id, name FROM expensecategory', 'expense category lookup').then(
          (rows) => new Map(rows.map((r) => CategoryRow.parse(r)).map((r) => [r.name.toLowerCase(), r.id])),
        );
        categories = loading;
        loading.catch(() => {
          if (categories === loading) categories = undefined;
        });
      }
      const byName = await categories;
      const id = byName.get(category.trim().toLowerCase());
      if (id) return id;
      const fallback = config.defaultExpenseCategory;
      if (fallback)
        return /^\d+$/.test(fallback) ? fallback : (byName.get(fallback.toLowerCase()) ?? fallback);
      throw new ConnectorError({
        system: SYSTEM,
        message: `NetSuite has no expense category "${category}"`,
        retryable: false,
        code: 'EXPENSE_CATEGORY_NOT_FOUND',
        field: 'category',
        fix: `Create the expense category "${category}" in NetSuite (Setup > Accounting > Expense Categories), or map it (expenseCategoryIds) or set defaultExpenseCategory in the NetSuite connection.`,
      });
    },
  };
}
export type DeliveryRefs = ReturnType<typeof createDeliveryRefs>;
