import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { App } from '../app';
import { envelope } from '../app';
import { CONSOLE_PROVIDERS } from '../domain/console/providers';
import { SESSION_ABSOLUTE_MS, SESSION_COOKIE } from '../domain/console/sessions';
import {
  ConsoleSignInRefused,
  completeConsoleSignIn,
  SIGN_IN_COOKIE,
  SIGN_IN_TTL_MS,
  type SignInRefusal,
  startConsoleSignIn,
} from '../domain/console/sign-in';
import { ApiError } from '../http/api-error';
import type { AppEnv } from '../http/context';
import { spendBudget } from '../http/rate-limit';
import { errorResponse, security } from './openapi-common';

/** Where a refused sign-in lands: the console's sign-in page explains each `error`. */
const SIGN_IN_PAGE = '/console/sign-in';

const ProviderParams = z.object({
  provider: z.enum(CONSOLE_PROVIDERS).openapi({ param: { name: 'provider', in: 'path' }, example: 'entra' }),
});

const redirect = (description: string, example: string) => ({
  description,
  headers: z.object({ location: z.string().openapi({ example }) }),
});

const REFUSED =
  'When refused: to /console/sign-in?error=<reason> (provider_not_configured, invalid_return_to, invitation_invalid, invalid_state, idp_refused, invalid_token, idp_unavailable, wrong_organization, invitation_email_mismatch, member_of_another_firm, not_a_member, disabled).';

const unknownProvider = errorResponse(
  'NOT_FOUND',
  'No such identity provider (entra and salesforce are)',
  'No identity provider okta: sign in with entra or salesforce.',
  [
    {
      field: 'provider',
      message: 'not entra or salesforce',
      fix: 'Use the links of the console’s sign-in page.',
    },
  ],
);

const tooMany = errorResponse(
  'RATE_LIMITED',
  'Too many sign-ins from this address in a minute (Retry-After)',
  'Too many sign-ins from this address; try again in a minute.',
);

/** A provider nobody links to: a 404 in the envelope (the browser never gets here from the console). */
function noSuchProvider(c: Context<AppEnv>) {
  const provider = c.req.param('provider') ?? '';
  const err = new ApiError(
    'NOT_FOUND',
    `No identity provider ${provider.slice(0, 40)}: sign in with entra or salesforce.`,
    [
      {
        field: 'provider',
        message: 'not entra or salesforce',
        fix: 'Use the links of the console’s sign-in page.',
      },
    ],
  );
  return c.json(envelope(c.get('requestId'), err), 404);
}

const start = createRoute({
  method: 'get',
  path: '/console/auth/{provider}/start',
  operationId: 'startConsoleSignIn',
  tags: ['Console'],
  summary: 'Sign in to the console with Microsoft Entra ID or Salesforce',
  description:
    "Sends the browser to the identity provider (OpenID Connect authorization code flow with PKCE; the state, nonce and verifier stay on the server for 10 minutes, and a cookie `__Host-handoff_sign_in` ties the sign-in to this browser). With `invitation`, the person who signs in joins the invitation's firm with its roles; without, a member signs in again. `returnTo` must be a path under /console/.",
  security: security.consoleSignInStart,
  request: {
    params: ProviderParams,
    query: z.object({
      invitation: z.string().max(200).optional().openapi({ description: 'A console invitation token' }),
      returnTo: z.string().max(512).optional().openapi({
        description: 'Where to go after sign-in: a path under /console/',
        example: '/console/exceptions',
      }),
    }),
  },
  responses: {
    302: redirect(
      `To the identity provider's sign-in page. ${REFUSED}`,
      'https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?client_id=…&response_type=code&code_challenge_method=S256&…',
    ),
    404: unknownProvider,
    429: tooMany,
  },
});

const callback = createRoute({
  method: 'get',
  path: '/console/auth/{provider}/callback',
  operationId: 'completeConsoleSignIn',
  tags: ['Console'],
  summary: 'Where the identity provider sends the browser back after a console sign-in',
  description:
    "Consumes the sign-in's one-time state, redeems the code with its PKCE verifier and verifies the id token (signature by the provider's keys, issuer, audience, expiry, nonce). Then binds an invited person to the firm, or finds the returning member by (provider, organisation, subject); a firm that has proven its Microsoft 365 organisation or Salesforce org only admits people from it. Sets the session cookie `__Host-handoff_session` (HttpOnly, Secure, SameSite=Lax, Path=/) and sends the browser to returnTo.",
  security: security.consoleSignInCallback,
  request: {
    params: ProviderParams,
    query: z.object({
      state: z.string().min(1).max(512),
      code: z.string().min(1).max(8192).optional(),
      error: z.string().max(200).optional(),
      error_description: z.string().max(2000).optional(),
    }),
  },
  responses: {
    302: redirect(
      `Signed in: the session cookie is set; on to returnTo (default /console/). ${REFUSED}`,
      '/console/',
    ),
    404: unknownProvider,
    429: tooMany,
  },
});

/**
 * Nobody is authenticated yet on these links, and each writes a row or calls the provider: the budget is the
 * caller's address's (as seen by Cloudflare), so no one can spend a firm's budget or flood the table.
 */
async function spendAddressBudget(c: Context<AppEnv>) {
  try {
    await spendBudget(c.env, 'API_RATE_LIMIT', `sign-in:${c.req.header('cf-connecting-ip') ?? 'unknown'}`);
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'RATE_LIMITED') throw e;
    throw new ApiError(
      'RATE_LIMITED',
      'Too many sign-ins from this address; try again in a minute.',
      [
        {
          field: '(rate)',
          message: 'over the sign-in budget of this address',
          fix: 'Wait for Retry-After, then sign in again.',
        },
      ],
      { retryAfterSeconds: e.retryAfterSeconds },
    );
  }
}

/** Back to the sign-in page with the reason (never a page of ours that echoes the provider's text). */
function refused(c: Context<AppEnv>, code: SignInRefusal) {
  return c.redirect(`${SIGN_IN_PAGE}?${new URLSearchParams({ error: code })}`, 302);
}

export function registerConsoleAuth(app: App) {
  app.openapi(
    start,
    async (c) => {
      const { provider } = c.req.valid('param');
      const q = c.req.valid('query');
      await spendAddressBudget(c);
      try {
        const { authorizeUrl, browserToken } = await startConsoleSignIn(c.get('db'), c.env, {
          provider,
          invitation: q.invitation,
          returnTo: q.returnTo,
          origin: new URL(c.req.url).origin,
        });
        // Lax: the provider's redirect back is a top-level GET, which carries it.
        setCookie(c, SIGN_IN_COOKIE, browserToken, {
          httpOnly: true,
          secure: true,
          sameSite: 'Lax',
          path: '/',
          maxAge: SIGN_IN_TTL_MS / 1000,
        });
        return c.redirect(authorizeUrl, 302);
      } catch (e) {
        if (e instanceof ConsoleSignInRefused) return refused(c, e.code);
        throw e;
      }
    },
    (result, c) => {
      if (result.success) return;
      const fields = result.error.issues.map((i) => i.path[0]);
      if (fields.includes('provider')) return noSuchProvider(c);
      return refused(c, fields.includes('invitation') ? 'invitation_invalid' : 'invalid_return_to');
    },
  );

  app.openapi(
    callback,
    async (c) => {
      const { provider } = c.req.valid('param');
      const q = c.req.valid('query');
      await spendAddressBudget(c);
      const browser = getCookie(c, SIGN_IN_COOKIE);
      deleteCookie(c, SIGN_IN_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
      try {
        const done = await completeConsoleSignIn(
          c.get('db'),
          c.env,
          { provider, state: q.state, browser, code: q.code, error: q.error },
          c.get('correlationId'),
        );
        setCookie(c, SESSION_COOKIE, done.sessionToken, {
          httpOnly: true,
          secure: true,
          sameSite: 'Lax',
          path: '/',
          maxAge: SESSION_ABSOLUTE_MS / 1000,
        });
        return c.redirect(done.returnTo, 302);
      } catch (e) {
        if (e instanceof ConsoleSignInRefused) return refused(c, e.code);
        throw e;
      }
    },
    (result, c) => {
      if (result.success) return;
      if (result.error.issues.some((i) => i.path[0] === 'provider')) return noSuchProvider(c);
      return refused(c, 'invalid_state');
    },
  );
}
