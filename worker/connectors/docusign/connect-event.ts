import { z } from 'zod';

/**
 * DocuSign Connect JSON SIM message ("JSON SIM event model", developers.docusign.com/platform/webhooks/
 * connect/json-sim-event-model): `event` names what happened (`envelope-completed`), then `apiVersion`,
 * `uri`, `retryCount`, `configurationId`, `generatedDateTime`, and `data` with `accountId`, `envelopeId`
 * and, when the configuration includes it, `envelopeSummary` (status, dates, recipients, custom fields).
 * Only what Handoff reads is declared; other fields pass through.
 */

export const ConnectSignerSchema = z.looseObject({
  name: z.string(),
  email: z.string(),
  status: z.string().optional(),
  signedDateTime: z.string().optional(),
  recipientId: z.string().optional(),
});

export const TextCustomFieldSchema = z.looseObject({
  fieldId: z.string().optional(),
  name: z.string(),
  value: z.string().default(''),
  show: z.string().optional(),
  required: z.string().optional(),
});

export const EnvelopeSummarySchema = z.looseObject({
  status: z.string(),
  emailSubject: z.string().optional(),
  sentDateTime: z.string().optional(),
  completedDateTime: z.string().optional(),
  statusChangedDateTime: z.string().optional(),
  recipients: z.looseObject({ signers: z.array(ConnectSignerSchema).default([]) }).optional(),
  customFields: z
    .looseObject({
      textCustomFields: z.array(TextCustomFieldSchema).default([]),
      listCustomFields: z.array(z.unknown()).optional(),
    })
    .optional(),
});

export const ConnectEventSchema = z.looseObject({
  event: z.string().min(1),
  apiVersion: z.string().optional(),
  uri: z.string().optional(),
  retryCount: z.union([z.number(), z.string()]).optional(),
  configurationId: z.union([z.number(), z.string()]).optional(),
  generatedDateTime: z.string().optional(),
  data: z.looseObject({
    accountId: z.string().min(1),
    envelopeId: z.string().min(1),
    userId: z.string().optional(),
    envelopeSummary: EnvelopeSummarySchema.optional(),
  }),
});
export type ConnectEvent = z.infer<typeof ConnectEventSchema>;

/** Envelope custom fields (Text) Handoff puts on an amendment envelope when it sends or prepares it. */
export const AMENDMENT_FIELDS = {
  contractKey: 'handoff_contract_key',
  amendmentNumber: 'amendment_number',
  effectiveDate: 'effective_date',
  /** JSON of the canonical change set (AmendmentChanges). */
  changes: 'handoff_changes',
} as const;
