import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import {
  netsuiteChoicesOf,
  saveNetSuiteCredentials,
  saveNetSuiteSelections,
} from '../domain/connections/netsuite-setup';
import { requirePermission } from '../http/console-auth';
import {
  errorResponse,
  errorResponses,
  jsonBody,
  jsonRequest,
  security,
  unprocessableResponse,
} from './openapi-common';

const ChoicesSchema = z
  .object({
    subsidiaries: z.array(z.object({ id: z.string(), name: z.string(), country: z.string().nullable() })),
    items: z.array(
      z.object({
        id: z.string(),
        name: z.string().openapi({ description: 'Item Name/Number' }),
        displayName: z.string().nullable(),
        type: z.string().nullable(),
      }),
    ),
  })
  .openapi('NetSuiteChoices');

const choicesExample = {
  subsidiaries: [
    { id: '1', name: 'Lumen Partners Inc.', country: 'US' },
    { id: '2', name: 'Lumen Partners GmbH', country: 'DE' },
  ],
  items: [
    { id: '21', name: 'Professional Services', displayName: 'Professional Services', type: 'Service' },
    { id: '23', name: 'Milestone Billing', displayName: 'Milestone Billing', type: 'Service' },
  ],
};

const CredentialsSchema = z
  .object({
    accountId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/, 'Use the account ID from Setup › Company › Company Information')
      .openapi({ example: '1234567' }),
    clientId: z.string().min(1).max(200).openapi({ description: 'The integration record’s client ID' }),
    certificateId: z.string().min(1).max(200).openapi({
      description:
        'The Certificate ID shown in Setup › Integration › OAuth 2.0 Client Credentials (M2M) Setup',
    }),
    privateKeyPem: z.string().min(1).max(12_000).openapi({
      description:
        'The PKCS#8 private key ("BEGIN PRIVATE KEY") of the certificate uploaded to NetSuite. Stored encrypted, never returned.',
    }),
    algorithm: z.enum(['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512']).optional(),
    baseUrl: z.string().url().max(300).optional().openapi({
      description: 'Default https://{account}.suitetalk.api.netsuite.com',
    }),
    uiBaseUrl: z.string().url().max(300).optional().openapi({
      description: 'Default https://{account}.app.netsuite.com',
    }),
    concurrencyLimit: z.number().int().min(1).max(100).optional().openapi({
      description:
        'Requests Handoff may have in flight on the account (shared with every other integration).',
    }),
  })
  .strict()
  .openapi('NetSuiteCredentials');

const credentials = createRoute({
  method: 'put',
  path: '/v1/console/connections/erp/credentials',
  operationId: 'saveNetSuiteCredentials',
  tags: ['Console'],
  summary: 'Connect NetSuite with OAuth 2.0 machine to machine (client credentials, certificate)',
  description:
    'NetSuite must prove the credentials first: a token is minted with a JWT signed by the certificate’s private key, then the subsidiaries and items are read with SuiteQL. Subsidiaries and items chosen before are kept. Answers the lists to choose from. Needs `connections:manage`.',
  security: security.console,
  middleware: [requirePermission('connections:manage')] as const,
  request: {
    body: jsonRequest(CredentialsSchema, 'The M2M credentials', {
      accountId: '1234567',
      clientId: '6f0c9a3e5b7d41c2a8e0f1d2c3b4a5966f0c9a3e5b7d41c2a8e0f1d2c3b4a596',
      certificateId: 'mJ3kq1Xz0aT2bC4dE6fG8hI0jK2lM4nO',
      privateKeyPem: '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n',
      algorithm: 'PS256',
    }),
  },
  responses: {
    200: jsonBody(
      z.object({ choices: ChoicesSchema, updatedAt: z.string() }),
      'Connected; choose the subsidiaries and items next',
      { choices: choicesExample, updatedAt: '2026-11-17T10:20:00.000Z' },
    ),
    422: unprocessableResponse(
      'NetSuite refused the credentials',
      'NetSuite did not accept the connection: NetSuite refused the client-credentials token request (400 invalid_grant)',
      'certificateId',
      'Check the client ID, the certificate ID and that the certificate’s public key is mapped to an active role under Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup.',
    ),
    503: errorResponse('UPSTREAM_UNAVAILABLE', 'NetSuite could not be reached', 'netsuite unreachable'),
    ...errorResponses,
  },
});

const choices = createRoute({
  method: 'get',
  path: '/v1/console/connections/erp/choices',
  operationId: 'listNetSuiteChoices',
  tags: ['Console'],
  summary: "The subsidiaries and items of the firm's NetSuite account, read now",
  description: 'SuiteQL through the connection (`subsidiary`, active `item`). Needs `view`.',
  security: security.console,
  middleware: [requirePermission('view')] as const,
  responses: {
    200: jsonBody(ChoicesSchema, 'What there is to choose', choicesExample),
    ...errorResponses,
  },
});

const SelectionsSchema = z
  .object({
    subsidiaryIds: z
      .array(z.string().regex(/^\d{1,12}$/, 'A NetSuite internal id'))
      .min(1)
      .max(100)
      .openapi({ description: 'The subsidiaries Handoff bills through (internal ids).' }),
    defaultSubsidiaryId: z
      .string()
      .regex(/^\d{1,12}$/, 'A NetSuite internal id')
      .openapi({
        description: 'For a customer whose account names no billing subsidiary.',
      }),
    items: z
      .object({
        time: z.string().regex(/^\d{1,12}$/, 'A NetSuite internal id'),
        expense: z.string().regex(/^\d{1,12}$/, 'A NetSuite internal id'),
        invoice: z.string().regex(/^\d{1,12}$/, 'A NetSuite internal id'),
      })
      .openapi({
        description: 'The items time, expenses and milestone invoices bill through (internal ids).',
      }),
  })
  .strict()
  .openapi('NetSuiteSelections');

const selections = createRoute({
  method: 'put',
  path: '/v1/console/connections/erp/selections',
  operationId: 'saveNetSuiteSelections',
  tags: ['Console'],
  summary: 'Choose the subsidiaries and items Handoff bills through',
  description:
    'Each id is checked against the lists read from NetSuite now; a subsidiary is mapped by its NetSuite name (the value the CRM’s Billing subsidiary holds). Needs `connections:manage`.',
  security: security.console,
  middleware: [requirePermission('connections:manage')] as const,
  request: {
    body: jsonRequest(SelectionsSchema, 'The choices', {
      subsidiaryIds: ['1', '2'],
      defaultSubsidiaryId: '1',
      items: { time: '21', expense: '22', invoice: '23' },
    }),
  },
  responses: {
    200: jsonBody(
      z.object({ config: z.record(z.string(), z.unknown()), updatedAt: z.string() }),
      'Saved (the connection’s settings, never its secrets)',
      {
        config: {
          accountId: '1234567',
          subsidiaryIds: { 'Lumen Partners Inc.': '1', 'Lumen Partners GmbH': '2' },
          defaultSubsidiaryId: '1',
          items: { time: '21', expense: '22', invoice: '23' },
        },
        updatedAt: '2026-11-17T10:22:00.000Z',
      },
    ),
    422: unprocessableResponse(
      'A subsidiary or item is not in NetSuite',
      'These are not all in NetSuite.',
      'items.invoice',
      'Choose from the list, or create the item in NetSuite (Lists › Accounting › Items › New) first.',
    ),
    ...errorResponses,
  },
});

export function registerV1ConsoleConnectionsNetSuite(app: App) {
  app.openapi(credentials, async (c) => {
    const body = c.req.valid('json');
    const principal = c.get('principal');
    const saved = await saveNetSuiteCredentials(
      c.get('db'),
      c.env,
      { tenantId: principal.tenantId, ...body },
      { who: auditedPrincipal(principal), correlationId: c.get('correlationId') },
    );
    return c.json(saved, 200);
  });
  app.openapi(choices, async (c) => {
    return c.json(await netsuiteChoicesOf(c.get('db'), c.env, c.get('principal').tenantId), 200);
  });
  app.openapi(selections, async (c) => {
    const body = c.req.valid('json');
    const principal = c.get('principal');
    const saved = await saveNetSuiteSelections(
      c.get('db'),
      c.env,
      { tenantId: principal.tenantId, ...body },
      { who: auditedPrincipal(principal), correlationId: c.get('correlationId') },
    );
    return c.json(saved, 200);
  });
}
