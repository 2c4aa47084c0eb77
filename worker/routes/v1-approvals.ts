import { createRoute, z } from '@hono/zod-openapi';
import { nonBlank } from '../../shared/model/text';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import { decideApproval } from '../domain/billing/decide-approval';
import { approvalView, listApprovals } from '../domain/billing/list-approvals';
import { refreshSentCards } from '../domain/teams/notify';
import { requireKey } from '../http/auth';
import { conflictResponse, errorResponses, jsonBody, jsonRequest, keyScopes } from './openapi-common';
import { approvalExample } from './openapi-examples';

const ApprovalSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['milestone', 'change_order']),
    contractKey: z.string(),
    subjectKey: z.string(),
    state: z.enum(['requested', 'accepted', 'rejected']),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    comment: z.string().nullable(),
    evidence: z.record(z.string(), z.unknown()).nullable(),
    createdAt: z.string(),
  })
  .openapi('Approval');

const list = createRoute({
  method: 'get',
  path: '/v1/approvals',
  operationId: 'listApprovals',
  tags: ['Approvals'],
  summary: 'Milestone acceptances: requested ones wait for an approver',
  security: keyScopes('admin'),
  middleware: [requireKey('admin')] as const,
  request: { query: z.object({ state: z.enum(['requested', 'accepted', 'rejected']).optional() }) },
  responses: {
    200: jsonBody(z.object({ approvals: z.array(ApprovalSchema) }), 'Newest first', {
      approvals: [approvalExample],
    }),
    ...errorResponses,
  },
});

const decide = createRoute({
  method: 'post',
  path: '/v1/approvals/{id}/decision',
  operationId: 'decideApproval',
  tags: ['Approvals'],
  summary: 'Accept (the invoice follows) or reject a completed milestone',
  security: keyScopes('admin'),
  middleware: [requireKey('admin')] as const,
  request: {
    params: z.object({ id: z.string().min(1).max(64).openapi({ example: approvalExample.id }) }),
    body: jsonRequest(
      z
        .object({
          decision: z.enum(['accept', 'reject']),
          comment: z.string().trim().max(2000).optional(),
          decidedBy: nonBlank(200).optional().openapi({
            description:
              'Optional: the person you decide for (email or user id). Kept as an unverified note; the audited decider is the API key.',
          }),
        })
        .openapi('ApprovalDecision'),
      'The decision',
      {
        decision: 'accept',
        comment: 'Discovery deliverables received',
        decidedBy: approvalExample.decidedBy,
      },
    ),
  },
  responses: {
    200: jsonBody(ApprovalSchema, 'Decided', approvalExample),
    409: conflictResponse('Already decided', 'This approval was already decided.'),
    ...errorResponses,
  },
});

export function registerV1Approvals(app: App) {
  app.openapi(list, async (c) => {
    const { state } = c.req.valid('query');
    const rows = await listApprovals(c.get('db'), c.get('principal').tenantId, state);
    return c.json({ approvals: rows.map(approvalView) }, 200);
  });
  app.openapi(decide, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const who = auditedPrincipal(c.get('principal'));
    const decided = await decideApproval(c.get('db'), c.env, {
      tenantId: c.get('principal').tenantId,
      approvalId: id,
      decision: body.decision,
      actor: who.actor,
      principal: who.principal,
      note: body.decidedBy,
      comment: body.comment,
      correlationId: c.get('correlationId'),
    });
    c.executionCtx.waitUntil(
      refreshSentCards(
        c.env,
        c.get('db'),
        c.get('principal').tenantId,
        'approval',
        id,
        c.get('correlationId'),
      ),
    );
    return c.json(approvalView(decided), 200);
  });
}
