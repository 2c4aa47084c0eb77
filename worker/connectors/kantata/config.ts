import { z } from 'zod';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Tenant-configured URLs are an SSRF vector: only https, except loopback (the local emulators). */
const SafeUrl = z
  .string()
  .url()
  .refine((u) => {
    const url = new URL(u);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  }, 'Use an https:// URL (plain http is only allowed for a local emulator)')
  .transform((u) => u.replace(/\/+$/, ''));

export const KantataConnectionSchema = z.object({
  /** Kantata OX API root; an emulator instance's is `{instanceBase}/api/v1`. */
  baseUrl: SafeUrl.default('https://api.mavenlink.com/api/v1'),
  /** OAuth 2 bearer token of the Kantata user Handoff acts as (Kantata tokens do not expire). */
  accessToken: z.string().min(1, 'Paste the Kantata OAuth access token'),
  /** Where people open a project: `{uiBaseUrl}/workspaces/{id}`; an emulator's is `{instanceBase}/ui`. */
  uiBaseUrl: SafeUrl.default('https://app.mavenlink.com'),
  /** Per-request timeout. Kantata itself gives up after 3 minutes. */
  timeoutMs: z.number().int().positive().max(180_000).default(15_000),
  /** `service_name` of the external references that mark what Handoff created. */
  serviceName: z.string().min(1).max(64).default('Handoff'),
});
export type KantataConnection = z.infer<typeof KantataConnectionSchema>;
export type KantataConnectionInput = z.input<typeof KantataConnectionSchema>;
