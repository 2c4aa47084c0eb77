import { z } from 'zod';

/** The systems Handoff links. Each role may be filled by another vendor behind the same port. */
export const SystemRoleSchema = z.enum(['crm', 'clm', 'psa', 'erp']);
export type SystemRole = z.infer<typeof SystemRoleSchema>;

export const LinkKindSchema = z.enum([
  'opportunity',
  'account',
  'contract',
  'customer',
  'project',
  'billing_schedule',
  'milestone',
  'rate_card',
]);
export type LinkKind = z.infer<typeof LinkKindSchema>;

/** One record in another system that belongs to one canonical contract. Handoff owns only these links. */
export const RecordLinkSchema = z
  .object({
    role: SystemRoleSchema,
    system: z.string(),
    kind: LinkKindSchema,
    externalId: z.string(),
    url: z.string().url().optional(),
  })
  .meta({ id: 'RecordLink' });
export type RecordLink = z.infer<typeof RecordLinkSchema>;
