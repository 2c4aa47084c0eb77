import { createRoute, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import type { App } from '../app';
import { approvalPoliciesTable, tenantsTable } from '../db/schema';
import { TenantPolicySchema } from '../domain/amendments/policy';
import { requireKey } from '../http/auth';
import { errorResponses, jsonBody } from './openapi-common';

const route = createRoute({
  method: 'put',
  path: '/v1/admin/approvals-policy',
  tags: ['Admin'],
  summary:
    "Connect the firm's Teams (its Entra tenant id) and say who approves milestones, change orders and exceptions",
  security: [{ apiKey: [] }],
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
