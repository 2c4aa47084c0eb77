import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import { claimCrmOrg, proveCrmOrg } from '../domain/tenancy/claim-crm-org';
import {
  connectionUrlProblems,
  mergeConfig,
  secretInConfigProblems,
} from '../domain/tenancy/connection-config';
import { CONNECTOR_REGISTRY } from '../domain/tenancy/connectors';
import { listConnections } from '../domain/tenancy/list-connections';
import { saveConnection } from '../domain/tenancy/save-connection';
import { ApiError } from '../http/api-error';
import { requireKey } from '../http/auth';
import { errorResponses, jsonBody, jsonRequest, keyScopes, unprocessableResponse } from './openapi-common';

const RoleSchema = z.enum(['crm', 'psa', 'erp', 'clm']).openapi({ param: { name: 'role', in: 'path' } });

const ConnectionPutSchema = z
  .object({
    system: z
      .string()
      .min(1)
      .max(40)
      .openapi({ example: 'netsuite', description: 'crm: salesforce · psa: kantata · erp: netsuite' }),
    config: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'Non-secret settings: URLs, account id, id maps.' }),
    secrets: z
      .record(z.string(), z.unknown())
      .default({})
      .openapi({ description: 'Tokens and keys. Encrypted at rest, never returned.' }),
    concurrencyLimit: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(5)
      .openapi({ description: 'ERP only: requests this integration may have in flight on the account.' }),
  })
  .openapi('ConnectionPut');

const ConnectionViewSchema = z
  .object({
    role: z.enum(['crm', 'psa', 'erp', 'clm']),
    system: z.string(),
    config: z.record(z.string(), z.unknown()),
    concurrencyLimit: z.number(),
    updatedAt: z.string(),
  })
  .openapi('Connection');

const netsuiteConfig = {
  accountId: '1234567',
  customFields: { psaProjectId: 'custentity_handoff_psa_id' },
};
const connectionExample = {
  role: 'erp' as const,
  system: 'netsuite',
  config: netsuiteConfig,
  concurrencyLimit: 5,
  updatedAt: '2026-11-16T15:04:05.000Z',
};

const put = createRoute({
  method: 'put',
  path: '/v1/admin/connections/{role}',
  operationId: 'saveConnection',
  tags: ['Admin'],
  summary: 'Connect (or reconnect) the CRM, PSA or ERP of this tenant',
  security: keyScopes('admin'),
  middleware: [requireKey('admin')] as const,
  request: {
    params: z.object({ role: RoleSchema }),
    body: jsonRequest(ConnectionPutSchema, 'The connection', {
      system: 'netsuite',
      config: netsuiteConfig,
      secrets: {
        auth: {
          clientId: '6f0c9a3e5b7d41c2a8e0f1d2c3b4a596',
          certificateId: 'mJ3kq1Xz0aT2bC4dE6fG8hI0jK2lM4nO',
          privateKeyPem: '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n',
          algorithm: 'PS256',
        },
      },
      concurrencyLimit: 5,
    }),
  },
  responses: {
    200: jsonBody(ConnectionViewSchema, 'Saved (secrets omitted)', connectionExample),
    422: unprocessableResponse(
      'The settings do not work for this system',
      'Use https:// (only the local sandbox may use http://localhost).',
      'baseUrl',
      'Correct this setting.',
    ),
    ...errorResponses,
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/admin/connections',
  operationId: 'listConnections',
  tags: ['Admin'],
  summary: "This tenant's connections (secrets omitted)",
  security: keyScopes('admin'),
  middleware: [requireKey('admin')] as const,
  responses: {
    200: jsonBody(z.object({ connections: z.array(ConnectionViewSchema) }), 'Connections', {
      connections: [connectionExample],
    }),
    ...errorResponses,
  },
});

export function registerV1AdminConnections(app: App) {
  app.openapi(put, async (c) => {
    const { role } = c.req.valid('param');
    const body = c.req.valid('json');
    const { tenantId } = c.get('principal');
    const factory = (CONNECTOR_REGISTRY[role] as Record<string, { schema: z.ZodType }>)[body.system];
    if (!factory) {
      throw new ApiError('VALIDATION_FAILED', `Unknown ${role} system "${body.system}"`, [
        {
          field: 'system',
          message: 'unknown',
          fix: `Use one of: ${Object.keys(CONNECTOR_REGISTRY[role]).join(', ')}`,
        },
      ]);
    }
    const merged = mergeConfig(body.config, body.secrets);
    const parsed = factory.schema.safeParse(merged);
    const problems = [
      ...(parsed.success
        ? []
        : parsed.error.issues.map((i) => ({
            field: i.path.join('.'),
            message: i.message,
            fix: 'Correct this setting.',
          }))),
      ...connectionUrlProblems(c.env, merged, body.system),
      ...secretInConfigProblems(body.config),
    ];
    if (problems.length)
      throw new ApiError('VALIDATION_FAILED', `The ${body.system} connection is not valid.`, problems);
    const by = { who: auditedPrincipal(c.get('principal')), correlationId: c.get('correlationId') };
    if (role === 'crm') {
      // The org is whatever the CRM says these credentials reach: proven, never stated by the firm.
      const org = await proveCrmOrg(c.env, { system: body.system, config: merged });
      await claimCrmOrg(c.get('db'), { tenantId, ...org }, by);
    }
    const { updatedAt } = await saveConnection(
      c.get('db'),
      c.env,
      {
        tenantId,
        role,
        system: body.system,
        config: body.config,
        secrets: body.secrets,
        concurrencyLimit: body.concurrencyLimit,
      },
      by,
    );
    return c.json(
      { role, system: body.system, config: body.config, concurrencyLimit: body.concurrencyLimit, updatedAt },
      200,
    );
  });
  app.openapi(list, async (c) => {
    return c.json({ connections: await listConnections(c.get('db'), c.get('principal').tenantId) }, 200);
  });
}
