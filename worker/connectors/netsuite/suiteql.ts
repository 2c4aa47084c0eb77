import { z } from 'zod';
import type { RestClient } from './rest-client';

const PageSchema = z.object({
  items: z.array(z.record(z.string(), z.unknown())),
  hasMore: z.boolean().optional(),
});

/** SuiteQL string literal: single quotes doubled, so a name like O'Brien cannot break the query. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** An internal id as a SuiteQL number literal (refuses anything else, so nothing can be injected). */
export function sqlId(id: string): string {
  if (!/^\d+$/.test(id)) throw new RangeError(`Not a NetSuite internal id: ${id}`);
  return id;
}

const PAGE = 1000;

/**
 * `POST /services/rest/query/v1/suiteql` with `Prefer: transient`, following `hasMore` with
 * `limit`/`offset` (at most 1000 rows a page). Rows come back with lower-case column names.
 */
export function createSuiteQl(client: RestClient) {
  return async function query(q: string, context: string): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const response = await client.send({
        method: 'POST',
        path: '/query/v1/suiteql',
        query: { limit: String(PAGE), offset: String(offset) },
        headers: { Prefer: 'transient' },
        body: JSON.stringify({ q }),
        context,
      });
      const page = PageSchema.parse(await response.json());
      rows.push(...page.items);
      if (!page.hasMore || page.items.length === 0) return rows;
    }
  };
}
export type SuiteQl = ReturnType<typeof createSuiteQl>;
