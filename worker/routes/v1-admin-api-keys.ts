import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import {
  createApiKey,
  DEFAULT_OVERLAP_MINUTES,
  listApiKeys,
  MAX_OVERLAP_MINUTES,
  revokeApiKey,
  rotateApiKey,
} from '../domain/tenancy/api-keys';
import { requireKey } from '../http/auth';
import { conflictResponse, errorResponses, jsonBody, jsonRequest, keyScopes } from './openapi-common';

const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: 'key_3kq9Xw2mA' }),
    scope: z.enum(['crm', 'psa', 'admin']),
    label: z.string().openapi({ example: 'Salesforce package' }),
    prefix: z.string().openapi({
      description: 'The first characters of the secret, to recognise it.',
      example: 'hk_crm_Q2x',
    }),
    status: z.enum(['active', 'expiring', 'expired', 'revoked']).openapi({
      description: 'expiring: rotated, still accepted until expiresAt (the overlap).',
    }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable().openapi({ description: 'Last authentication, to the hour.' }),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    replacedBy: z
      .string()
      .nullable()
      .openapi({ description: 'The key that replaced this one in a rotation.' }),
  })
  .openapi('ApiKey');

const ApiKeyWithSecretSchema = ApiKeySchema.extend({
  secret: z.string().openapi({
    description: 'The key itself (hk_...). Shown only in this answer; store it now.',
    example: 'hk_crm_Q2xV0m9d7YtW3rB8nK1sZpE4fLhA6cJu',
  }),
}).openapi('ApiKeyWithSecret');

const keyExample: z.output<typeof ApiKeySchema> = {
  id: 'key_3kq9Xw2mA',
  scope: 'crm',
  label: 'Salesforce package (production org)',
  prefix: 'hk_crm_Q2x',
  status: 'active',
  createdAt: '2026-11-02T09:14:00.000Z',
  lastUsedAt: '2026-12-04T16:00:00.000Z',
  expiresAt: null,
  revokedAt: null,
  replacedBy: null,
};
const newKeyExample: z.output<typeof ApiKeyWithSecretSchema> = {
  ...keyExample,
  id: 'key_8Lm2Pq7zR',
  createdAt: '2026-12-04T16:20:00.000Z',
  lastUsedAt: null,
  secret: 'hk_crm_Q2xV0m9d7YtW3rB8nK1sZpE4fLhA6cJu',
};
const lastAdminKey = conflictResponse(
  "The tenant's last admin key cannot be revoked",
  'This is the last admin key of the tenant.',
  'id',
  'Create another admin key or rotate this one first.',
);

const KeyIdParams = z.object({
  id: z
    .string()
    .regex(/^key_[A-Za-z0-9_-]{1,40}$/, 'An API key id starts with key_')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'key_3kq9Xw2mA' }),
});

const list = createRoute({
  method: 'get',
  path: '/v1/admin/api-keys',
  operationId: 'listApiKeys',
  tags: ['Admin'],
  summary: "This tenant's API keys (never their secrets)",
  security: keyScopes('admin'),
  middleware: [requireKey('admin')] as const,
  responses: {
    200: jsonBody(z.object({ keys: z.array(ApiKeySchema) }), 'Newest first', { keys: [keyExample] }),
    ...errorResponses,
  },
});

const create = createRoute({
  method: 'post',
  path: '/v1/admin/api-keys',
  operationId: 'createApiKey',
  tags: ['Admin'],
  summary: 'Create an API key for one surface; its secret is shown once',
  security: keyScopes('admin'),
  middleware: [requireKey('admin')] as const,
  request: {
    body: jsonRequest(
      z
        .object({
          scope: z.enum(['crm', 'psa', 'admin']).openapi({
            description: 'crm: the Salesforce package · psa: the PSA host minting sidebar tokens · admin',
          }),
          label: z
            .string()
            .trim()
            .min(1)
            .max(80)
            .openapi({ description: 'What it is for, to recognise it later.' }),
        })
        .strict(),
      'The new key',
      { scope: 'crm', label: 'Salesforce package (production org)' },
    ),
  },
  responses: {
    201: jsonBody(ApiKeyWithSecretSchema, 'Created; the secret is shown only now', newKeyExample),
    409: conflictResponse(
      'Too many keys',
      'This tenant already has 50 usable keys.',
      'scope',
      'Revoke keys no longer in use.',
    ),
    ...errorResponses,
  },
});

const rotate = createRoute({
  method: 'post',
  path: '/v1/admin/api-keys/{id}/rotate',
  operationId: 'rotateApiKey',
  tags: ['Admin'],
  summary:
    'Rotate a key: a new key works at once, the old one keeps working for the overlap (24 h by default), then is refused',
  security: keyScopes('admin'),
  middleware: [requireKey('admin')] as const,
  request: {
    params: KeyIdParams,
    body: {
      ...jsonRequest(
        z
          .object({
            overlapMinutes: z
              .number()
              .int()
              .min(0)
              .max(MAX_OVERLAP_MINUTES)
              .optional()
              .openapi({
                description: `How long the old key keeps working (0 to ${MAX_OVERLAP_MINUTES}; default ${DEFAULT_OVERLAP_MINUTES}).`,
              }),
          })
          .strict(),
        'The overlap',
        { overlapMinutes: 60 },
      ),
      required: false,
    },
  },
  responses: {
    200: jsonBody(
      z.object({ key: ApiKeyWithSecretSchema, previous: ApiKeySchema }),
      'The new key (secret shown once) and the old one with its expiry',
      {
        key: newKeyExample,
        previous: {
          ...keyExample,
          status: 'expiring',
          expiresAt: '2026-12-04T17:20:00.000Z',
          replacedBy: newKeyExample.id,
        },
      },
    ),
    409: conflictResponse('Already rotated or revoked', 'This key was already rotated or revoked.'),
    ...errorResponses,
  },
});

const revoke = createRoute({
  method: 'post',
  path: '/v1/admin/api-keys/{id}/revoke',
  operationId: 'revokeApiKey',
  tags: ['Admin'],
  summary: "Revoke a key at once (not the tenant's last admin key)",
  security: keyScopes('admin'),
  middleware: [requireKey('admin')] as const,
  request: { params: KeyIdParams },
  responses: {
    200: jsonBody(ApiKeySchema, 'Revoked', {
      ...keyExample,
      status: 'revoked',
      revokedAt: '2026-12-04T16:25:00.000Z',
    }),
    409: lastAdminKey,
    ...errorResponses,
  },
});

export function registerV1AdminApiKeys(app: App) {
  const command = (c: Parameters<Parameters<typeof app.openapi>[1]>[0]) => ({
    db: c.get('db'),
    tenantId: c.get('principal').tenantId,
    who: auditedPrincipal(c.get('principal')),
    correlationId: c.get('correlationId'),
  });
  app.openapi(list, async (c) => {
    return c.json({ keys: await listApiKeys(c.get('db'), c.get('principal').tenantId) }, 200);
  });
  app.openapi(create, async (c) => {
    return c.json(await createApiKey(command(c), c.req.valid('json')), 201);
  });
  app.openapi(rotate, async (c) => {
    const { id } = c.req.valid('param');
    const body = (c.req.valid('json') as { overlapMinutes?: number } | undefined) ?? {};
    return c.json(await rotateApiKey(command(c), id, body), 200);
  });
  app.openapi(revoke, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await revokeApiKey(command(c), id), 200);
  });
}
