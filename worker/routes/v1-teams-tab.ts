import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { nonBlank } from '../../shared/model/text';
import type { App } from '../app';
import { decideApproval } from '../domain/billing/decide-approval';
import { findApproval } from '../domain/billing/list-approvals';
import { retryException, skipException } from '../domain/exceptions/resolve-exception';
import { tenantForTeams } from '../domain/teams/card-actions';
import { ssoConfig } from '../domain/teams/config';
import { decideChangeOrder } from '../domain/teams/decide-change-order';
import { myApprovals } from '../domain/teams/my-approvals';
import { mayActOnException, myExceptions } from '../domain/teams/my-exceptions';
import { refreshSentCards } from '../domain/teams/notify';
import { verifyTeamsSsoToken } from '../domain/teams/sso';
import { ApiError } from '../http/api-error';
import type { AppEnv } from '../http/context';
import { spendBudget } from '../http/rate-limit';
import {
  conflictResponse,
  errorResponses,
  jsonBody,
  jsonRequest,
  security,
  unprocessableResponse,
} from './openapi-common';

/**
 * Teams tab SSO, before anything else of the request is looked at: the Entra token is validated, its tenant
 * id maps to ours, its oid is the person.
 */
const teamsSignIn: MiddlewareHandler<AppEnv & { Variables: { teamsUser: TeamsUser } }> = async (c, next) => {
  const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  if (!token)
    throw new ApiError('UNAUTHORIZED', 'Send the Teams SSO token as "Authorization: Bearer <token>".');
  let user: Awaited<ReturnType<typeof verifyTeamsSsoToken>>;
  try {
    user = await verifyTeamsSsoToken(token, ssoConfig(c.env));
  } catch (e) {
    throw new ApiError('UNAUTHORIZED', `Teams sign-in could not be verified: ${(e as Error).message}`);
  }
  const tenantId = await tenantForTeams(c.get('db'), user.tid);
  if (!tenantId)
    throw new ApiError('FORBIDDEN', 'This Microsoft 365 organisation is not connected to Handoff.');
  await spendBudget(c.env, 'API_RATE_LIMIT', `${tenantId}:teams-tab`);
  c.set('teamsUser', { ...user, tenantId });
  await next();
};
type TeamsUser = Awaited<ReturnType<typeof verifyTeamsSsoToken>> & { tenantId: string };

const Item = z
  .object({
    id: z.string(),
    kind: z.enum(['milestone', 'changeOrder']),
    title: z.string(),
    project: z.string(),
    amount: z.object({ amountMinor: z.number().int(), currency: z.string() }).optional(),
    requestedAt: z.string(),
  })
  .openapi('MyApproval');

const MyException = z
  .object({
    id: z.string(),
    rule: z.string(),
    reason: z.string(),
    owner: z.string(),
    suggestedFix: z.string(),
    raisedAt: z.string(),
  })
  .openapi('MyException');

const approvalId = 'apr_T3nB8wC5xK2m';
const exceptionId = 'exc_M8kq2Zr0tY1w';
const IdParam = (example: string) => z.object({ id: z.string().min(1).max(64).openapi({ example }) });

const approvals = createRoute({
  method: 'get',
  path: '/v1/teams/me/approvals',
  operationId: 'listMyApprovals',
  tags: ['Teams'],
  security: security.teamsSso,
  middleware: [teamsSignIn] as const,
  summary: 'My approvals (Teams tab, SSO)',
  responses: {
    200: jsonBody(z.object({ items: z.array(Item) }), 'Waiting for me, newest first', {
      items: [
        {
          id: approvalId,
          kind: 'milestone',
          title: 'Discovery',
          project: 'Northwind Health · EHR rollout',
          amount: { amountMinor: 6_000_000, currency: 'USD' },
          requestedAt: '2026-11-16T15:04:05.000Z',
        },
      ],
    }),
    ...errorResponses,
  },
});
const exceptions = createRoute({
  method: 'get',
  path: '/v1/teams/me/exceptions',
  operationId: 'listMyExceptions',
  tags: ['Teams'],
  security: security.teamsSso,
  middleware: [teamsSignIn] as const,
  summary: 'Exceptions I own (Teams tab, SSO)',
  responses: {
    200: jsonBody(z.object({ items: z.array(MyException) }), 'Open', {
      items: [
        {
          id: exceptionId,
          rule: 'travel-cap',
          reason: 'Hotel USD 1,240.00 on 2026-11-18 passes the travel allowance (USD 15,000.00)',
          owner: 'Emma Lindqvist',
          suggestedFix: 'Raise the allowance with a change order, or skip the expense as non-billable',
          raisedAt: '2026-11-18T09:12:00.000Z',
        },
      ],
    }),
    ...errorResponses,
  },
});
const decide = createRoute({
  method: 'post',
  path: '/v1/teams/me/approvals/{id}/decision',
  operationId: 'decideMyApproval',
  tags: ['Teams'],
  security: security.teamsSso,
  middleware: [teamsSignIn] as const,
  summary: 'Decide one of my approvals from the tab',
  request: {
    params: IdParam(approvalId),
    body: jsonRequest(
      z
        .object({ decision: z.enum(['accept', 'reject']), comment: z.string().trim().max(2000).optional() })
        .openapi('MyDecision'),
      'Decision',
      { decision: 'accept', comment: 'Deliverables received' },
    ),
  },
  responses: {
    200: jsonBody(z.object({ id: z.string(), state: z.string() }), 'Decided', {
      id: approvalId,
      state: 'accepted',
    }),
    409: conflictResponse('Already decided', 'This approval was already decided.'),
    ...errorResponses,
  },
});

const resolve = createRoute({
  method: 'post',
  path: '/v1/teams/me/exceptions/{id}/resolution',
  operationId: 'resolveMyException',
  tags: ['Teams'],
  security: security.teamsSso,
  middleware: [teamsSignIn] as const,
  summary: 'Retry or skip an exception I own, from the tab',
  request: {
    params: IdParam(exceptionId),
    body: jsonRequest(
      z
        .object({ action: z.enum(['retry', 'skip']), reason: nonBlank(1000, 5).optional() })
        .openapi('MyResolution'),
      'Action',
      { action: 'skip', reason: 'Hotel billed by hand on invoice INV-10231' },
    ),
  },
  responses: {
    200: jsonBody(z.object({ id: z.string(), status: z.string() }), 'Done', {
      id: exceptionId,
      status: 'skipped',
    }),
    409: conflictResponse('Already resolved or skipped', `Exception ${exceptionId} is already skipped.`),
    422: unprocessableResponse(
      'Checked again and still refused',
      'Still refused: the expense passes the travel allowance',
      'amount',
      'Raise the allowance with a change order, or skip it.',
    ),
    ...errorResponses,
  },
});

export function registerV1TeamsTab(app: App) {
  app.openapi(resolve, async (c) => {
    const me = c.get('teamsUser');
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const db = c.get('db');
    const may = await mayActOnException(db, me.tenantId, id, me.oid);
    if (may === undefined) throw new ApiError('NOT_FOUND', `No exception ${id}.`);
    if (!may)
      throw new ApiError(
        'FORBIDDEN',
        'Only the owner of this exception, or the person assigned, can act on it.',
      );
    const ctx = {
      db,
      env: c.env,
      tenantId: me.tenantId,
      actor: `${me.name} (${me.oid})`,
      correlationId: c.get('correlationId'),
    };
    if (body.action === 'retry') await retryException(ctx, id);
    else {
      if (!body.reason)
        throw new ApiError('BAD_REQUEST', 'Say why it is skipped.', [
          { field: 'reason', message: 'required to skip', fix: 'Write at least five characters.' },
        ]);
      await skipException(ctx, id, body.reason);
    }
    return c.json({ id, status: body.action === 'retry' ? 'retried' : 'skipped' }, 200);
  });
  app.openapi(approvals, async (c) => {
    const me = c.get('teamsUser');
    return c.json({ items: await myApprovals(c.get('db'), me.tenantId, me.oid) }, 200);
  });
  app.openapi(exceptions, async (c) => {
    const me = c.get('teamsUser');
    return c.json({ items: await myExceptions(c.get('db'), me.tenantId, me.oid) }, 200);
  });
  app.openapi(decide, async (c) => {
    const me = c.get('teamsUser');
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const db = c.get('db');
    const a = await findApproval(db, me.tenantId, id);
    if (!a) throw new ApiError('NOT_FOUND', `No approval ${id}.`);
    if (a.approver !== me.oid) throw new ApiError('FORBIDDEN', 'Only the assigned approver can decide.');
    const actor = `${me.name} (${me.oid})`;
    const decided =
      a.kind === 'milestone'
        ? await decideApproval(db, c.env, {
            tenantId: me.tenantId,
            approvalId: id,
            decision: body.decision,
            actor,
            comment: body.comment,
            correlationId: c.get('correlationId'),
          })
        : await decideChangeOrder(db, c.env, {
            tenantId: me.tenantId,
            approvalId: id,
            decision: body.decision === 'accept' ? 'approve' : 'reject',
            actor,
            comment: body.comment,
            correlationId: c.get('correlationId'),
          });
    c.executionCtx.waitUntil(
      refreshSentCards(c.env, db, me.tenantId, 'approval', id, c.get('correlationId')),
    );
    return c.json({ id: decided.id, state: decided.state }, 200);
  });
}
