import { createRoute, z } from '@hono/zod-openapi';
import { ConnectKeySchema } from '../../shared/api/connections';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import {
  addConnectKey,
  DEFAULT_OVERLAP_HOURS,
  MAX_OVERLAP_HOURS,
  retireConnectKey,
} from '../domain/connections/docusign-keys';
import { requirePermission } from '../http/console-auth';
import { conflictResponse, errorResponses, jsonBody, jsonRequest, security } from './openapi-common';

const KeysSchema = z.object({ keys: z.array(ConnectKeySchema) });
const keysExample = {
  keys: [
    {
      id: 'csk_Qx81Lm2z',
      addedAt: '2026-11-10T09:00:00.000Z',
      retiresAt: '2026-11-18T10:12:00.000Z',
      active: true,
    },
    { id: 'csk_7Hw2Pq0a', addedAt: '2026-11-17T10:12:00.000Z', retiresAt: null, active: true },
  ],
};

const AddSchema = z
  .object({
    key: z
      .string()
      .min(16, 'Paste the whole key DocuSign showed')
      .max(200)
      .regex(/^\S+$/, 'A Connect key has no spaces')
      .openapi({
        description:
          'The key DocuSign created (Admin › Connect › Connect Keys › Add Secret Key; DocuSign shows it once). Stored encrypted, never shown again.',
      }),
    overlapHours: z
      .number()
      .int()
      .min(0)
      .max(MAX_OVERLAP_HOURS)
      .default(DEFAULT_OVERLAP_HOURS)
      .openapi({
        description: `How long the previous keys keep verifying (default ${DEFAULT_OVERLAP_HOURS}).`,
      }),
  })
  .strict()
  .openapi('ConnectKeyAdd');

const add = createRoute({
  method: 'post',
  path: '/v1/console/connections/clm/keys',
  operationId: 'addDocuSignConnectKey',
  tags: ['Console'],
  summary: 'DocuSign Connect: add (or rotate to) an HMAC key',
  description:
    'DocuSign signs every Connect message with each active key of the account (X-DocuSign-Signature-1..n). Adding a key makes the keys before it the previous ones: they keep verifying for `overlapHours`, time to delete them in DocuSign, then stop. The first key connects DocuSign. Needs `connections:manage`.',
  security: security.console,
  middleware: [requirePermission('connections:manage')] as const,
  request: {
    body: jsonRequest(AddSchema, 'The key DocuSign created', {
      key: 'Rk1vSzhUbE5oWXpVcTJ3NlB4M2Q5Y1ZtQjBhSGZKZXM=',
      overlapHours: 24,
    }),
  },
  responses: {
    201: jsonBody(KeysSchema, 'The keys that verify now (never their value)', keysExample),
    409: conflictResponse('The key is already added', 'This Connect key is already added.', 'key'),
    ...errorResponses,
  },
});

const retire = createRoute({
  method: 'delete',
  path: '/v1/console/connections/clm/keys/{keyId}',
  operationId: 'retireDocuSignConnectKey',
  tags: ['Console'],
  summary: 'DocuSign Connect: stop verifying with a key now (deleted in DocuSign)',
  description:
    "The firm's last active key cannot be retired: add its replacement first. Needs `connections:manage`.",
  security: security.console,
  middleware: [requirePermission('connections:manage')] as const,
  request: {
    params: z.object({
      keyId: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,40}$/, 'A Connect key id, e.g. csk_Qx81Lm2z')
        .openapi({ param: { name: 'keyId', in: 'path' }, example: 'csk_Qx81Lm2z' }),
    }),
  },
  responses: {
    200: jsonBody(KeysSchema, 'The keys that still verify', { keys: [keysExample.keys[1]!] }),
    409: conflictResponse(
      'The last active key',
      'This is the only Connect key that verifies DocuSign messages.',
      'keyId',
      'Add its replacement first (a new key from DocuSign), then retire this one.',
    ),
    ...errorResponses,
  },
});

export function registerV1ConsoleConnectionsDocuSign(app: App) {
  app.openapi(add, async (c) => {
    const body = c.req.valid('json');
    const principal = c.get('principal');
    const keys = await addConnectKey(
      c.get('db'),
      c.env,
      { tenantId: principal.tenantId, key: body.key, overlapHours: body.overlapHours },
      { who: auditedPrincipal(principal), correlationId: c.get('correlationId') },
    );
    return c.json({ keys }, 201);
  });
  app.openapi(retire, async (c) => {
    const { keyId } = c.req.valid('param');
    const principal = c.get('principal');
    const keys = await retireConnectKey(
      c.get('db'),
      c.env,
      { tenantId: principal.tenantId, keyId },
      { who: auditedPrincipal(principal), correlationId: c.get('correlationId') },
    );
    return c.json({ keys }, 200);
  });
}
