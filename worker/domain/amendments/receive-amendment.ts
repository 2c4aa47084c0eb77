import { and, eq } from 'drizzle-orm';
import type { AmendmentChanges } from '../../../shared/model/amendment';
import type { Db } from '../../db/client';
import { amendmentsTable } from '../../db/schema';
import type { Env } from '../../env';
import { audit } from '../audit';
import { randomToken } from '../crypto';

export interface IncomingAmendment {
  tenantId: string;
  contractKey: string;
  number: number;
  source: 'docusign' | 'crm';
  /** The envelope id (DocuSign) or the CRM's amendment record id: the same amendment is the same ref. */
  sourceRef: string;
  effectiveDate: string;
  signedBy: { name: string; email?: string; signedAt?: string }[];
  changes: AmendmentChanges;
  correlationId: string;
}

/**
 * Record a signed amendment and start applying it. The same amendment delivered again (a Connect retry,
 * a replay, a second click) matches the unique (tenant, source, ref) and changes nothing; the workflow's
 * id is derived from the amendment, so it runs once.
 */
export async function receiveAmendment(
  db: Db,
  env: Pick<Env, 'AMENDMENT_WORKFLOW'>,
  a: IncomingAmendment,
): Promise<{ id: string; duplicate: boolean }> {
  const id = `amd_${randomToken(12)}`;
  const inserted = await db
    .insert(amendmentsTable)
    .values({
      id,
      tenantId: a.tenantId,
      contractKey: a.contractKey,
      number: a.number,
      source: a.source,
      sourceRef: a.sourceRef,
      effectiveDate: a.effectiveDate,
      signedBy: a.signedBy,
      changes: a.changes as unknown as Record<string, unknown>,
      state: 'received',
      correlationId: a.correlationId,
    })
    .onConflictDoNothing()
    .returning({ id: amendmentsTable.id });
  if (!inserted[0]) {
    const [existing] = await db
      .select({ id: amendmentsTable.id })
      .from(amendmentsTable)
      .where(
        and(
          eq(amendmentsTable.tenantId, a.tenantId),
          eq(amendmentsTable.source, a.source),
          eq(amendmentsTable.sourceRef, a.sourceRef),
        ),
      )
      .limit(1);
    return { id: existing?.id ?? id, duplicate: true };
  }
  await audit(db, {
    tenantId: a.tenantId,
    correlationId: a.correlationId,
    actor: a.signedBy.map((s) => s.email ?? s.name).join(', ') || a.source,
    action: 'amendment.received',
    subjectType: 'contract',
    subjectId: a.contractKey,
    detail: { amendmentId: id, number: a.number, source: a.source, effectiveDate: a.effectiveDate },
  });
  try {
    await env.AMENDMENT_WORKFLOW.create({
      id: `amend-${id}`,
      params: { tenantId: a.tenantId, amendmentId: id, correlationId: a.correlationId },
    });
  } catch (e) {
    if (!/already exists|duplicate/i.test(String(e))) throw e;
  }
  return { id, duplicate: false };
}
