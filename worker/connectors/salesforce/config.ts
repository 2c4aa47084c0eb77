import { z } from 'zod';

const trimSlash = (u: string) => u.replace(/\/+$/, '');

const ClientCredentialsSchema = z.object({
  /** Consumer key of the connected app (or external client app) with the client credentials flow enabled. */
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
});

/**
 * The web server flow's result: the refresh token a Salesforce user granted Handoff's External Client App,
 * exchanged for access tokens with the app's own client id and secret (the deployment's, filled in at load).
 */
const RefreshTokenSchema = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  refreshToken: z.string().min(1),
});

const AccessTokenSchema = z.object({
  /** A token obtained elsewhere (e.g. from a Canvas signed request); it cannot be refreshed. */
  accessToken: z.string().min(1),
});

/** How Handoff reaches one tenant's Salesforce org. */
export const SalesforceConnectionSchema = z
  .object({
    /** The org's My Domain URL, e.g. https://acme.my.salesforce.com. */
    instanceUrl: z.string().url().transform(trimSlash),
    /** Where the token endpoint lives; the client credentials flow needs the My Domain URL, so it defaults to instanceUrl. */
    loginUrl: z.string().url().transform(trimSlash).optional(),
    apiVersion: z
      .string()
      .regex(/^\d{2,3}\.0$/, 'Use an API version such as 62.0')
      .default('62.0'),
    auth: z.union([RefreshTokenSchema, ClientCredentialsSchema, AccessTokenSchema]),
    /** Per-request timeout. */
    timeoutMs: z.number().int().positive().default(15_000),
  })
  .transform((c) => ({ ...c, loginUrl: c.loginUrl ?? c.instanceUrl }));

export type SalesforceConnectionInput = z.input<typeof SalesforceConnectionSchema>;
export type SalesforceConnection = z.infer<typeof SalesforceConnectionSchema>;
