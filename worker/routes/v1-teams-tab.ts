import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { App } from '../app';
import { decideApproval } from '../domain/billing/decide-approval';
import { findApproval } from '../domain/billing/list-approvals';
import { retryException, skipException } from '../domain/exceptions/resolve-exception';
import { tenantForTeams } from '../domain/teams/card-actions';
import { ssoConfig } from '../domain/teams/config';
import { decideChangeOrder } from '../domain/teams/decide-change-order';
import { myApprovals } from '../domain/teams/my-approvals';
import { exceptionOwner, myExceptions } from '../domain/teams/my-exceptions';
import { refreshSentCards } from '../domain/teams/notify';
import { verifyTeamsSsoToken } from '../domain/teams/sso';
import { ApiError } from '../http/api-error';
import type { AppEnv } from '../http/context';
import { spendBudget } from '../http/rate-limit';
import { errorResponses, jsonBody, security } from './openapi-common';

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

const Item = z.object({
  id: z.string(),
  kind: z.enum(['milestone', 'changeOrder']),
  title: z.string(),
  project: z.string(),
  amount: z.object({ amountMinor: z.number().int(), currency: z.string() }).optional(),
  requestedAt: z.string(),
});

const approvals = createRoute({
  method: 'get',
  path: '/v1/teams/me/approvals',
  tags: ['Teams'],
  security: security.teamsSso,
  middleware: [teamsSignIn] as const,
  summary: 'My approvals (Teams tab, SSO)',
  responses: {
    200: jsonBody(z.object({ items: z.array(Item) }), 'Waiting for me, newest first'),
    ...errorResponses,
  },
});
const exceptions = createRoute({
  method: 'get',
  path: '/v1/teams/me/exceptions',
  tags: ['Teams'],
  security: security.teamsSso,
  middleware: [teamsSignIn] as const,
  summary: 'Exceptions I own (Teams tab, SSO)',
  responses: {
    200: jsonBody(
      z.object({
        items: z.array(
          z.object({
            id: z.string(),
            rule: z.string(),
            reason: z.string(),
            owner: z.string(),
            suggestedFix: z.string(),
            raisedAt: z.string(),
          }),
        ),
      }),
      'Open',
    ),
    ...errorResponses,
  },
});
const decide = createRoute({
  method: 'post',
  path: '/v1/teams/me/approvals/{id}/decision',
  tags: ['Teams'],
  security: security.teamsSso,
  middleware: [teamsSignIn] as const,
  summary: 'Decide one of my approvals from the tab',
  request: {
    params: z.object({ id: z.string().min(1).max(64) }),
    body: {
      ...jsonBody(
        z.object({ decision: z.enum(['accept', 'reject']), comment: z.string().max(2000).optional() }),
        'Decision',
      ),
      required: true,
    },
  },
  responses: {
    200: jsonBody(z.object({ id: z.string(), state: z.string() }), 'Decided'),
    409: errorResponses[400],
    ...errorResponses,
  },
});

const resolve = createRoute({
  method: 'post',
  path: '/v1/teams/me/exceptions/{id}/resolution',
  tags: ['Teams'],
  security: security.teamsSso,
  middleware: [teamsSignIn] as const,
  summary: 'Retry or skip an exception I own, from the tab',
  request: {
    params: z.object({ id: z.string().min(1).max(64) }),
    body: {
      ...jsonBody(
        z.object({ action: z.enum(['retry', 'skip']), reason: z.string().min(5).max(1000).optional() }),
        'Action',
      ),
      required: true,
    },
  },
  responses: {
    200: jsonBody(z.object({ id: z.string(), status: z.string() }), 'Done'),
    409: errorResponses[400],
    422: errorResponses[400],
    ...errorResponses,
  },
});

export function registerV1TeamsTab(app: App) {
  app.openapi(resolve, async (c) => {
    const me = c.get('teamsUser');
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const db = c.get('db');
    const owner = await exceptionOwner(db, me.tenantId, id);
    if (owner === undefined) throw new ApiError('NOT_FOUND', `No exception ${id}.`);
    if (owner !== me.oid) throw new ApiError('FORBIDDEN', 'Only the owner of this exception can act on it.');
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
