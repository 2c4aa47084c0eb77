import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app';
import { auditedPrincipal } from '../domain/audit';
import { startMicrosoftClaim } from '../domain/identity/microsoft-claims';
import { requireKey } from '../http/auth';
import { errorResponse, errorResponses, jsonBody, keyScopes } from './openapi-common';

const route = createRoute({
  method: 'post',
  path: '/v1/admin/identity/microsoft/claims',
  operationId: 'startMicrosoftTenantClaim',
  tags: ['Admin'],
  summary: "Start proving the firm's Microsoft 365 organisation (connects Teams)",
  description:
    'Answers a sign-in link, valid once for 10 minutes and bound to this tenant. Open it in a browser and sign in as an administrator of the organisation (Global, Privileged Role, Cloud Application or Application Administrator): Microsoft then sends the browser back to GET /v1/identity/microsoft/callback, which connects the organisation (its tenant id, `tid`) to this tenant. Teams activities and tab sign-ins from that organisation then belong to this firm.',
  security: keyScopes('admin'),
  middleware: [requireKey('admin')] as const,
  responses: {
    201: jsonBody(
      z.object({
        id: z.string(),
        authorizeUrl: z.string().url(),
        expiresAt: z.string(),
      }),
      'Open authorizeUrl in a browser before expiresAt',
      {
        id: 'clm_Zb3kQ9x1VtYw2mNc',
        authorizeUrl:
          'https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?client_id=00000000-0000-4000-8000-00000000b07a&response_type=code&redirect_uri=https%3A%2F%2Fhandoff.example.com%2Fv1%2Fidentity%2Fmicrosoft%2Fcallback&response_mode=query&scope=openid+profile&state=Yd2...&nonce=Hq7...&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&prompt=select_account',
        expiresAt: '2026-11-17T10:10:00.000Z',
      },
    ),
    503: errorResponse(
      'UPSTREAM_UNAVAILABLE',
      'Microsoft sign-in is not configured on this deployment',
      'Microsoft sign-in is not configured on this deployment.',
    ),
    ...errorResponses,
  },
});

export function registerV1AdminIdentityClaims(app: App) {
  app.openapi(route, async (c) => {
    const principal = c.get('principal');
    const claim = await startMicrosoftClaim(
      c.get('db'),
      c.env,
      { tenantId: principal.tenantId, origin: new URL(c.req.url).origin },
      { who: auditedPrincipal(principal), correlationId: c.get('correlationId') },
    );
    return c.json(claim, 201);
  });
}
