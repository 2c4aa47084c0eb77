import { createRoute, z } from '@hono/zod-openapi';
import { ActivationViewSchema } from '../../shared/api/activation';
import { SalesforceIdSchema } from '../../shared/model/ids';
import type { App } from '../app';
import { activationView, findActivation, findActivationForRecord } from '../domain/activation/store';
import { ApiError } from '../http/api-error';
import { requireKey } from '../http/auth';
import { errorResponses, jsonBody, keyScopes } from './openapi-common';
import { activationExample, OPPORTUNITY } from './openapi-examples';

const byRecord = createRoute({
  method: 'get',
  path: '/v1/activations',
  operationId: 'getActivationByRecord',
  tags: ['Activations'],
  summary: "The activation of a CRM record, with every step's progress, links and what to fix",
  security: keyScopes('crm', 'admin'),
  middleware: [requireKey('crm', 'admin')] as const,
  request: {
    query: z.object({ crmRecordId: SalesforceIdSchema.openapi({ example: OPPORTUNITY }) }),
  },
  responses: { 200: jsonBody(ActivationViewSchema, 'The activation', activationExample), ...errorResponses },
});

const byId = createRoute({
  method: 'get',
  path: '/v1/activations/{id}',
  operationId: 'getActivation',
  tags: ['Activations'],
  summary: 'One activation by id',
  security: keyScopes('crm', 'admin'),
  middleware: [requireKey('crm', 'admin')] as const,
  request: { params: z.object({ id: z.string().min(1).max(64).openapi({ example: activationExample.id }) }) },
  responses: { 200: jsonBody(ActivationViewSchema, 'The activation', activationExample), ...errorResponses },
});

export function registerV1ActivationsGet(app: App) {
  app.openapi(byRecord, async (c) => {
    const { crmRecordId } = c.req.valid('query');
    const { tenantId } = c.get('principal');
    const db = c.get('db');
    const row = await findActivationForRecord(db, tenantId, crmRecordId);
    if (!row) throw new ApiError('NOT_FOUND', `Record ${crmRecordId} has not been activated.`);
    return c.json(await activationView(db, row), 200);
  });
  app.openapi(byId, async (c) => {
    const { id } = c.req.valid('param');
    const db = c.get('db');
    const row = await findActivation(db, c.get('principal').tenantId, { id });
    if (!row) throw new ApiError('NOT_FOUND', `No activation ${id}.`);
    return c.json(await activationView(db, row), 200);
  });
}
