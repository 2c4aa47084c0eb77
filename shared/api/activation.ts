import { z } from 'zod';
import { SalesforceIdSchema } from '../model/ids';
import { RecordLinkSchema } from '../model/links';

export const ActivationStatusSchema = z.enum([
  'queued',
  'running',
  'retrying',
  'active',
  'needs_fixes',
  'failed',
]);
export type ActivationStatus = z.infer<typeof ActivationStatusSchema>;

export const StepStatusSchema = z.enum(['pending', 'running', 'retrying', 'done', 'failed', 'skipped']);

export const ActivationStepSchema = z
  .object({
    name: z.string(),
    label: z.string(),
    status: StepStatusSchema,
    attempts: z.number().int(),
    message: z.string().nullable(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'ActivationStep' });
export type ActivationStep = z.infer<typeof ActivationStepSchema>;

/** A field to fix before activation can go on, with where to fix it in the CRM. */
export const ProblemSchema = z
  .object({
    field: z.string(),
    message: z.string(),
    fix: z.string(),
    source: z.object({ field: z.string(), label: z.string(), recordId: z.string().optional() }).optional(),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof ProblemSchema>;

export const ActivationViewSchema = z
  .object({
    id: z.string(),
    status: ActivationStatusSchema,
    correlationId: z.string(),
    crmRecordId: z.string(),
    contractNumber: z.string().nullable(),
    attempt: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    completedAt: z.string().nullable(),
    message: z.string().nullable(),
    steps: z.array(ActivationStepSchema),
    links: z.array(RecordLinkSchema),
    problems: z.array(ProblemSchema),
    exception: z
      .object({ id: z.string(), reason: z.string(), owner: z.string(), suggestedFix: z.string() })
      .nullable(),
  })
  .meta({
    id: 'ActivationView',
    description: "An activation with every step's progress, its links and what to fix.",
  });
export type ActivationView = z.infer<typeof ActivationViewSchema>;

export const ActivateRequestSchema = z
  .object({
    /** The Salesforce Opportunity (006...) or Contract (800...) the seller clicked on. */
    crmRecordId: SalesforceIdSchema,
  })
  .meta({ id: 'ActivateRequest' });
export type ActivateRequest = z.infer<typeof ActivateRequestSchema>;
