import { z } from 'zod';

export const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com/.default';
/** Multi-tenant bots get their token from the botframework.com tenant; single-tenant bots from their own. */
export const DEFAULT_TOKEN_URL = 'https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token';

export const RateWindowSchema = z.object({
  max: z.number().int().positive(),
  windowMs: z.number().int().positive(),
});
export type RateWindow = z.infer<typeof RateWindowSchema>;

/** Teams "per bot per thread" limits: 7 per second, 60 per 30 s, 1,800 per hour. */
export const TEAMS_CONVERSATION_LIMITS: RateWindow[] = [
  { max: 7, windowMs: 1_000 },
  { max: 60, windowMs: 30_000 },
  { max: 1_800, windowMs: 3_600_000 },
];

export const BotConnectorConfigSchema = z.object({
  appId: z.string().min(1),
  appPassword: z.string().min(1),
  tokenUrl: z.string().url().default(DEFAULT_TOKEN_URL),
  scope: z.string().default(BOT_FRAMEWORK_SCOPE),
  timeoutMs: z.number().int().positive().default(15_000),
  /** Per-conversation windows the sender paces itself to; tests scale them down. */
  conversationLimits: z.array(RateWindowSchema).min(1).default(TEAMS_CONVERSATION_LIMITS),
  /** Retries after a 429 (honouring Retry-After) or a 412/502/504, which Teams documents as transient. */
  maxRetries: z.number().int().nonnegative().default(3),
  /** Cap on one Retry-After wait, so a wild header cannot stall a worker invocation. */
  maxRetryAfterMs: z.number().int().positive().default(30_000),
});
export type BotConnectorConfig = z.infer<typeof BotConnectorConfigSchema>;
export type BotConnectorConfigInput = z.input<typeof BotConnectorConfigSchema>;
