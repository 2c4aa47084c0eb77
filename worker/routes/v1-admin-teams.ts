import { createRoute, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import type { App } from '../app';
import { approvalPoliciesTable, tenantsTable } from '../db/schema';
import { TenantPolicySchema } from '../domain/amendments/policy';
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
    const db = c.get('db');
    if (body.teamsTenantId)
      await db
        .update(tenantsTable)
        .set({ teamsTenantId: body.teamsTenantId })
        .where(eq(tenantsTable.id, tenantId));
    const row = {
      tenantId,
      policy: body.policy as unknown as Record<string, unknown>,
      updatedAt: new Date().toISOString(),
    };
    await db
      .insert(approvalPoliciesTable)
      .values(row)
      .onConflictDoUpdate({ target: approvalPoliciesTable.tenantId, set: row });
    return c.json({ ok: true }, 200);
  });
}
