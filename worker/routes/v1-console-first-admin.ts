import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import { createFirstAdminInvitation } from '../domain/console/invitations';
import { requireKey } from '../http/auth';
import { conflictResponse, errorResponses, jsonBody, jsonRequest, keyScopes } from './openapi-common';
import { invitationExample } from './v1-console-members';

const route = createRoute({
  method: 'post',
  path: '/v1/tenants/{tenantId}/console/first-admin-invitation',
  operationId: 'inviteFirstConsoleAdmin',
  tags: ['Admin'],
  summary: "Invite a firm's first console admin (operator)",
  description:
    "The operator token's only way into a firm's console: a one-time admin invitation valid 7 days, while the firm has no admin member (409 after: its admins invite people themselves).",
  security: keyScopes('platform'),
  middleware: [requireKey('platform')] as const,
  request: {
    params: z.object({
      tenantId: z
        .string()
        .regex(/^ten_[A-Za-z0-9_-]{1,40}$/, 'A tenant id starts with ten_')
        .openapi({ param: { name: 'tenantId', in: 'path' }, example: 'ten_dDVUkSv9tzoV' }),
    }),
    body: {
      ...jsonRequest(
        z.object({ email: z.string().email().max(254).optional() }).strict(),
        'Optionally, who the invitation is for',
        { email: 'morgan.price@lumenpartners.example' },
      ),
      required: false,
    },
  },
  responses: {
    201: jsonBody(
      z.object({
        id: z.string(),
        invitationUrl: z.string().url(),
        expiresAt: z.string(),
        roles: z.array(z.literal('admin')),
        email: z.string().optional(),
      }),
      'The invitation link (shown once)',
      { ...invitationExample, roles: ['admin'], email: 'morgan.price@lumenpartners.example' },
    ),
    409: conflictResponse(
      'The firm already has a console admin',
      'This firm already has a console admin.',
      'tenantId',
      "The firm's admins invite people from the console (POST /v1/console/invitations).",
    ),
    ...errorResponses,
  },
});

export function registerV1ConsoleFirstAdmin(app: App) {
  app.openapi(route, async (c) => {
    // The body is optional: without one the validator passes nothing on.
    const body = c.req.valid('json') as { email?: string } | undefined;
    const invitation = await createFirstAdminInvitation(
      c.get('db'),
      { tenantId: c.req.valid('param').tenantId, email: body?.email, origin: new URL(c.req.url).origin },
      { who: auditedPrincipal(c.get('principal')), correlationId: c.get('correlationId') },
    );
    return c.json({ ...invitation, roles: ['admin' as const] }, 201);
  });
}
