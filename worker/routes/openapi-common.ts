import { z } from '@hono/zod-openapi';
import { ErrorEnvelopeSchema } from '../../shared/api/errors';

const errorContent = { 'application/json': { schema: ErrorEnvelopeSchema } };

/** The error responses every authenticated route can give, spread into each route's `responses`. */
export const errorResponses = {
  400: { content: errorContent, description: 'The request is malformed; `details` lists each field to fix.' },
  401: { content: errorContent, description: 'Missing or unknown API key.' },
  403: { content: errorContent, description: 'The key is for another surface.' },
  404: { content: errorContent, description: 'No such resource for this tenant.' },
  500: { content: errorContent, description: 'Something failed on our side; quote the request id.' },
} as const;

export const idempotencyHeaders = z.object({
  'idempotency-key': z.string().optional().openapi({
    description: 'A UUID per user action; resend the same key when retrying. Replayed for 24 hours.',
    example: '0b6c5b1e-8d51-4a4e-9f0f-6a9c2a7b1d11',
  }),
});

export const jsonBody = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

type KeyScope = 'crm' | 'psa' | 'admin' | 'platform';

/**
 * The OpenAPI security requirement of a route that `requireKey(...scopes)` guards: any one of the tenant
 * key surfaces listed (as the requirement's roles), or the operator token.
 */
export function keyScopes(...scopes: KeyScope[]): Record<string, string[]>[] {
  return scopes.map(
    (s): Record<string, string[]> => (s === 'platform' ? { operatorToken: [] } : { apiKey: [s] }),
  );
}

/** Every other way in, one security scheme each (registered in app.ts). */
export const security = {
  embedToken: [{ embedToken: [] }],
  botFramework: [{ botFramework: [] }],
  teamsSso: [{ teamsSso: [] }],
  kantataWebhook: [{ standardWebhookSignature: [] }],
  docusignConnect: [{ docusignHmac: [] }],
} as const satisfies Record<string, Record<string, string[]>[]>;
