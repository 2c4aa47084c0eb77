import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { TenantPolicySchema } from '../domain/amendments/policy';
import { savePolicy } from '../domain/teams/save-policy';
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
    // The bot sends its Bot Connector token to this URL: only Microsoft's Bot Connector hosts (or the local
    // emulator where the deployment allows loopback) may receive it.
    const serviceUrl = body.policy.teamsServiceUrl;
    if (serviceUrl) {
      const host = new URL(serviceUrl).hostname;
      const microsoft =
        serviceUrl.startsWith('https://') &&
        /(^|\.)(trafficmanager\.net|botframework\.com|botframework\.azure\.us|teams\.microsoft\.com)$/.test(
          host,
        );
      const loopback =
        c.env.ALLOW_LOOPBACK_CONNECTIONS === 'true' && /^(127\.\d+\.\d+\.\d+|localhost)$/.test(host);
      if (!microsoft && !loopback) {
        throw new ApiError('VALIDATION_FAILED', 'teamsServiceUrl must be a Microsoft Bot Connector URL.', [
          {
            field: 'policy.teamsServiceUrl',
            message: 'not a Bot Connector host',
            fix: 'Use the service URL Teams sends with activities, e.g. https://smba.trafficmanager.net/teams/.',
          },
        ]);
      }
    }
    await savePolicy(c.get('db'), { tenantId, teamsTenantId: body.teamsTenantId, policy: body.policy });
    return c.json({ ok: true }, 200);
  });
}
