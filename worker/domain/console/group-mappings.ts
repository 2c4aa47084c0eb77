import { and, asc, eq, inArray } from 'drizzle-orm';
import { CONSOLE_ROLES, type ConsoleRole } from '../../../shared/api/console';
import type { Db } from '../../db/client';
import { consoleGroupMappingsTable } from '../../db/schema';
import { type AuditedPrincipal, audit, byPrincipal } from '../audit';
import type { ConsoleProvider } from './providers';

export interface GroupMapping {
  provider: ConsoleProvider;
  /** The provider's group id (Entra: the security group's object id). */
  group: string;
  role: ConsoleRole;
}

export async function listGroupMappings(db: Db, tenantId: string): Promise<GroupMapping[]> {
  const rows = await db
    .select()
    .from(consoleGroupMappingsTable)
    .where(eq(consoleGroupMappingsTable.tenantId, tenantId))
    .orderBy(
      asc(consoleGroupMappingsTable.provider),
      asc(consoleGroupMappingsTable.groupId),
      asc(consoleGroupMappingsTable.role),
    );
  return rows.map((r) => ({ provider: r.provider, group: r.groupId, role: r.role as ConsoleRole }));
}

/** Replaces the tenant's mappings with `mappings` (one batch); audited with before and after. */
export async function replaceGroupMappings(
  db: Db,
  input: { tenantId: string; mappings: GroupMapping[] },
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<GroupMapping[]> {
  const before = await listGroupMappings(db, input.tenantId);
  const unique = new Map(
    input.mappings.map((m) => {
      const group = m.provider === 'entra' ? m.group.toLowerCase() : m.group;
      return [`${m.provider}\n${group}\n${m.role}`, { ...m, group }];
    }),
  );
  const del = db
    .delete(consoleGroupMappingsTable)
    .where(eq(consoleGroupMappingsTable.tenantId, input.tenantId));
  const rows = [...unique.values()].map((m) => ({
    tenantId: input.tenantId,
    provider: m.provider,
    groupId: m.group,
    role: m.role,
  }));
  if (rows.length) await db.batch([del, db.insert(consoleGroupMappingsTable).values(rows)]);
  else await del;
  const after = await listGroupMappings(db, input.tenantId);
  await audit(
    db,
    byPrincipal(by.who, {
      tenantId: input.tenantId,
      correlationId: by.correlationId,
      action: 'console_group_mappings.replaced',
      subjectType: 'tenant',
      subjectId: input.tenantId,
      detail: { before, after },
    }),
  );
  return after;
}

/** Roles the tenant maps from any of `groups` at `provider`. */
export async function mappedRoles(
  db: Db,
  tenantId: string,
  provider: ConsoleProvider,
  groups: readonly string[],
): Promise<ConsoleRole[]> {
  if (groups.length === 0) return [];
  const rows = await db
    .select({ role: consoleGroupMappingsTable.role })
    .from(consoleGroupMappingsTable)
    .where(
      and(
        eq(consoleGroupMappingsTable.tenantId, tenantId),
        eq(consoleGroupMappingsTable.provider, provider),
        inArray(consoleGroupMappingsTable.groupId, groups.slice(0, 200)),
      ),
    );
  return CONSOLE_ROLES.filter((r) => rows.some((x) => x.role === r));
}
