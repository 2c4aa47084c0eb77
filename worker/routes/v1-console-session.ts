import { createRoute, z } from '@hono/zod-openapi';
import { deleteCookie } from 'hono/cookie';
import { CONSOLE_ROLES } from '../../shared/api/console';
import type { App } from '../app';
import { SESSION_COOKIE } from '../domain/console/sessions';
import { signOut } from '../domain/console/sign-out';
import { requireSession } from '../http/console-auth';
import { errorResponse, errorResponses, jsonBody, security } from './openapi-common';

const SessionSchema = z
  .object({
    person: z.object({
      id: z.string(),
      name: z.string(),
      email: z.string().optional(),
      provider: z.enum(['entra', 'salesforce']),
      roles: z.array(z.enum(CONSOLE_ROLES)),
    }),
    firm: z.object({ id: z.string(), name: z.string() }),
    csrfToken: z
      .string()
      .openapi({ description: 'Send it as X-CSRF-Token on every request that is not GET.' }),
    expiresAt: z
      .string()
      .openapi({ description: 'When the session ends unless used (30 minutes idle, 12 h at most).' }),
  })
  .openapi('ConsoleSession');

const unauthorized = errorResponse('UNAUTHORIZED', 'No live console session', 'Sign in to the console.');

const get = createRoute({
  method: 'get',
  path: '/v1/console/session',
  operationId: 'getConsoleSession',
  tags: ['Console'],
  summary: 'Who is signed in to the console, their roles, and the CSRF token',
  security: security.consoleSession,
  middleware: [requireSession()] as const,
  responses: {
    200: jsonBody(SessionSchema, 'The signed-in person and their firm', {
      person: {
        id: 'mem_Qw3rTy9uIo0p',
        name: 'Morgan Price',
        email: 'morgan.price@lumenpartners.example',
        provider: 'entra',
        roles: ['admin'],
      },
      firm: { id: 'ten_dDVUkSv9tzoV', name: 'Lumen Partners' },
      csrfToken: 'Jv0m4WcX2yq8tK1nB7pR5sL3dF9gH6zA',
      expiresAt: '2026-12-07T19:15:00.000Z',
    }),
    401: unauthorized,
    500: errorResponses[500],
  },
});

const signOutRoute = createRoute({
  method: 'post',
  path: '/v1/console/session/sign-out',
  operationId: 'signOutOfConsole',
  tags: ['Console'],
  summary: 'Sign out: the session ends and its cookie is cleared',
  security: security.consoleSession,
  middleware: [requireSession()] as const,
  responses: {
    204: { description: 'Signed out' },
    401: unauthorized,
    403: errorResponse(
      'FORBIDDEN',
      'The CSRF token is missing or wrong, or another origin',
      'The CSRF token is missing or wrong.',
    ),
    500: errorResponses[500],
  },
});

export function registerV1ConsoleSession(app: App) {
  app.openapi(get, (c) => {
    const s = c.get('consoleSession')!;
    return c.json(
      {
        person: {
          id: s.member.id,
          name: s.member.name,
          ...(s.member.email ? { email: s.member.email } : {}),
          provider: s.member.provider,
          roles: s.roles,
        },
        firm: { id: s.tenantId, name: s.tenantName },
        csrfToken: s.csrfToken,
        expiresAt: s.expiresAt,
      },
      200,
    );
  });
  app.openapi(signOutRoute, async (c) => {
    await signOut(c.get('db'), c.get('principal'), c.get('consoleSession')!.id, c.get('correlationId'));
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
    return c.body(null, 204);
  });
}
