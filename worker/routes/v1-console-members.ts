import { createRoute, z } from '@hono/zod-openapi';
import { CONSOLE_ROLES } from '../../shared/api/console';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import { createInvitation } from '../domain/console/invitations';
import { listMembers, removeMember, updateMember } from '../domain/console/members';
import { requirePermission } from '../http/console-auth';
import { conflictResponse, errorResponses, jsonBody, jsonRequest, security } from './openapi-common';

const RolesSchema = z
  .array(z.enum(CONSOLE_ROLES))
  .min(1)
  .max(CONSOLE_ROLES.length)
  .openapi({ description: 'admin, finance-ops, delivery-ops, viewer', example: ['finance-ops'] });

export const MemberSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    provider: z.enum(['entra', 'salesforce']),
    organizationId: z.string().openapi({
      description: 'The Microsoft 365 organisation (tid) or Salesforce org id they sign in from.',
    }),
    roles: z
      .array(z.enum(CONSOLE_ROLES))
      .openapi({ description: 'Assigned roles (group roles come at sign-in).' }),
    state: z.enum(['active', 'disabled']),
    createdAt: z.string(),
    lastSignInAt: z.string().nullable(),
  })
  .openapi('ConsoleMember');

const memberExample: z.output<typeof MemberSchema> = {
  id: 'mem_Qw3rTy9uIo0p',
  name: 'Farah Okafor',
  email: 'farah.okafor@lumenpartners.example',
  provider: 'entra',
  organizationId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  roles: ['finance-ops'],
  state: 'active',
  createdAt: '2026-12-01T09:00:00.000Z',
  lastSignInAt: '2026-12-07T08:41:00.000Z',
};

const MemberIdParams = z.object({
  id: z
    .string()
    .regex(/^mem_[A-Za-z0-9_-]{1,40}$/, 'A console member id starts with mem_')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'mem_Qw3rTy9uIo0p' }),
});

const lastAdmin = conflictResponse(
  "The firm's last admin cannot be removed, demoted or disabled",
  "Farah Okafor is the firm's last admin and cannot be demoted.",
  'id',
  'Give another member the admin role first (PATCH /v1/console/members/{id}), then try again.',
);

const list = createRoute({
  method: 'get',
  path: '/v1/console/members',
  operationId: 'listConsoleMembers',
  tags: ['Console'],
  summary: "The firm's console members and their roles",
  security: security.console,
  middleware: [requirePermission('members:manage')] as const,
  responses: {
    200: jsonBody(z.object({ members: z.array(MemberSchema) }), 'Every member of the firm', {
      members: [memberExample],
    }),
    ...errorResponses,
  },
});

const patch = createRoute({
  method: 'patch',
  path: '/v1/console/members/{id}',
  operationId: 'updateConsoleMember',
  tags: ['Console'],
  summary: "Change a member's roles, or disable or re-enable them",
  description:
    "Ends the member's sessions: they sign in again with the new roles (a disabled member cannot). The firm's last active admin keeps the admin role and cannot be disabled (409).",
  security: security.console,
  middleware: [requirePermission('members:manage')] as const,
  request: {
    params: MemberIdParams,
    body: jsonRequest(
      z
        .object({ roles: RolesSchema.optional(), state: z.enum(['active', 'disabled']).optional() })
        .strict()
        .refine((b) => b.roles !== undefined || b.state !== undefined, {
          message: 'Send roles, state or both',
          params: { fix: 'Send {"roles": ["viewer"]} or {"state": "disabled"}.' },
        }),
      'The new roles and/or state',
      { roles: ['finance-ops', 'viewer'] },
    ),
  },
  responses: {
    200: jsonBody(MemberSchema, 'The member as changed', memberExample),
    409: lastAdmin,
    ...errorResponses,
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/console/members/{id}',
  operationId: 'removeConsoleMember',
  tags: ['Console'],
  summary: 'Remove a member from the console (their sessions end)',
  description: "Never the firm's last active admin (409).",
  security: security.console,
  middleware: [requirePermission('members:manage')] as const,
  request: { params: MemberIdParams },
  responses: { 204: { description: 'Removed' }, 409: lastAdmin, ...errorResponses },
});

const InvitationSchema = z
  .object({
    id: z.string(),
    invitationUrl: z.string().url().openapi({
      description:
        "Send it to the person: the console's sign-in page, which offers each identity provider for the invitation. Shown once.",
    }),
    expiresAt: z.string(),
    roles: z.array(z.enum(CONSOLE_ROLES)),
    email: z.string().optional(),
  })
  .openapi('ConsoleInvitation');

export const invitationExample: z.output<typeof InvitationSchema> = {
  id: 'cin_Zb3kQ9x1VtYw',
  invitationUrl:
    'https://handoff.example.com/console/sign-in?invitation=inv_Yd2xP0m4WcX2yq8tK1nB7pR5sL3dF9gH6zAJv0m4WcX',
  expiresAt: '2026-12-14T09:00:00.000Z',
  roles: ['finance-ops'],
  email: 'farah.okafor@lumenpartners.example',
};

const invite = createRoute({
  method: 'post',
  path: '/v1/console/invitations',
  operationId: 'inviteConsoleMember',
  tags: ['Console'],
  summary: 'Invite a person to the console with roles',
  description:
    'A one-time link valid 7 days. The person who signs in with it (Microsoft Entra ID or Salesforce) joins the firm with these roles; with `email`, only a person whose identity provider vouches for that email. A firm that has proven its Microsoft 365 organisation or Salesforce org only admits people from it.',
  security: security.console,
  middleware: [requirePermission('members:manage')] as const,
  request: {
    body: jsonRequest(
      z.object({ email: z.string().email().max(254).optional(), roles: RolesSchema }).strict(),
      'The roles, and optionally who it is for',
      { email: 'farah.okafor@lumenpartners.example', roles: ['finance-ops'] },
    ),
  },
  responses: {
    201: jsonBody(InvitationSchema, 'The invitation link (shown once)', invitationExample),
    ...errorResponses,
  },
});

export function registerV1ConsoleMembers(app: App) {
  app.openapi(list, async (c) =>
    c.json({ members: await listMembers(c.get('db'), c.get('principal').tenantId) }, 200),
  );
  app.openapi(patch, async (c) => {
    const principal = c.get('principal');
    const body = c.req.valid('json');
    const member = await updateMember(
      c.get('db'),
      { tenantId: principal.tenantId, memberId: c.req.valid('param').id, ...body },
      { who: auditedPrincipal(principal), correlationId: c.get('correlationId') },
    );
    return c.json(member, 200);
  });
  app.openapi(remove, async (c) => {
    const principal = c.get('principal');
    await removeMember(
      c.get('db'),
      { tenantId: principal.tenantId, memberId: c.req.valid('param').id },
      { who: auditedPrincipal(principal), correlationId: c.get('correlationId') },
    );
    return c.body(null, 204);
  });
  app.openapi(invite, async (c) => {
    const principal = c.get('principal');
    const body = c.req.valid('json');
    const invitation = await createInvitation(
      c.get('db'),
      {
        tenantId: principal.tenantId,
        roles: body.roles,
        email: body.email,
        origin: new URL(c.req.url).origin,
      },
      { who: auditedPrincipal(principal), correlationId: c.get('correlationId') },
    );
    return c.json(invitation, 201);
  });
}
