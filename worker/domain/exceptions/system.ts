import { type SQL, sql } from 'drizzle-orm';
import { connectionsTable } from '../../db/schema';
import type { HoldRule } from '../billing/rules';

export type SystemRole = 'crm' | 'psa' | 'erp' | 'clm';

/**
 * The system an exception concerns, for its `system` column: the vendor the firm connected in that role
 * (netsuite, kantata, salesforce, docusign), read in the same statement that writes the exception, or the
 * role itself when nothing is connected in it.
 */
export function connectedSystem(tenantId: string, role: SystemRole): SQL<string> {
  return sql<string>`coalesce((select ${connectionsTable.system} from ${connectionsTable} where ${connectionsTable.tenantId} = ${tenantId} and ${connectionsTable.role} = ${role}), ${role})`;
}

/** Where a held entry is fixed: caps in the contract (a change order in the CRM), the rest in the PSA. */
export function systemOfRule(tenantId: string, rule: HoldRule | string): SQL<string> | 'handoff' {
  if (rule === 'project-not-active') return 'handoff';
  return connectedSystem(
    tenantId,
    rule === 'over-not-to-exceed' || rule === 'over-travel-cap' ? 'crm' : 'psa',
  );
}
