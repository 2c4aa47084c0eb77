import {
  DocuSignConnectError,
  type EnvelopeCompleted,
  parseEnvelopeCompleted,
  verifyConnectSignature,
} from '../../connectors/docusign';
import type { Db } from '../../db/client';
import type { Env } from '../../env';
import { spendBudget } from '../../http/rate-limit';
import { activeConnectKeys } from '../connections/docusign-keys';
import { recordSignal } from '../connections/signals';
import { outcomeRecorder } from '../operations/monitoring';
import { connectionRow, connectionSecrets } from '../tenancy/connectors';
import { receiveAmendment } from './receive-amendment';

export type DocuSignEnvelopeOutcome =
  /** No Connect HMAC key for the tenant, or the signature does not match any. */
  | { outcome: 'unverified' }
  /** A genuine message about something else (another event): acknowledge and ignore. */
  | { outcome: 'ignored'; reason: string }
  /** A genuine message that is not a valid Handoff amendment. */
  | {
      outcome: 'refused';
      message: string;
      error: string;
      /** Each custom field or part of the message that is wrong, with what to change. */
      details: { field: string; message: string; fix?: string }[];
    }
  | { outcome: 'received'; received: { id: string; duplicate: boolean } };

/**
 * A DocuSign Connect message (JSON SIM), verified on its raw body with the tenant's Connect HMAC keys;
 * a completed amendment envelope becomes a received amendment.
 */
export async function receiveDocuSignEnvelope(
  db: Db,
  env: Env,
  input: { tenantId: string; raw: string; headers: Headers; correlationId: string },
): Promise<DocuSignEnvelopeOutcome> {
  const { tenantId, raw } = input;
  const row = await connectionRow(db, tenantId, 'clm');
  const secrets = row ? await connectionSecrets(env, db, tenantId, 'clm') : undefined;
  // A key retired by a rotation stops verifying when its overlap ends.
  const keys = activeConnectKeys(row?.config, secrets);
  if (keys.length === 0 || !(await verifyConnectSignature(raw, input.headers, keys))) {
    return { outcome: 'unverified' };
  }
  await recordSignal(db, tenantId, 'docusign.connect_verified');
  // A verified Connect message is DocuSign reaching us: the contract system's connection works.
  await outcomeRecorder(env, tenantId, 'clm', 'docusign')({ kind: 'ok' });
  await spendBudget(env, 'WEBHOOK_RATE_LIMIT', `${tenantId}:webhook:docusign`);
  let event: EnvelopeCompleted;
  try {
    event = parseEnvelopeCompleted(JSON.parse(raw));
  } catch (e) {
    if (e instanceof DocuSignConnectError && /not.*completed|event/i.test(e.message))
      return { outcome: 'ignored', reason: e.message };
    const details =
      e instanceof DocuSignConnectError
        ? e.issues.map((i) => ({ field: i.path, message: i.message, ...(e.fix ? { fix: e.fix } : {}) }))
        : [];
    return { outcome: 'refused', message: (e as Error).message, error: String(e), details };
  }
  const received = await receiveAmendment(db, env, {
    tenantId,
    contractKey: event.contractKey,
    number: event.amendmentNumber,
    source: 'docusign',
    sourceRef: event.envelopeId,
    effectiveDate: event.effectiveDate,
    signedBy: event.signedBy,
    changes: event.changes,
    correlationId: input.correlationId,
  });
  return { outcome: 'received', received };
}
