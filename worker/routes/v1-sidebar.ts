import { createRoute, z } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { ReadinessSchema } from '../../shared/api/readiness';
import { nonBlank } from '../../shared/model/text';
import type { App } from '../app';
import { projectByPsaId } from '../domain/billing/project-context';
import { readiness } from '../domain/billing/readiness';
import { recordSignal } from '../domain/connections/signals';
import { mintEmbedToken, verifyEmbedToken } from '../domain/embed-tokens';
import { embedKeyring } from '../domain/keyring';
import { ApiError } from '../http/api-error';
import { requireKey } from '../http/auth';
import { spendBudget } from '../http/rate-limit';
import { errorResponses, jsonBody, jsonRequest, keyScopes, security } from './openapi-common';
import { readinessExample } from './openapi-examples';

const mint = createRoute({
  method: 'post',
  path: '/v1/embed-tokens',
  operationId: 'createEmbedToken',
  tags: ['PSA sidebar'],
  summary: 'Mint a short-lived sidebar token for one PSA project (called by the PSA host, server side)',
  security: keyScopes('psa', 'admin'),
  middleware: [requireKey('psa', 'admin')] as const,
  request: {
    body: jsonRequest(
      z
        .object({
          psaProjectId: nonBlank(64),
          user: nonBlank(200).openapi({ description: 'Who is looking (the PSA user), for the audit trail.' }),
        })
        .openapi('EmbedTokenRequest'),
      'The project and the user',
      { psaProjectId: '2041877', user: 'priya.natarajan@handoff-consulting.example' },
    ),
  },
  responses: {
    201: jsonBody(
      z.object({ token: z.string(), expiresAt: z.string() }).openapi('EmbedToken'),
      'A token valid for 10 minutes',
      {
        token:
          'eyJhbGciOiJIUzI1NiJ9.eyJ0ZW4iOiJ0ZW5fVmIyTHE4c04weFl6IiwicHNhIjoiMjA0MTg3NyIsImV4cCI6MTc5NTM2MjI0NX0.3oV2m1bQ3m7p0nEo8h0h8l1k6sPzV3f2bq9Yx1cT7aA',
        expiresAt: '2026-11-16T15:14:05.000Z',
      },
    ),
    ...errorResponses,
  },
});

const read = createRoute({
  method: 'get',
  path: '/v1/sidebar/readiness',
  operationId: 'getSidebarReadiness',
  tags: ['PSA sidebar'],
  summary: "Billing readiness of the embed token's project (ETag / If-None-Match supported)",
  description: 'Authenticated with the embed token (Authorization: Bearer), not an API key.',
  security: security.embedToken,
  responses: {
    200: jsonBody(ReadinessSchema, 'Readiness', readinessExample),
    304: { description: 'Unchanged since the ETag sent in If-None-Match' },
    ...errorResponses,
  },
});

export function registerV1Sidebar(app: App) {
  // The sidebar runs in the PSA's page on another origin; it sends a bearer token, never cookies.
  app.use(
    '/v1/sidebar/*',
    cors({
      origin: '*',
      allowHeaders: ['authorization', 'if-none-match'],
      exposeHeaders: ['etag'],
      maxAge: 600,
    }),
  );

  app.openapi(mint, async (c) => {
    const { psaProjectId, user } = c.req.valid('json');
    const { tenantId } = c.get('principal');
    const project = await projectByPsaId(c.get('db'), tenantId, psaProjectId);
    if (!project)
      throw new ApiError(
        'NOT_FOUND',
        `PSA project ${psaProjectId} was not provisioned by Handoff for this tenant.`,
      );
    const minted = await mintEmbedToken(embedKeyring(c.env), { tenantId, psaProjectId, user });
    // The console's plugin status: the sidebar is embedded somewhere when its host mints tokens.
    await recordSignal(c.get('db'), tenantId, 'sidebar.embed_token');
    return c.json(minted, 201);
  });

  app.openapi(read, async (c) => {
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token)
      throw new ApiError('UNAUTHORIZED', 'Send the embed token as "Authorization: Bearer <token>".');
    const ring = embedKeyring(c.env);
    let claims: Awaited<ReturnType<typeof verifyEmbedToken>>;
    try {
      claims = await verifyEmbedToken(ring, token);
    } catch {
      throw new ApiError(
        'UNAUTHORIZED',
        'The embed token is invalid or expired; ask the host for a new one.',
      );
    }
    await spendBudget(c.env, 'API_RATE_LIMIT', `${claims.tenantId}:sidebar`);
    const project = await projectByPsaId(c.get('db'), claims.tenantId, claims.psaProjectId);
    if (!project) throw new ApiError('NOT_FOUND', 'This project is not provisioned by Handoff.');
    const view = await readiness(c.get('db'), project);
    const etag = `"${view.version}"`;
    c.header('etag', etag);
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    return c.json(view, 200);
  });
}
