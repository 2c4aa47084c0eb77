import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { TenantPolicySchema } from '../domain/amendments/policy';
import { auditedPrincipal } from '../domain/audit';
import { botConnectorUrlProblems, savePolicy } from '../domain/teams/save-policy';
import { ApiError } from '../http/api-error';
import { requireKey } from '../http/auth';
import { errorResponses, jsonBody, jsonRequest, keyScopes, unprocessableResponse } from './openapi-common';

const ava = {
  aadObjectId: 'a7a0c0e1-0000-4000-8000-00000000a7a0',
  name: 'Ava Reyes',
  email: 'ava.reyes@handoff-consulting.example',
};
const emma = {
  aadObjectId: 'e3a0c0e1-0000-4000-8000-00000000e3a0',
  name: 'Emma Lindqvist',
  email: 'emma.lindqvist@handoff-consulting.example',
};

const route = createRoute({
  method: 'put',
  path: '/v1/admin/approvals-policy',
  operationId: 'saveApprovalsPolicy',
  tags: ['Admin'],
  summary:
    'Say who approves milestones, change orders and exceptions in Teams (the organisation is connected with POST /v1/admin/identity/microsoft/claims)',
  security: keyScopes('admin'),
  middleware: [requireKey('admin')] as const,
  request: {
    body: jsonRequest(
      z
        .looseObject({ policy: TenantPolicySchema })
        // The organisation is proven by a sign-in of its administrator, never typed in: a client still sending
        // the id learns where it went instead of having it silently dropped.
        .superRefine((body, ctx) => {
          if ('teamsTenantId' in body)
            ctx.addIssue({
              code: 'custom',
              path: ['teamsTenantId'],
              message: 'is no longer accepted here: the Microsoft 365 organisation must be proven',
              params: {
                fix: 'Remove teamsTenantId; prove the organisation with POST /v1/admin/identity/microsoft/claims (an administrator of it signs in).',
              },
            });
        }),
      'The policy',
      {
        policy: {
          milestoneApprover: ava,
          changeOrderApprover: ava,
          exceptionOwners: { 'finance-ops': emma },
          people: [ava, emma],
          approveAboveMinor: 2_500_000,
          alwaysForRates: true,
          teamsServiceUrl: 'https://smba.trafficmanager.net/teams/',
        },
      },
    ),
  },
  responses: {
    200: jsonBody(z.object({ ok: z.boolean() }), 'Saved', { ok: true }),
    422: unprocessableResponse(
      'The service URL is not a Bot Connector host',
      'not a Bot Connector host',
      'policy.teamsServiceUrl',
      'Use the service URL Teams sends with activities, e.g. https://smba.trafficmanager.net/teams/.',
    ),
    ...errorResponses,
  },
});

export function registerV1AdminTeams(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const { tenantId } = c.get('principal');
    // The bot sends its Bot Connector token to this URL when it first writes to someone who never wrote to it
    // (otherwise it uses the serviceUrl of their last activity): only a Bot Connector host Microsoft documents,
    // matched exactly, or an origin the deployment adds (the connector checks again on every request).
    const serviceUrl = body.policy.teamsServiceUrl;
    if (serviceUrl !== undefined) {
      const problems = botConnectorUrlProblems(c.env, serviceUrl, 'policy.teamsServiceUrl');
      if (problems.length)
        throw new ApiError(
          'VALIDATION_FAILED',
          'teamsServiceUrl must be a Microsoft Bot Connector URL.',
          problems,
        );
    }
    await savePolicy(
      c.get('db'),
      { tenantId, policy: body.policy },
      { who: auditedPrincipal(c.get('principal')), correlationId: c.get('correlationId') },
    );
    return c.json({ ok: true }, 200);
  });
}
