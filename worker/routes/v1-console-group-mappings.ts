import { createRoute, z } from '@hono/zod-openapi';
import { CONSOLE_ROLES } from '../../shared/api/console';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import { listGroupMappings, replaceGroupMappings } from '../domain/console/group-mappings';
import { CONSOLE_PROVIDERS } from '../domain/console/providers';
import { requirePermission } from '../http/console-auth';
import { errorResponses, jsonBody, jsonRequest, security } from './openapi-common';

const MappingSchema = z
  .object({
    provider: z.enum(CONSOLE_PROVIDERS).openapi({
      description:
        'entra (the id token’s `groups`); Salesforce id tokens carry no groups, so its mappings never apply',
    }),
    group: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[\w.:@-]+$/, 'A group id: letters, digits and . _ : @ -')
      .openapi({ description: 'The group id (Entra: the security group’s object id)' }),
    role: z.enum(CONSOLE_ROLES),
  })
  .openapi('ConsoleGroupMapping');
/** The contract's shape: the list itself, `[{provider, group, role}]`. */
const MappingsSchema = z.array(MappingSchema).max(200).openapi('ConsoleGroupMappings');
const example: z.output<typeof MappingsSchema> = [
  { provider: 'entra', group: '5f1c2a9e-3b7d-4e15-a8c2-0d9e4f7a1b36', role: 'finance-ops' },
  { provider: 'entra', group: '0b6c5b1e-8d51-4a4e-9f0f-6a9c2a7b1d11', role: 'viewer' },
];

const get = createRoute({
  method: 'get',
  path: '/v1/console/group-mappings',
  operationId: 'listConsoleGroupMappings',
  tags: ['Console'],
  summary: 'Identity-provider groups whose members get a console role',
  security: security.console,
  middleware: [requirePermission('members:manage')] as const,
  responses: { 200: jsonBody(MappingsSchema, 'The mappings', example), ...errorResponses },
});

const put = createRoute({
  method: 'put',
  path: '/v1/console/group-mappings',
  operationId: 'replaceConsoleGroupMappings',
  tags: ['Console'],
  summary: "Replace the firm's group-to-role mappings",
  description:
    "A member's roles at sign-in are their assigned roles plus the roles mapped from the groups in their id token. Applies from each member's next sign-in.",
  security: security.console,
  middleware: [requirePermission('members:manage')] as const,
  request: {
    body: jsonRequest(
      z.array(MappingSchema.strict()).max(200),
      'Every mapping (replaces the current ones)',
      example,
    ),
  },
  responses: { 200: jsonBody(MappingsSchema, 'The mappings as stored', example), ...errorResponses },
});

export function registerV1ConsoleGroupMappings(app: App) {
  app.openapi(get, async (c) =>
    c.json(await listGroupMappings(c.get('db'), c.get('principal').tenantId), 200),
  );
  app.openapi(put, async (c) => {
    const principal = c.get('principal');
    const mappings = await replaceGroupMappings(
      c.get('db'),
      { tenantId: principal.tenantId, mappings: c.req.valid('json') },
      { who: auditedPrincipal(principal), correlationId: c.get('correlationId') },
    );
    return c.json(mappings, 200);
  });
}
