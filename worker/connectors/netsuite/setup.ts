import { z } from 'zod';
import { ConnectorError } from '../errors';
import type { SetupCheck } from '../ports';
import type { NetSuiteConnection } from './config';
import type { SuiteQl } from './suiteql';
import type { TokenSource } from './token-source';

/**
 * What the console reads in NetSuite with the connection's own M2M credentials: the subsidiaries and items to
 * choose from (SuiteQL, `POST /services/rest/query/v1/suiteql`), and the connection test (a token, SuiteQL
 * access, the chosen subsidiaries and the items delivery bills through).
 */

const SubsidiaryRow = z.object({
  id: z.coerce.string(),
  name: z.string(),
  country: z.string().nullish(),
  currency: z.coerce.string().nullish(),
});
const ItemRow = z.object({
  id: z.coerce.string(),
  itemid: z.string(),
  displayname: z.string().nullish(),
  itemtype: z.string().nullish(),
});

export interface NetSuiteChoices {
  subsidiaries: { id: string; name: string; country: string | null }[];
  items: { id: string; name: string; displayName: string | null; type: string | null }[];
}

export async function netsuiteChoices(query: SuiteQl): Promise<NetSuiteChoices> {
  const [subsidiaries, items] = await Promise.all([
    query('SELECT id, name, country, currency FROM subsidiary ORDER BY name', 'subsidiary list'),
    query(
      "SELECT id, itemid, displayname, itemtype FROM item WHERE isinactive = 'F' ORDER BY itemid",
      'item list',
    ),
  ]);
  return {
    subsidiaries: subsidiaries.map((r) => {
      const s = SubsidiaryRow.parse(r);
      return { id: s.id, name: s.name, country: s.country ?? null };
    }),
    items: items.map((r) => {
      const i = ItemRow.parse(r);
      return { id: i.id, name: i.itemid, displayName: i.displayname ?? null, type: i.itemtype ?? null };
    }),
  };
}

function failed(name: string, e: unknown, fix?: string): SetupCheck {
  if (!(e instanceof ConnectorError)) throw e;
  const f = fix ?? e.fix;
  return { name, ok: false, message: e.message, ...(f ? { fix: f } : {}) };
}

const ROLE_FIX =
  "Give the role mapped to Handoff's certificate the permissions REST Web Services (Full), SuiteAnalytics Workbook, Subsidiaries, Items, Customers, Projects, Time Tracking, Expense Report and Invoice (Setup › Users/Roles › Manage Roles).";

/** An item as the connection names it: an internal id, or its Item Name/Number. */
const matchesItem = (item: NetSuiteChoices['items'][number], wanted: string) =>
  item.id === wanted || item.name.toLowerCase() === wanted.toLowerCase();

export async function netsuiteSetupChecks(
  config: NetSuiteConnection,
  tokens: TokenSource,
  query: SuiteQl,
): Promise<SetupCheck[]> {
  const checks: SetupCheck[] = [];
  try {
    await tokens.get();
    checks.push({
      name: 'Sign-in (OAuth 2.0 client credentials)',
      ok: true,
      message: `NetSuite account ${config.accountId} issued a token to the integration.`,
    });
  } catch (e) {
    return [failed('Sign-in (OAuth 2.0 client credentials)', e)];
  }
  let choices: NetSuiteChoices;
  try {
    choices = await netsuiteChoices(query);
    checks.push({
      name: 'SuiteQL access',
      ok: true,
      message: `Read ${choices.subsidiaries.length} subsidiaries and ${choices.items.length} items.`,
    });
  } catch (e) {
    checks.push(
      failed(
        'SuiteQL access',
        e,
        e instanceof ConnectorError && (e.status === 401 || e.status === 403) ? ROLE_FIX : undefined,
      ),
    );
    return checks;
  }
  const ids = new Set(choices.subsidiaries.map((s) => s.id));
  const chosen = [...Object.entries(config.subsidiaryIds)];
  if (config.defaultSubsidiaryId) chosen.push(['(default)', config.defaultSubsidiaryId]);
  const gone = chosen.filter(([, id]) => !ids.has(id));
  checks.push(
    gone.length
      ? {
          name: 'Subsidiaries',
          ok: false,
          message: `NetSuite has no subsidiary ${gone.map(([n, id]) => `${id} (${n})`).join(', ')}.`,
          fix: 'Choose the subsidiaries again in the console (Connections › NetSuite): the list is read from NetSuite.',
        }
      : chosen.length === 0
        ? {
            name: 'Subsidiaries',
            ok: false,
            message: "No subsidiary chosen: a customer whose account names none can't be created.",
            fix: 'Choose the subsidiaries Handoff bills through, and a default, in the console (Connections › NetSuite).',
          }
        : {
            name: 'Subsidiaries',
            ok: true,
            message: `${chosen.length} chosen: ${chosen.map(([n, id]) => `${n} → ${id}`).join(', ')}.`,
          },
  );
  const kinds = ['time', 'expense', 'invoice'] as const;
  const missing = kinds.filter((k) => !choices.items.some((i) => matchesItem(i, config.items[k])));
  checks.push(
    missing.length
      ? {
          name: 'Items',
          ok: false,
          message: `NetSuite has no item ${missing.map((k) => `"${config.items[k]}" (${k})`).join(', ')}.`,
          fix: `Create ${missing.length > 1 ? 'these items' : 'this item'} in NetSuite (Lists › Accounting › Items › New), or choose existing items in the console (Connections › NetSuite).`,
        }
      : {
          name: 'Items',
          ok: true,
          message: kinds.map((k) => `${k}: ${config.items[k]}`).join(', '),
        },
  );
  return checks;
}
