import { createRoute, z } from '@hono/zod-openapi';
import { nonBlank } from '../../shared/model/text';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import { createTenant } from '../domain/tenancy/create-tenant';
import { requireKey } from '../http/auth';
import { errorResponses, jsonBody, jsonRequest, keyScopes } from './openapi-common';

/** Only the name: the firm's Salesforce org and Microsoft 365 tenant are proven when connected, never stated. */
const TenantCreateSchema = z
  .strictObject(
    { name: nonBlank(120).openapi({ example: 'Handoff Consulting' }) },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `Send only the name (not ${issue.keys.join(', ')}): the Salesforce org is proven by connecting the CRM (PUT /v1/admin/connections/crm), the Microsoft 365 tenant by its admin signing in.`
          : undefined,
    },
  )
  .openapi('TenantCreate');

const TenantCreatedSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    keys: z.object({
      crm: z
        .string()
        .openapi({ description: 'For the Salesforce package (External Credential). Shown once.' }),
      psa: z.string().openapi({
        description: 'For the PSA host that embeds the sidebar (mints embed tokens). Shown once.',
      }),
      admin: z.string().openapi({ description: 'For connecting systems and operations. Shown once.' }),
    }),
  })
  .openapi('TenantCreated');

const route = createRoute({
  method: 'post',
  path: '/v1/admin/tenants',
  operationId: 'createTenant',
  tags: ['Admin'],
  summary: 'Create a tenant (operator only) and its first API keys',
  security: keyScopes('platform'),
  middleware: [requireKey('platform')] as const,
  request: {
    body: jsonRequest(TenantCreateSchema, 'The firm', { name: 'Handoff Consulting' }),
  },
  responses: {
    201: jsonBody(TenantCreatedSchema, 'Created; the keys are shown only now', {
      id: 'ten_Vb2Lq8sN0xYz',
      name: 'Handoff Consulting',
      keys: {
        crm: 'hk_crm_Xq3vL0b8ZkP2mN7rT1sW9yC4dF6gH5jK',
        psa: 'hk_psa_Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk',
        admin: 'hk_admin_Ll1Mm2Nn3Oo4Pp5Qq6Rr7Ss8Tt9Uu0V',
      },
    }),
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
