import { createRoute } from '@hono/zod-openapi';
import { DEFAULT_SLA, SlaPolicySchema } from '../../shared/api/exceptions';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import { loadSla, saveSla } from '../domain/exceptions/sla';
import { requirePermission } from '../http/console-auth';
import { errorResponses, jsonBody, jsonRequest, security } from './openapi-common';

const example = { owners: { 'finance-ops': 24, 'delivery-ops': 48 }, defaultHours: 48 };

const get = createRoute({
  method: 'get',
  path: '/v1/console/sla',
  operationId: 'getSlaPolicy',
  tags: ['Exceptions'],
  summary: "The firm's SLA per exception owner, in hours (defaults: finance-ops 24, delivery-ops 48)",
  security: security.console,
  middleware: [requirePermission('view')] as const,
  responses: { 200: jsonBody(SlaPolicySchema, 'The policy in force', DEFAULT_SLA), ...errorResponses },
});

const put = createRoute({
  method: 'put',
  path: '/v1/console/sla',
  operationId: 'putSlaPolicy',
  tags: ['Exceptions'],
  summary: "Set the firm's SLA per exception owner; due times and overdue follow at once. Audited",
  security: security.console,
  middleware: [requirePermission('connections:manage')] as const,
  request: {
    body: jsonRequest(
      SlaPolicySchema.extend({
        defaultHours: SlaPolicySchema.shape.defaultHours.default(DEFAULT_SLA.defaultHours),
      })
        .strict()
        .openapi('SlaPolicyUpdate'),
      'Hours per owner',
      example,
    ),
  },
  responses: { 200: jsonBody(SlaPolicySchema, 'Saved', example), ...errorResponses },
});

export function registerV1ConsoleSla(app: App) {
  app.openapi(get, async (c) => c.json(await loadSla(c.get('db'), c.get('principal').tenantId), 200));
  app.openapi(put, async (c) => {
    const policy = await saveSla(
      c.get('db'),
      { tenantId: c.get('principal').tenantId, policy: c.req.valid('json') },
      { who: auditedPrincipal(c.get('principal')), correlationId: c.get('correlationId') },
    );
    return c.json(policy, 200);
  });
}
