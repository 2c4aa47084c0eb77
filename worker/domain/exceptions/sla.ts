import { eq } from 'drizzle-orm';
import { DEFAULT_SLA, type SlaPolicy, SlaPolicySchema } from '../../../shared/api/exceptions';
import type { Db } from '../../db/client';
import { slaPoliciesTable } from '../../db/schema';
import { type AuditedPrincipal, audit, byPrincipal } from '../audit';

/** The firm's SLA per owner queue; DEFAULT_SLA until an admin sets one. */
export async function loadSla(db: Db, tenantId: string): Promise<SlaPolicy> {
  const [row] = await db
    .select()
    .from(slaPoliciesTable)
    .where(eq(slaPoliciesTable.tenantId, tenantId))
    .limit(1);
  const parsed = row ? SlaPolicySchema.safeParse(row.policy) : undefined;
  return parsed?.success ? parsed.data : DEFAULT_SLA;
}

/** Replace the firm's SLA policy; audited before/after. Due times and overdue follow at once (they are read from it). */
export async function saveSla(
  db: Db,
  input: { tenantId: string; policy: SlaPolicy },
  by: { who: AuditedPrincipal; correlationId: string },
): Promise<SlaPolicy> {
  const before = await loadSla(db, input.tenantId);
  const row = { tenantId: input.tenantId, policy: input.policy, updatedAt: new Date().toISOString() };
  await db
    .insert(slaPoliciesTable)
    .values(row)
    .onConflictDoUpdate({ target: slaPoliciesTable.tenantId, set: row });
  await audit(
    db,
    byPrincipal(by.who, {
      tenantId: input.tenantId,
      correlationId: by.correlationId,
      action: 'sla_policy.updated',
      subjectType: 'sla_policy',
      subjectId: input.tenantId,
      detail: { before, after: input.policy },
    }),
  );
  return input.policy;
}
