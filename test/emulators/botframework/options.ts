import { z } from 'zod';

export const BotRegistrationSchema = z.object({
  /** Microsoft App ID (the Entra application's client id). */
  appId: z.string().min(1),
  /** Client secret registered for the app. */
  appPassword: z.string().min(1),
});

/** Instance options (`config.options` when the instance is created). */
export const BotFrameworkOptionsSchema = z.object({
  bots: z.array(BotRegistrationSchema).default([]),
  /** The Teams tenant the instance's users live in. */
  tenantId: z.string().default('72f988bf-86f1-41af-91ab-2d7cd011db47'),
  /** Other tenants that installed the bot (a multi-tenant app is installed by many firms); 'any' for tests. */
  installedIn: z.union([z.literal('any'), z.array(z.string())]).default([]),
  /** Path segment of the serviceUrl (Teams uses /teams/, /amer/, /emea/...). */
  serviceUrlPath: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .default('teams'),
  /** Channel ids the signing key is endorsed for (the JWKS `endorsements`). */
  endorsements: z.array(z.string()).default(['msteams']),
  /** Per-conversation sliding windows: Teams documents 7 / 1 s, 60 / 30 s, 1,800 / 1 h. Tests scale them. */
  conversationLimits: z
    .array(z.object({ max: z.number().int().positive(), windowMs: z.number().int().positive() }))
    .default([
      { max: 7, windowMs: 1_000 },
      { max: 60, windowMs: 30_000 },
      { max: 1_800, windowMs: 3_600_000 },
    ]),
  /** Teams refuses messages over about 28 KB. */
  maxActivityBytes: z
    .number()
    .int()
    .positive()
    .default(28 * 1024),
});
export type BotFrameworkOptions = z.infer<typeof BotFrameworkOptionsSchema>;
export type BotFrameworkOptionsInput = z.input<typeof BotFrameworkOptionsSchema>;
