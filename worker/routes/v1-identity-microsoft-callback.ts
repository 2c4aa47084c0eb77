import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { App } from '../app';
import { envelope } from '../app';
import { completeMicrosoftClaim } from '../domain/identity/microsoft-claims';
import { ApiError } from '../http/api-error';
import type { AppEnv } from '../http/context';
import { conflictResponse, errorResponse, errorResponses, security } from './openapi-common';

const Query = z.object({
  state: z.string().min(1).max(512).openapi({ description: 'The one-time state of the claim' }),
  code: z.string().min(1).max(8192).optional().openapi({ description: 'The authorization code' }),
  error: z.string().max(200).optional().openapi({ description: 'Why Microsoft did not sign the person in' }),
  error_description: z.string().max(2000).optional(),
});

const PAGE_EXAMPLE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Connected</title></head><body><h1>Microsoft 365 organisation 72f988bf-86f1-41af-91ab-2d7cd011db47 is now connected to Lumen Partners</h1></body></html>';

const route = createRoute({
  method: 'get',
  path: '/v1/identity/microsoft/callback',
  operationId: 'completeMicrosoftSignIn',
  tags: ['Admin'],
  summary: 'Where Microsoft sends the browser back after the sign-in a claim started',
  description:
    "Authenticated by the one-time state of a claim (POST /v1/admin/identity/microsoft/claims) and the code Microsoft issued for it: the code is redeemed with the claim's PKCE verifier, the id token verified (the organisation's signing keys, issuer, audience, expiry, the claim's nonce) and the person must be an administrator of the organisation. Answers a page for the browser; errors are the JSON envelope, or a page when the browser asks for HTML.",
  security: security.identityClaimState,
  request: { query: Query },
  responses: {
    200: {
      description: 'The organisation is connected (a page for the browser)',
      content: { 'text/html': { schema: z.string(), example: PAGE_EXAMPLE } },
    },
    403: errorResponse(
      'FORBIDDEN',
      'The person who signed in is not an administrator of the organisation',
      'Ava Reyes is not an administrator of Microsoft 365 organisation 72f988bf-86f1-41af-91ab-2d7cd011db47.',
      [
        {
          field: 'id_token.wids',
          message: 'holds none of the administrator roles that may connect the organisation',
          fix: 'Sign in as a Global Administrator, Privileged Role Administrator, Cloud Application Administrator, Application Administrator of the organisation.',
        },
      ],
    ),
    409: conflictResponse(
      'The organisation is connected to another Handoff tenant',
      'Microsoft 365 organisation 72f988bf-86f1-41af-91ab-2d7cd011db47 is already connected to another Handoff tenant.',
      'tid',
      'Sign in with an administrator of the organisation you mean to connect; if it is this one, have it disconnected from the other Handoff tenant first.',
    ),
    503: errorResponse(
      'UPSTREAM_UNAVAILABLE',
      'Microsoft sign-in could not be reached or refused our app',
      'Microsoft sign-in could not be reached.',
    ),
    400: errorResponse(
      'BAD_REQUEST',
      'The state is unknown, expired or already used; Microsoft refused the code; or the id token failed a check',
      'This sign-in link is unknown, expired or already used.',
      [
        {
          field: 'state',
          message: 'unknown, expired or already used',
          fix: 'Start again with POST /v1/admin/identity/microsoft/claims and finish within 10 minutes.',
        },
      ],
    ),
    500: errorResponses[500],
  },
});

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

/** A page without scripts or styles: the API's CSP (default-src 'none') and no-store apply to it as is. */
function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${esc(title)}</title></head><body><main>${body}</main></body></html>`;
}

const wantsHtml = (c: Context<AppEnv>) => /\btext\/html\b/i.test(c.req.header('accept') ?? '');

export function registerV1IdentityMicrosoftCallback(app: App) {
  app.openapi(
    route,
    async (c) => {
      const q = c.req.valid('query');
      try {
        const done = await completeMicrosoftClaim(
          c.get('db'),
          c.env,
          { state: q.state, code: q.code, error: q.error, errorDescription: q.error_description },
          c.get('correlationId'),
        );
        return c.html(
          page(
            'Connected',
            `<h1>Microsoft 365 organisation ${esc(done.tid)} is now connected to ${esc(done.tenantName)}</h1><p>Proven by ${esc(done.principal.name)}${done.principal.preferredUsername ? ` (${esc(done.principal.preferredUsername)})` : ''}. Teams cards and the Handoff tab now work for this organisation.</p><p><a href="/console/#/connections?connected=teams">Back to the Handoff console</a></p>`,
          ),
          200,
        );
      } catch (e) {
        if (!(e instanceof ApiError) || !wantsHtml(c)) throw e;
        const fixes = (e.details ?? [])
          .map((d) => `<li>${esc(d.message)}${d.fix ? `: ${esc(d.fix)}` : ''}</li>`)
          .join('');
        return c.html(
          page(
            'Not connected',
            `<h1>Not connected</h1><p>${esc(e.message)}</p>${fixes ? `<ul>${fixes}</ul>` : ''}<p><small>Request ${esc(c.get('requestId'))}</small></p><p><a href="/console/#/connections">Back to the Handoff console</a></p>`,
          ),
          e.status as 400,
        );
      }
    },
    (result, c) => {
      if (result.success) return;
      const err = new ApiError(
        'BAD_REQUEST',
        'This is not a sign-in callback Handoff started.',
        result.error.issues.map((i) => ({
          field: i.path.join('.') || '(query)',
          message: i.message,
          fix: 'Open the sign-in link POST /v1/admin/identity/microsoft/claims answers; Microsoft returns here by itself.',
        })),
      );
      return c.json(envelope(c.get('requestId'), err), 400);
    },
  );
}
