import { ConnectorError } from '../errors';
import type { KantataContext } from './context';
import { SYSTEM } from './errors';
import { RoleSchema } from './schemas';

/**
 * Contract roles ("Senior Consultant") map to the account's Kantata roles by name, ignoring case and
 * surrounding spaces. Handoff does not create account roles: a missing one is a setup gap a person fixes.
 */
export async function resolveRoles(ctx: KantataContext, names: string[]): Promise<Map<string, string>> {
  const { records } = await ctx.http.list('/roles', 'roles', RoleSchema);
  const byName = new Map(records.map((r) => [r.name.trim().toLowerCase(), r.id]));
  const resolved = new Map<string, string>();
  const missing: string[] = [];
  for (const name of new Set(names)) {
    const id = byName.get(name.trim().toLowerCase());
    if (id) resolved.set(name, id);
    else missing.push(name);
  }
  if (missing.length) {
    throw new ConnectorError({
      system: SYSTEM,
      message: `Kantata has no role named ${missing.map((m) => `"${m}"`).join(', ')}`,
      retryable: false,
      code: 'ROLE_NOT_FOUND',
      field: 'role',
      fix: `Add the role${missing.length > 1 ? 's' : ''} ${missing.join(', ')} in Kantata (Settings → Roles), or rename the contract's roles to ones Kantata has: ${records.map((r) => r.name).join(', ') || 'none'}.`,
    });
  }
  return resolved;
}
