import { z } from '@hono/zod-openapi';
import { type ErrorCode, type ErrorEnvelope, ErrorEnvelopeSchema } from '../../shared/api/errors';

const REQUEST_ID = '6f1c2a9e-3b7d-4e15-a8c2-0d9e4f7a1b36';

const errorExample = (code: ErrorCode, message: string, details?: ErrorEnvelope['error']['details']) => ({
  'application/json': {
    schema: ErrorEnvelopeSchema,
    example: { error: { code, message, requestId: REQUEST_ID, ...(details ? { details } : {}) } },
  },
});

/** An error response in the envelope, with an example of it. */
export function errorResponse(
  code: ErrorCode,
  description: string,
  message: string,
  details?: ErrorEnvelope['error']['details'],
) {
  return { content: errorExample(code, message, details), description };
}

/** The error responses every authenticated route can give, spread into each route's `responses`. */
export const errorResponses = {
  400: errorResponse(
    'BAD_REQUEST',
    'The request is malformed; `details` lists each field to fix.',
    'The request is not valid; see details for each field to fix.',
    [
      {
        field: 'effectiveDate',
        message: 'Use a real calendar date as YYYY-MM-DD (e.g. 2026-11-17; 2026-02-30 does not exist)',
        fix: 'Send effectiveDate in the documented format.',
      },
    ],
  ),
  401: errorResponse('UNAUTHORIZED', 'Missing or unknown API key.', 'Missing or unknown API key.'),
  403: errorResponse('FORBIDDEN', 'The key is for another surface.', 'This key cannot call this operation.'),
  404: errorResponse('NOT_FOUND', 'No such resource for this tenant.', 'No activation act_Q2xH7vN1pR4s.'),
  500: errorResponse(
    'INTERNAL_ERROR',
    'Something failed on our side; quote the request id.',
    'Something went wrong on our side. Quote the request id to support.',
  ),
} as const;

/** 409: the request conflicts with what is recorded (already decided, already claimed, out of order). */
export const conflictResponse = (description: string, message: string, field?: string, fix?: string) =>
  errorResponse(
    'CONFLICT',
    description,
    message,
    field ? [{ field, message, ...(fix ? { fix } : {}) }] : undefined,
  );

/** 422: well-formed, but it does not fit (a connection that does not work, a currency of another contract). */
export const unprocessableResponse = (description: string, message: string, field: string, fix: string) =>
  errorResponse('VALIDATION_FAILED', description, message, [{ field, message, fix }]);

export const idempotencyHeaders = z.object({
  'idempotency-key': z.string().optional().openapi({
    description: 'A UUID per user action; resend the same key when retrying. Replayed for 24 hours.',
    example: '0b6c5b1e-8d51-4a4e-9f0f-6a9c2a7b1d11',
  }),
});

/** A JSON response, with the example the document shows for it (required: every 2xx has one). */
export const jsonBody = <T extends z.ZodType>(schema: T, description: string, example: z.output<T>) => ({
  content: { 'application/json': { schema, example } },
  description,
});

/** A required JSON request body, with an example request. */
export const jsonRequest = <T extends z.ZodType>(schema: T, description: string, example: z.input<T>) => ({
  content: { 'application/json': { schema, example } },
  description,
  required: true,
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
  identityClaimState: [{ identityClaimState: [] }],
  /** A console session only (the session itself, sign-out): never an API key. */
  consoleSession: [{ consoleSession: [] }],
  /** A console operation (`requirePermission`): a tenant admin key, or a console session whose roles allow it. */
  console: [{ apiKey: ['admin'] }, { consoleSession: [] }],
  /** The sign-in's start: with an invitation (joining a firm), or without (a returning member). */
  consoleSignInStart: [{ consoleInvitation: [] }, {}],
  consoleSignInCallback: [{ consoleSignInState: [] }],
} as const satisfies Record<string, Record<string, string[]>[]>;
