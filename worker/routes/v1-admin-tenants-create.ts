import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import { createTenant } from '../domain/tenancy/create-tenant';
import { requireKey } from '../http/auth';
import { errorResponses, jsonBody, keyScopes } from './openapi-common';

const TenantCreateSchema = z.object({
  name: z.string().min(1).max(120).openapi({ example: 'Handoff Consulting' }),
  salesforceOrgId: z
    .string()
    .regex(/^00D[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/, 'A Salesforce org id starts with 00D')
    .optional(),
});

const TenantCreatedSchema = z.object({
  id: z.string(),
  name: z.string(),
  keys: z.object({
    crm: z.string().openapi({ description: 'For the Salesforce package (External Credential). Shown once.' }),
    psa: z
      .string()
      .openapi({ description: 'For the PSA host that embeds the sidebar (mints embed tokens). Shown once.' }),
    admin: z.string().openapi({ description: 'For connecting systems and operations. Shown once.' }),
  }),
});

const route = createRoute({
  method: 'post',
  path: '/v1/admin/tenants',
  tags: ['Admin'],
  summary: 'Create a tenant (operator only) and its first API keys',
  security: keyScopes('platform'),
  middleware: [requireKey('platform')] as const,
  request: { body: { ...jsonBody(TenantCreateSchema, 'The firm'), required: true } },
  responses: {
    201: jsonBody(TenantCreatedSchema, 'Created; the keys are shown only now'),
    ...errorResponses,
  },
});

export function registerV1AdminTenantsCreate(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const { id, keys } = await createTenant(c.get('db'), body, {
      who: auditedPrincipal(c.get('principal')),
      correlationId: c.get('correlationId'),
    });
    return c.json({ id, name: body.name, keys }, 201);
  });
}
