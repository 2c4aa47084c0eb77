import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import { platformKeyStatus, recordEmbedKeyRotation } from '../domain/tenancy/embed-key-rotation';
import { rotateDataKey } from '../domain/tenancy/rotate-data-key';
import { requireKey } from '../http/auth';
import { conflictResponse, errorResponses, jsonBody, jsonRequest, keyScopes } from './openapi-common';

const KeyIdsSchema = z.object({
  current: z.string().openapi({ example: 'v2' }),
  previous: z.array(z.string()).openapi({ example: ['v1'] }),
});

const status = createRoute({
  method: 'get',
  path: '/v1/admin/platform/keys',
  operationId: 'getPlatformKeys',
  tags: ['Operator'],
  summary: 'The data and embed key ids in use, and how many stored secrets each data key still protects',
  security: keyScopes('platform'),
  middleware: [requireKey('platform')] as const,
  responses: {
    200: jsonBody(
      z.object({
        dataKey: KeyIdsSchema.extend({
          ciphertextsByKeyId: z
            .record(z.string(), z.number().int())
            .openapi({ description: '`legacy`: written before key ids.', example: { v1: 3, v2: 120 } }),
        }),
        embedKey: KeyIdsSchema.extend({
          lastRotation: z.object({ keyId: z.string(), at: z.string() }).nullable(),
        }),
      }),
      'Key ids (never key material)',
      {
        dataKey: { current: 'v2', previous: ['v1'], ciphertextsByKeyId: { v1: 3, v2: 120 } },
        embedKey: {
          current: 'e2',
          previous: ['e1'],
          lastRotation: { keyId: 'e2', at: '2026-12-04T15:00:00.000Z' },
        },
      },
    ),
    ...errorResponses,
  },
});

const rotateData = createRoute({
  method: 'post',
  path: '/v1/admin/platform/rotate-data-key',
  operationId: 'rotateDataKey',
  tags: ['Operator'],
  summary:
    'Re-encrypt stored secrets under the current data key, a batch at a time, with no downtime; call again while remaining > 0',
  security: keyScopes('platform'),
  middleware: [requireKey('platform')] as const,
  request: {
    body: {
      ...jsonRequest(
        z
          .object({
            batchSize: z.number().int().min(1).max(100).default(25),
            maxRows: z
              .number()
              .int()
              .min(1)
              .max(500)
              .default(200)
              .openapi({ description: 'Rows this call handles at most.' }),
          })
          .strict(),
        'Batch sizes',
        { batchSize: 25, maxRows: 200 },
      ),
      required: false,
    },
  },
  responses: {
    200: jsonBody(
      z.object({
        currentKeyId: z.string(),
        reencrypted: z.number().int(),
        conflicts: z.number().int(),
        unreadable: z.array(z.object({ tenantId: z.string(), role: z.string(), keyId: z.string() })),
        remaining: z.number().int(),
        byKeyId: z.record(z.string(), z.number().int()),
      }),
      'What this call did and what remains',
      {
        currentKeyId: 'v2',
        reencrypted: 25,
        conflicts: 0,
        unreadable: [],
        remaining: 98,
        byKeyId: { v1: 98, v2: 27 },
      },
    ),
    ...errorResponses,
  },
});

const rotateEmbed = createRoute({
  method: 'post',
  path: '/v1/admin/platform/rotate-embed-key',
  operationId: 'recordEmbedKeyRotation',
  tags: ['Operator'],
  summary: 'Record a deployed embed-key rotation and learn when the previous key may be removed',
  security: keyScopes('platform'),
  middleware: [requireKey('platform')] as const,
  responses: {
    200: jsonBody(
      z.object({
        currentKeyId: z.string(),
        previousKeyIds: z.array(z.string()),
        removePreviousAfter: z
          .string()
          .openapi({ description: 'When the last token of the previous key has expired.' }),
      }),
      'Recorded',
      { currentKeyId: 'e2', previousKeyIds: ['e1'], removePreviousAfter: '2026-12-04T15:10:30.000Z' },
    ),
    409: conflictResponse('This key id was recorded already', 'Embed key e2 was already recorded.'),
    ...errorResponses,
  },
});

export function registerV1AdminPlatformKeys(app: App) {
  app.openapi(status, async (c) => c.json(await platformKeyStatus(c.get('db'), c.env), 200));
  app.openapi(rotateData, async (c) => {
    const body = (c.req.valid('json') as { batchSize?: number; maxRows?: number } | undefined) ?? {};
    const report = await rotateDataKey(c.get('db'), c.env, {
      batchSize: body.batchSize ?? 25,
      maxRows: body.maxRows ?? 200,
      who: auditedPrincipal(c.get('principal')),
      correlationId: c.get('correlationId'),
    });
    return c.json(report, 200);
  });
  app.openapi(rotateEmbed, async (c) => {
    const recorded = await recordEmbedKeyRotation(c.get('db'), c.env, {
      who: auditedPrincipal(c.get('principal')),
      correlationId: c.get('correlationId'),
    });
    return c.json(recorded, 200);
  });
}
