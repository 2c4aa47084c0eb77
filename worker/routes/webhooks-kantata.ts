import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { receiveKantataWebhook } from '../domain/billing/receive-kantata-webhook';
import { ApiError } from '../http/api-error';
import { log } from '../http/logger';
import { errorResponses, jsonBody, security } from './openapi-common';

const route = createRoute({
  method: 'post',
  path: '/v1/webhooks/kantata/{tenantId}',
  operationId: 'receiveKantataWebhook',
  tags: ['Webhooks'],
  summary: 'Kantata change notifications (time entries, expenses, stories); verified, deduped, queued',
  description:
    "Authenticated by the delivery's signature with the tenant's webhook secret; answered fast, processed from the intake queue.",
  security: security.kantataWebhook,
  request: {
    params: z.object({ tenantId: z.string().min(1).max(64).openapi({ example: 'ten_Vb2Lq8sN0xYz' }) }),
  },
  responses: {
    202: jsonBody(
      z.object({ accepted: z.boolean(), duplicate: z.boolean() }).openapi('WebhookAccepted'),
      'Queued (or already seen)',
      { accepted: true, duplicate: false },
    ),
    ...errorResponses,
  },
});

export function registerKantataWebhooks(app: App) {
  app.openapi(route, async (c) => {
    const { tenantId } = c.req.valid('param');
    const raw = await c.req.text();
    const out = await receiveKantataWebhook(c.get('db'), c.env, {
      tenantId,
      headers: c.req.raw.headers,
      raw,
      correlationId: c.get('correlationId'),
    });
    // Same answer for an unknown tenant and a bad signature: nothing to learn by probing.
    if (out.refused) {
      if (out.error)
        log('warn', 'webhook refused', { correlationId: c.get('correlationId'), tenantId, error: out.error });
      throw new ApiError('UNAUTHORIZED', 'Webhook signature could not be verified.');
    }
    return c.json({ accepted: true, duplicate: out.duplicate }, 202);
  });
}
