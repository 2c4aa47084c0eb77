import type { z } from 'zod';
import {
  type AmendmentChanges,
  AmendmentChangesSchema,
  AmendmentNumberSchema,
  MAX_AMENDMENT_NUMBER,
} from '../../../shared/model/amendment';
import { CalendarDateSchema } from '../../../shared/model/calendar-date';
import { AMENDMENT_FIELDS, ConnectEventSchema } from './connect-event';

export type DocuSignConnectErrorCode =
  /** Not JSON, or not a Connect JSON SIM message. */
  | 'INVALID_PAYLOAD'
  /** A valid message for another event (envelope-sent, recipient-completed...): acknowledge and ignore. */
  | 'UNSUPPORTED_EVENT'
  /** The configuration does not include the envelope summary, custom fields or recipients. */
  | 'MISSING_ENVELOPE_DATA'
  /** A completed envelope that is not a Handoff amendment (no contract key custom field). */
  | 'NOT_AN_AMENDMENT'
  /** The amendment's custom fields are there but wrong (bad number, date or change set). */
  | 'INVALID_AMENDMENT';

export class DocuSignConnectError extends Error {
  readonly code: DocuSignConnectErrorCode;
  readonly issues: { path: string; message: string }[];
  /** What a person should change (the Connect configuration or the envelope template). */
  readonly fix?: string;
  constructor(
    code: DocuSignConnectErrorCode,
    message: string,
    opts: { issues?: { path: string; message: string }[]; fix?: string } = {},
  ) {
    super(message);
    this.name = 'DocuSignConnectError';
    this.code = code;
    this.issues = opts.issues ?? [];
    this.fix = opts.fix;
  }
}

export interface EnvelopeCompleted {
  envelopeId: string;
  accountId: string;
  /** The CRM opportunity id the amendment belongs to. */
  contractKey: string;
  amendmentNumber: number;
  /** When the amended terms apply: the envelope's `effective_date` field, else the completion date. */
  effectiveDate: string;
  signedBy: { name: string; email: string; signedAt?: string }[];
  signedAt: string;
  changes: AmendmentChanges;
  /** Connect's redelivery counter; a retry of the same envelope is the same amendment (dedupe on envelopeId). */
  retryCount: number;
  configurationId?: string;
}

const issuesOf = (e: z.ZodError, prefix = '') =>
  e.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'),
    message: i.message,
  }));

const FIX_CONFIG =
  'In DocuSign Admin → Connect, edit the configuration: JSON SIM format, trigger "Envelope Signed/Completed", and include Custom Fields, Recipients and the envelope summary (Include Data).';

/** Parse and validate an `envelope-completed` Connect message carrying a Handoff amendment. */
export function parseEnvelopeCompleted(json: unknown): EnvelopeCompleted {
  let value = json;
  if (typeof json === 'string' || json instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof json === 'string' ? json : new TextDecoder().decode(json));
    } catch {
      throw new DocuSignConnectError('INVALID_PAYLOAD', 'The Connect message is not JSON', {
        fix: FIX_CONFIG,
      });
    }
  }
  const parsed = ConnectEventSchema.safeParse(value);
  if (!parsed.success)
    throw new DocuSignConnectError('INVALID_PAYLOAD', 'The Connect message is not a JSON SIM event', {
      issues: issuesOf(parsed.error),
      fix: FIX_CONFIG,
    });
  const event = parsed.data;
  if (event.event !== 'envelope-completed')
    throw new DocuSignConnectError(
      'UNSUPPORTED_EVENT',
      `Connect event "${event.event}" is not envelope-completed`,
    );
  const summary = event.data.envelopeSummary;
  if (!summary?.customFields || !summary.recipients)
    throw new DocuSignConnectError(
      'MISSING_ENVELOPE_DATA',
      `Envelope ${event.data.envelopeId} arrived without its ${summary ? 'custom fields or recipients' : 'envelope summary'}`,
      { fix: FIX_CONFIG },
    );
  if (summary.status !== 'completed')
    throw new DocuSignConnectError(
      'INVALID_PAYLOAD',
      `Envelope ${event.data.envelopeId} is ${summary.status}, not completed`,
    );

  const fields = new Map(summary.customFields.textCustomFields.map((f) => [f.name, f.value.trim()]));
  const contractKey = fields.get(AMENDMENT_FIELDS.contractKey);
  if (!contractKey)
    throw new DocuSignConnectError(
      'NOT_AN_AMENDMENT',
      `Envelope ${event.data.envelopeId} has no ${AMENDMENT_FIELDS.contractKey} custom field`,
    );

  const issues: { path: string; message: string }[] = [];
  const numberText = fields.get(AMENDMENT_FIELDS.amendmentNumber) ?? '';
  // Digits only (no "1e3", no " 2"), then the shared bound: a huge number never reaches the database.
  const numbered = AmendmentNumberSchema.safeParse(
    /^\d{1,6}$/.test(numberText) ? Number(numberText) : Number.NaN,
  );
  const amendmentNumber = numbered.success ? numbered.data : Number.NaN;
  if (!numbered.success)
    issues.push({
      path: AMENDMENT_FIELDS.amendmentNumber,
      message: `Expected a whole number from 1 to ${MAX_AMENDMENT_NUMBER}, got "${numberText.slice(0, 40)}"`,
    });

  const completedAt = summary.completedDateTime ?? summary.statusChangedDateTime;
  if (!completedAt || Number.isNaN(Date.parse(completedAt)))
    issues.push({ path: 'data.envelopeSummary.completedDateTime', message: 'Missing or not a date-time' });
  const signedAt =
    completedAt && !Number.isNaN(Date.parse(completedAt)) ? new Date(completedAt).toISOString() : '';

  const effectiveText = fields.get(AMENDMENT_FIELDS.effectiveDate);
  let effectiveDate = signedAt.slice(0, 10);
  if (effectiveText) {
    if (CalendarDateSchema.safeParse(effectiveText).success) effectiveDate = effectiveText;
    else
      issues.push({
        path: AMENDMENT_FIELDS.effectiveDate,
        message: `Expected a real calendar date as YYYY-MM-DD, got "${effectiveText.slice(0, 40)}"`,
      });
  }

  let changes: AmendmentChanges | undefined;
  const changesText = fields.get(AMENDMENT_FIELDS.changes);
  if (!changesText)
    issues.push({
      path: AMENDMENT_FIELDS.changes,
      message: 'Missing: the envelope must carry the changed terms',
    });
  else {
    let raw: unknown;
    try {
      raw = JSON.parse(changesText);
    } catch {
      issues.push({ path: AMENDMENT_FIELDS.changes, message: 'Not JSON' });
    }
    if (raw !== undefined) {
      const c = AmendmentChangesSchema.safeParse(raw);
      if (c.success) changes = c.data;
      else issues.push(...issuesOf(c.error, AMENDMENT_FIELDS.changes));
    }
  }

  const signers = summary.recipients.signers.filter((s) => !s.status || s.status === 'completed');
  if (signers.length === 0)
    issues.push({
      path: 'data.envelopeSummary.recipients.signers',
      message: 'No signer completed the envelope',
    });

  if (issues.length || !changes)
    throw new DocuSignConnectError(
      'INVALID_AMENDMENT',
      `Amendment envelope ${event.data.envelopeId}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      {
        issues,
        fix: 'Correct the amendment fields on the envelope (or its template) and resend it for signature.',
      },
    );

  return {
    envelopeId: event.data.envelopeId,
    accountId: event.data.accountId,
    contractKey,
    amendmentNumber,
    effectiveDate,
    signedBy: signers.map((s) => ({
      name: s.name,
      email: s.email,
      ...(s.signedDateTime ? { signedAt: s.signedDateTime } : {}),
    })),
    signedAt,
    changes,
    retryCount: Number(event.retryCount ?? 0) || 0,
    ...(event.configurationId !== undefined ? { configurationId: String(event.configurationId) } : {}),
  };
}
