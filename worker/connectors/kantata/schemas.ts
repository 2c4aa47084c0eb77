import { z } from 'zod';

/**
 * The parts of Kantata OX API responses the connector reads, validated like untrusted input. Kantata returns
 * ids as strings; numbers are accepted too. Unknown fields pass through untouched.
 */

export const KantataIdSchema = z
  .union([z.string().regex(/^\d+$/), z.number().int().positive()])
  .transform(String);
const OptionalId = KantataIdSchema.nullable().optional();
const IdList = z.array(KantataIdSchema).optional();

export const EnvelopeSchema = z
  .object({
    count: z.number().int().nonnegative().optional(),
    results: z.array(z.object({ key: z.string(), id: KantataIdSchema })),
  })
  .passthrough();
export type Envelope = z.infer<typeof EnvelopeSchema>;

export const KantataErrorsSchema = z.object({
  errors: z.array(
    z
      .object({ type: z.string().optional(), message: z.string().optional(), field: z.string().optional() })
      .passthrough(),
  ),
});

export const WorkspaceSchema = z
  .object({
    id: KantataIdSchema,
    title: z.string(),
    description: z.string().nullable().optional(),
    currency: z.string().nullable().optional(),
    rate_card_id: OptionalId,
    price_in_cents: z.number().int().nullable().optional(),
    external_reference_ids: IdList,
  })
  .passthrough();
export type KantataWorkspace = z.infer<typeof WorkspaceSchema>;

export const StorySchema = z
  .object({
    id: KantataIdSchema,
    title: z.string(),
    story_type: z.string(),
    parent_id: OptionalId,
    external_reference_ids: IdList,
  })
  .passthrough();
export type KantataStory = z.infer<typeof StorySchema>;

export const ExternalReferenceSchema = z
  .object({
    id: KantataIdSchema,
    subject_type: z.string().optional(),
    subject_id: OptionalId,
    service_name: z.string(),
    service_model: z.string(),
    service_model_ref: z.union([z.string(), z.number()]).transform(String),
    external_link: z.string().nullable().optional(),
    status: z.string().nullable().optional(),
  })
  .passthrough();
export type KantataExternalReference = z.infer<typeof ExternalReferenceSchema>;

export const RoleSchema = z.object({ id: KantataIdSchema, name: z.string() }).passthrough();
export const ProjectTemplateSchema = z.object({ id: KantataIdSchema, title: z.string() }).passthrough();

export const WorkspaceResourceSchema = z
  .object({
    id: KantataIdSchema,
    role_id: OptionalId,
    role_name: z.string().nullable().optional(),
    user_id: OptionalId,
  })
  .passthrough();

export const RateCardSetSchema = z
  .object({
    id: KantataIdSchema,
    title: z.string(),
    account_default: z.boolean().optional(),
    rate_card_ids: IdList,
  })
  .passthrough();
export const RateCardSetVersionSchema = z
  .object({
    id: KantataIdSchema,
    active: z.boolean().optional(),
    effective_date: z.string().nullable().optional(),
    rate_card_version_ids: IdList,
  })
  .passthrough();
export const RateCardSchema = z
  .object({
    id: KantataIdSchema,
    currency: z.string(),
    rate_card_set_id: OptionalId,
    rate_card_version_ids: IdList,
  })
  .passthrough();
export const RateCardRoleSchema = z
  .object({ id: KantataIdSchema, role_id: OptionalId, rate: z.number().int() })
  .passthrough();
