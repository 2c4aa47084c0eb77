import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { TenantPolicySchema } from '../domain/amendments/policy';
import { auditedPrincipal } from '../domain/audit';
import { botConnectorUrlProblems, savePolicy } from '../domain/teams/save-policy';
import { ApiError } from '../http/api-error';
import { requireKey } from '../http/auth';
import { errorResponses, jsonBody, keyScopes } from './openapi-common';

const route = createRoute({
  method: 'put',
  path: '/v1/admin/approvals-policy',
  tags: ['Admin'],
  summary:
    "Connect the firm's Teams (its Entra tenant id) and say who approves milestones, change orders and exceptions",
  security: keyScopes('admin'),
  middleware: [requireKey('admin')] as const,
  request: {
    body: {
      ...jsonBody(
        z.object({ teamsTenantId: z.string().min(1).max(64).optional(), policy: TenantPolicySchema }),
        'The policy',
      ),
      required: true,
    },
  },
  responses: { 200: jsonBody(z.object({ ok: z.boolean() }), 'Saved'), ...errorResponses },
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
