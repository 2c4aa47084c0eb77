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
    external_status: z.string().nullable().optional(),
    external_message: z.string().nullable().optional(),
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

// ---- delivery (issue 3) ----------------------------------------------------------------------------

const Cents = z.number().int();
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const TimeEntrySchema = z
  .object({
    id: KantataIdSchema,
    workspace_id: KantataIdSchema,
    user_id: KantataIdSchema,
    story_id: OptionalId,
    date_performed: IsoDate,
    time_in_minutes: z.number().int().nonnegative(),
    billable: z.boolean(),
    approved: z.boolean().optional(),
    notes: z.string().nullable().optional(),
    rate_in_cents: Cents.nullable().optional(),
    currency: z.string().nullable().optional(),
    updated_at: z.string(),
  })
  .passthrough();
export type KantataTimeEntry = z.infer<typeof TimeEntrySchema>;

/** `workspace_id` / `user_id` are only present when `workspace` / `user` are included, as documented. */
export const ExpenseSchema = z
  .object({
    id: KantataIdSchema,
    workspace_id: KantataIdSchema,
    user_id: KantataIdSchema,
    date: IsoDate,
    category: z.string(),
    amount_in_cents: Cents,
    currency: z.string().nullable().optional(),
    is_billable: z.boolean(),
    notes: z.string().nullable().optional(),
    updated_at: z.string(),
  })
  .passthrough();
export type KantataExpense = z.infer<typeof ExpenseSchema>;

export const UserSchema = z
  .object({ id: KantataIdSchema, full_name: z.string(), email_address: z.string().nullable().optional() })
  .passthrough();

export const StoryStateSchema = z
  .object({
    id: KantataIdSchema,
    title: z.string(),
    story_type: z.string(),
    parent_id: OptionalId,
    state: z.string().nullable().optional(),
    updated_at: z.string().optional(),
    archived: z.boolean().optional(),
    external_reference_ids: IdList,
  })
  .passthrough();

export const SubscribedEventSchema = z
  .object({
    id: KantataIdSchema,
    event_type: z.string(),
    subject_type: z.string(),
    subject_id: KantataIdSchema,
    subject_changed_at: z.string().optional(),
    created_at: z.string().optional(),
    current_payload: z.unknown().optional(),
    previous_payload: z.unknown().optional(),
  })
  .passthrough();
export type KantataSubscribedEvent = z.infer<typeof SubscribedEventSchema>;
