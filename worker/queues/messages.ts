import { z } from 'zod';

/** Something changed in the PSA (a webhook) or a project is due for its poll. */
export const IntakeMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('psa-event'),
    tenantId: z.string(),
    subjectType: z.enum(['time_entry', 'expense', 'story']),
    subjectId: z.string(),
    psaProjectId: z.string().optional(),
    correlationId: z.string(),
  }),
  z.object({
    type: z.literal('poll'),
    tenantId: z.string(),
    psaProjectId: z.string(),
    correlationId: z.string(),
  }),
]);
export type IntakeMessage = z.infer<typeof IntakeMessageSchema>;

/** Post one delivery item (time entry or expense) to the ERP. */
export const PostingMessageSchema = z.object({
  tenantId: z.string(),
  itemId: z.string(),
  correlationId: z.string(),
});
export type PostingMessage = z.infer<typeof PostingMessageSchema>;
