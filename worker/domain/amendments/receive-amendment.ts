import { and, eq } from 'drizzle-orm';
import { type AmendmentChanges, moneyInChanges } from '../../../shared/model/amendment';
import { AMENDMENT_FIELDS } from '../../connectors/docusign';
import type { Db } from '../../db/client';
import { amendmentsTable } from '../../db/schema';
import { uniqueViolation } from '../../db/unique-violation';
import type { Env } from '../../env';
import { ApiError } from '../../http/api-error';
import { audit } from '../audit';
import { projectByContract } from '../billing/project-context';
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

/** Where the amendment's own fields sit in the request (the CRM body, or the envelope's custom fields). */
const FIELDS = {
  crm: { contract: 'crmRecordId', number: 'number', changes: 'changes' },
  docusign: {
    contract: AMENDMENT_FIELDS.contractKey,
    number: AMENDMENT_FIELDS.amendmentNumber,
    changes: AMENDMENT_FIELDS.changes,
  },
} as const;

async function bySourceRef(db: Db, a: IncomingAmendment) {
  const [row] = await db
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
  return row;
}

function numberTaken(a: IncomingAmendment, latest: number): ApiError {
  const field = FIELDS[a.source].number;
  return new ApiError(
    'CONFLICT',
    `Contract ${a.contractKey} already has an amendment ${a.number} (another document); the next one is ${latest + 1}.`,
    [
      {
        field,
        message: `amendment ${a.number} is already recorded from another document`,
        fix: `If this is a new amendment, number it ${latest + 1}; if it replaces amendment ${a.number}, amend again with the correction as amendment ${latest + 1}.`,
      },
    ],
  );
}

/** How far ahead of the latest recorded amendment a number may be: it waits for those before it. */
export const MAX_AHEAD = 5;

/**
 * Check a signed amendment against what is recorded before anything is stored: the contract is one Handoff
 * activated, the number is not taken and at most MAX_AHEAD past the latest (it waits for the ones before
 * it; further ahead means amendments are missing: refused, and a Connect redelivery or a retry once they
 * are recorded goes through), and every amount is in the contract currency.
 */
async function checkAgainstContract(db: Db, a: IncomingAmendment): Promise<void> {
  const fields = FIELDS[a.source];
  const project = await projectByContract(db, a.tenantId, a.contractKey);
  if (!project)
    throw new ApiError('NOT_FOUND', `Contract ${a.contractKey} has not been activated by Handoff.`, [
      {
        field: fields.contract,
        message: 'no activated project for this opportunity',
        fix: 'Activate the project from the opportunity first, or check the opportunity id the amendment names.',
      },
    ]);
  const recorded = await db
    .select({ number: amendmentsTable.number })
    .from(amendmentsTable)
    .where(and(eq(amendmentsTable.tenantId, a.tenantId), eq(amendmentsTable.contractKey, a.contractKey)));
  const numbers = new Set(recorded.map((r) => r.number));
  let latest = 0;
  for (const n of numbers) latest = Math.max(latest, n);
  if (numbers.has(a.number)) throw numberTaken(a, latest);
  // Signed amendments can arrive out of order (Connect redelivers, a CRM retries): one a few ahead of the
  // latest is kept and waits for the ones before it; a number far ahead means amendments are missing.
  let nextMissing = 1;
  while (numbers.has(nextMissing)) nextMissing += 1;
  if (a.number > latest + MAX_AHEAD)
    throw new ApiError(
      'CONFLICT',
      `Contract ${a.contractKey} has ${latest === 0 ? 'no amendments yet' : `amendments up to ${latest}`}; this one is numbered ${a.number}.`,
      [
        {
          field: fields.number,
          message: `expected at most ${latest + MAX_AHEAD} (amendment ${nextMissing} is the next one missing)`,
          fix: `Send amendment ${nextMissing} first (this one is accepted once the ones before it are near), or correct the number if none is missing.`,
        },
      ],
    );
  const currency = project.contract.currency;
  const wrong = moneyInChanges(a.changes).filter((m) => m.currency !== currency);
  if (wrong.length)
    throw new ApiError(
      'VALIDATION_FAILED',
      `Contract ${a.contractKey} is in ${currency}; an amendment cannot change the contract currency.`,
      wrong.map((m) => ({
        field: `${fields.changes}.${m.field}.currency`,
        message: `${m.currency} is not the contract currency ${currency}`,
        fix: `State the amount in ${currency}.`,
      })),
    );
}

/**
 * Record a signed amendment and start applying it. The same amendment delivered again (a Connect retry,
 * a replay, a second click) matches the unique (tenant, source, ref) and changes nothing; the workflow's
 * id is derived from the amendment, so it runs once. Anything else is checked against the contract first.
 */
export async function receiveAmendment(
  db: Db,
  env: Pick<Env, 'AMENDMENT_WORKFLOW'>,
  a: IncomingAmendment,
): Promise<{ id: string; duplicate: boolean }> {
  const already = await bySourceRef(db, a);
  if (already) return { id: already.id, duplicate: true };
  await checkAgainstContract(db, a);

  const id = `amd_${randomToken(12)}`;
  let inserted: { id: string }[];
  try {
    inserted = await db
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
      .onConflictDoNothing({
        target: [amendmentsTable.tenantId, amendmentsTable.source, amendmentsTable.sourceRef],
      })
      .returning({ id: amendmentsTable.id });
  } catch (e) {
    // Another amendment took this number between the check and the insert.
    if (uniqueViolation(e)?.includes('amendments.number')) throw numberTaken(a, a.number);
    throw e;
  }
  if (!inserted[0]) {
    // The same amendment, delivered twice at once: the other delivery recorded it.
    const existing = await bySourceRef(db, a);
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
