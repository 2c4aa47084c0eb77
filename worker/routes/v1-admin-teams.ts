import { createRoute, z } from '@hono/zod-openapi';
import { EntraIdSchema } from '../../shared/model/ids';
import type { App } from '../app';
import { TenantPolicySchema } from '../domain/amendments/policy';
import { auditedPrincipal } from '../domain/audit';
import { botConnectorUrlProblems, savePolicy } from '../domain/teams/save-policy';
import { ApiError } from '../http/api-error';
import { requireKey } from '../http/auth';
import {
  conflictResponse,
  errorResponses,
  jsonBody,
  jsonRequest,
  keyScopes,
  unprocessableResponse,
} from './openapi-common';

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
    "Connect the firm's Teams (its Entra tenant id) and say who approves milestones, change orders and exceptions",
  security: keyScopes('admin'),
  middleware: [requireKey('admin')] as const,
  request: {
    body: jsonRequest(
      z.object({
        teamsTenantId: EntraIdSchema.optional().openapi({
          description: "The firm's Microsoft Entra tenant id; one Handoff tenant per Microsoft 365 tenant.",
        }),
        policy: TenantPolicySchema,
      }),
      'The policy',
      {
        teamsTenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
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
    409: conflictResponse(
      'The Microsoft 365 tenant is already connected to another Handoff tenant',
      'This Microsoft 365 tenant is already connected to another Handoff tenant.',
      'teamsTenantId',
      'Check the tenant id in Entra admin center → Overview; if it is right, disconnect it from the other Handoff tenant first.',
    ),
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
      { tenantId, teamsTenantId: body.teamsTenantId, policy: body.policy },
      { who: auditedPrincipal(c.get('principal')), correlationId: c.get('correlationId') },
    );
    return c.json({ ok: true }, 200);
  });
}
