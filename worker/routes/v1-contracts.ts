import { createRoute, z } from '@hono/zod-openapi';
import { ContractSummarySchema, ContractTimelineSchema } from '../../shared/api/timeline';
import type { App } from '../app';
import { contractTimeline, listContracts } from '../domain/timeline/contract-timeline';
import { ApiError } from '../http/api-error';
import { requirePermission } from '../http/console-auth';
import { errorResponses, jsonBody, security } from './openapi-common';
import { OPPORTUNITY } from './openapi-examples';

const CORRELATION = 'c0a8012e-5b1d-4c1f-9f4e-2d6a7b8c9d01';

const list = createRoute({
  method: 'get',
  path: '/v1/contracts',
  operationId: 'listContracts',
  tags: ['Contracts'],
  summary: "The firm's activated contracts, newest first, found by opportunity id or contract number",
  security: security.console,
  middleware: [requirePermission('view')] as const,
  request: {
    query: z.object({
      q: z.string().trim().max(64).optional().openapi({ example: 'CN-2026' }),
      cursor: z.string().max(200).optional().openapi({ description: "The previous page's nextCursor." }),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: {
    200: jsonBody(
      z.object({ contracts: z.array(ContractSummarySchema), nextCursor: z.string().nullable() }),
      'Newest first',
      {
        contracts: [
          {
            contractKey: OPPORTUNITY,
            contractNumber: 'CN-2026-0042',
            status: 'active',
            activatedAt: '2026-11-16T15:04:19.000Z',
            requestedAt: '2026-11-16T15:04:05.000Z',
          },
        ],
        nextCursor: null,
      },
    ),
    ...errorResponses,
  },
});

const timeline = createRoute({
  method: 'get',
  path: '/v1/contracts/{contractKey}/timeline',
  operationId: 'getContractTimeline',
  tags: ['Contracts'],
  summary:
    'Every event of one contract, from the CRM click to the ERP invoice and payment, with actor, correlation id and time since the previous step',
  security: security.console,
  middleware: [requirePermission('view')] as const,
  request: {
    params: z.object({
      contractKey: z
        .string()
        .min(1)
        .max(64)
        .openapi({ example: OPPORTUNITY, description: 'The CRM opportunity id.' }),
    }),
  },
  responses: {
    200: jsonBody(ContractTimelineSchema, 'Oldest first', {
      contractKey: OPPORTUNITY,
      contractNumber: 'CN-2026-0042',
      name: 'Northwind ERP rollout',
      customer: 'Northwind Traders',
      status: 'active',
      truncated: false,
      events: [
        {
          at: '2026-11-16T15:04:05.000Z',
          kind: 'activation.requested',
          title: 'Activate project clicked',
          system: 'crm',
          correlationId: CORRELATION,
          actor: 'key:key_crm_1',
          sincePreviousMs: null,
          url: 'https://northwind.my.salesforce.com/006000000000002AAA',
          status: 'done',
        },
        {
          at: '2026-11-16T15:04:19.000Z',
          kind: 'activation.completed',
          title: 'Project ready in the PSA and the ERP',
          system: 'handoff',
          correlationId: CORRELATION,
          actor: 'handoff',
          sincePreviousMs: 14000,
          url: null,
          status: 'done',
        },
      ],
    }),
    ...errorResponses,
  },
});

export function registerV1Contracts(app: App) {
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const page = await listContracts(c.get('db'), c.get('principal').tenantId, {
      search: q.q || undefined,
      cursor: q.cursor,
      limit: q.limit,
    });
    return c.json(page, 200);
  });
  app.openapi(timeline, async (c) => {
    const { contractKey } = c.req.valid('param');
    const t = await contractTimeline(c.get('db'), c.get('principal').tenantId, contractKey);
    if (!t) throw new ApiError('NOT_FOUND', `No activated contract ${contractKey} in this firm.`);
    return c.json(t, 200);
  });
}
