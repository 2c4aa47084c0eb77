import { z } from 'zod';

/** Which system an event happened in (or Handoff itself). */
export const TimelineSystemSchema = z.enum(['crm', 'clm', 'psa', 'erp', 'teams', 'handoff']);

export const TimelineEventSchema = z
  .object({
    at: z.string(),
    kind: z.string(),
    title: z.string(),
    system: TimelineSystemSchema,
    correlationId: z.string().nullable(),
    /** Who did it, as authenticated (`person:…`, `key:…`, a Teams user) or `handoff` for the sync itself. */
    actor: z.string(),
    /** Milliseconds since the previous event of the timeline (null for the first). */
    sincePreviousMs: z.number().int().nullable(),
    /** Where the record lives in its system, when Handoff knows it. */
    url: z.string().nullable(),
    status: z.enum(['done', 'waiting', 'failed', 'info']),
  })
  .meta({ id: 'TimelineEvent', description: 'One step of a contract from CRM click to ERP payment.' });
export type TimelineEvent = z.infer<typeof TimelineEventSchema>;

export const ContractTimelineSchema = z
  .object({
    contractKey: z.string(),
    contractNumber: z.string().nullable(),
    name: z.string().nullable(),
    customer: z.string().nullable(),
    status: z.string().nullable(),
    events: z.array(TimelineEventSchema),
    /** True when the contract has more events than one answer carries (the oldest are kept). */
    truncated: z.boolean(),
  })
  .meta({ id: 'ContractTimeline' });
export type ContractTimeline = z.infer<typeof ContractTimelineSchema>;

export const ContractSummarySchema = z
  .object({
    contractKey: z.string(),
    contractNumber: z.string().nullable(),
    status: z.string(),
    activatedAt: z.string().nullable(),
    requestedAt: z.string(),
  })
  .meta({ id: 'ContractSummary' });
export type ContractSummary = z.infer<typeof ContractSummarySchema>;
