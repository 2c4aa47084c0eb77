import { createRoute } from '@hono/zod-openapi';
import { ActivateRequestSchema, ActivationViewSchema } from '../../shared/api/activation';
import type { App } from '../app';
import { startActivation } from '../domain/activation/start-activation';
import { auditedPrincipal } from '../domain/audit';
import { loadConnectors, MissingConnectionError } from '../domain/tenancy/connectors';
import { ApiError } from '../http/api-error';
import { requireKey } from '../http/auth';
import { idempotent } from '../http/idempotency';
import {
  conflictResponse,
  errorResponse,
  errorResponses,
  idempotencyHeaders,
  jsonBody,
  jsonRequest,
  keyScopes,
} from './openapi-common';
import { activationExample, OPPORTUNITY } from './openapi-examples';

const route = createRoute({
  method: 'post',
  path: '/v1/activations',
  operationId: 'createActivation',
  tags: ['Activations'],
  summary: 'Activate the project for a signed opportunity or contract',
  description:
    'Starts provisioning the ERP customer, the PSA project and the ERP project with its billing schedule. ' +
    'One activation exists per opportunity: further calls (any key) return it. Requires Idempotency-Key.',
  security: keyScopes('crm'),
  middleware: [requireKey('crm'), idempotent('POST /v1/activations')] as const,
  request: {
    headers: idempotencyHeaders,
    body: jsonRequest(ActivateRequestSchema, 'The CRM record the seller clicked on', {
      crmRecordId: OPPORTUNITY,
    }),
  },
  responses: {
    202: jsonBody(ActivationViewSchema, 'Activation started', {
      ...activationExample,
      status: 'queued',
      completedAt: null,
      steps: activationExample.steps.map((s) => ({
        ...s,
        status: 'pending' as const,
        attempts: 0,
        startedAt: null,
        finishedAt: null,
      })),
      links: [],
    }),
    200: jsonBody(
      ActivationViewSchema,
      'The activation already exists (started by an earlier click)',
      activationExample,
    ),
    409: conflictResponse(
      'The same Idempotency-Key is still being processed',
      'A request with this Idempotency-Key is still being processed; retry in a moment.',
    ),
    422: errorResponse(
      'IDEMPOTENCY_KEY_REUSED',
      'The same Idempotency-Key was used with another body',
      'This Idempotency-Key was used with a different request body.',
    ),
    ...errorResponses,
  },
});

export function registerV1ActivationsCreate(app: App) {
  app.openapi(route, async (c) => {
    const { crmRecordId } = c.req.valid('json');
    const principal = c.get('principal');
    const db = c.get('db');
    let opportunityId = crmRecordId;
    if (!crmRecordId.startsWith('006')) {
      // A Contract (800...) or another record: ask the CRM which opportunity it belongs to.
      try {
        const { crm } = await loadConnectors(c.env, db, principal.tenantId);
        opportunityId = await crm.resolveOpportunityId(crmRecordId);
      } catch (e) {
        if (e instanceof MissingConnectionError)
          throw new ApiError(
            'CONFLICT',
            `${e.message}. An admin must connect it first (PUT /v1/admin/connections/${e.role}).`,
          );
        if (e instanceof ApiError) throw e;
        throw new ApiError(
          'VALIDATION_FAILED',
          `Could not find the opportunity for record ${crmRecordId}: ${(e as Error).message}`,
          [
            {
              field: 'crmRecordId',
              message: 'no opportunity found',
              fix: 'Link the contract to its opportunity (Opportunity.ContractId), or activate from the opportunity.',
            },
          ],
        );
      }
    }
    const { created, view } = await startActivation({
      db,
      env: c.env,
      tenantId: principal.tenantId,
      // The key is who acted; the Salesforce user it names travels along as supplementary detail.
      ...auditedPrincipal(principal),
      correlationId: c.get('correlationId'),
      crmRecordId,
      opportunityId,
    });
    return c.json(view, created ? 202 : 200);
  });
}
