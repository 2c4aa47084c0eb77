import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { parseKantataWebhook } from '../connectors/kantata';
import { webhookReceiptsTable } from '../db/schema';
import { connectionSecrets } from '../domain/tenancy/connectors';
import { ApiError } from '../http/api-error';
import { log } from '../http/logger';
import { errorResponses, jsonBody, security } from './openapi-common';

const route = createRoute({
  method: 'post',
  path: '/v1/webhooks/kantata/{tenantId}',
  tags: ['Webhooks'],
  summary: 'Kantata change notifications (time entries, expenses, stories); verified, deduped, queued',
  description:
    "Authenticated by the delivery's signature with the tenant's webhook secret; answered fast, processed from the intake queue.",
  security: security.kantataWebhook,
  request: { params: z.object({ tenantId: z.string().min(1).max(64) }) },
  responses: {
    202: jsonBody(z.object({ accepted: z.boolean(), duplicate: z.boolean() }), 'Queued (or already seen)'),
    ...errorResponses,
  },
});

const SUBJECTS: Record<string, 'time_entry' | 'expense' | 'story'> = {
  time_entry: 'time_entry',
  timeentry: 'time_entry',
  expense: 'expense',
  story: 'story',
};

export function registerKantataWebhooks(app: App) {
  app.openapi(route, async (c) => {
    const { tenantId } = c.req.valid('param');
    const raw = await c.req.text();
    const db = c.get('db');
    const secrets = await connectionSecrets(c.env, db, tenantId, 'psa');
    const secret = typeof secrets?.webhookSecret === 'string' ? secrets.webhookSecret : undefined;
    // Same answer for an unknown tenant and a bad signature: nothing to learn by probing.
    if (!secret) throw new ApiError('UNAUTHORIZED', 'Webhook signature could not be verified.');
    let event: ReturnType<typeof parseKantataWebhook> extends Promise<infer T>
      ? T
      : ReturnType<typeof parseKantataWebhook>;
    try {
      event = await parseKantataWebhook(c.req.raw.headers, raw, secret);
    } catch (e) {
      log('warn', 'webhook refused', { correlationId: c.get('correlationId'), tenantId, error: String(e) });
      throw new ApiError('UNAUTHORIZED', 'Webhook signature could not be verified.');
    }
    const fresh = await db
      .insert(webhookReceiptsTable)
      .values({ tenantId, source: 'kantata', deliveryId: event.id })
      .onConflictDoNothing()
      .returning();
    if (fresh.length === 0) return c.json({ accepted: true, duplicate: true }, 202);
    const subjectType =
      SUBJECTS[
        String(event.subjectType)
          .toLowerCase()
          .replace(/[^a-z_]/g, '')
      ];
    if (subjectType) {
      await c.env.INTAKE_QUEUE.send({
        type: 'psa-event',
        tenantId,
        subjectType,
        subjectId: String(event.subjectId),
        psaProjectId: event.workspaceId ? String(event.workspaceId) : undefined,
        correlationId: c.get('correlationId'),
      });
    }
    return c.json({ accepted: true, duplicate: false }, 202);
  });
}
