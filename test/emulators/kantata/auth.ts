import type { MiddlewareHandler } from 'hono';
import type { EmulatorEnv } from '../kit/emulator';
import { errorBody } from './envelope';
import { oauthTokenUser } from './oauth';
import type { KantataState } from './state';

/**
 * Every Kantata OX API request carries `Authorization: Bearer <token>`; Kantata tokens do not expire, so a
 * token is valid until revoked. The instance's `config.options.accessTokens` lists the valid tokens (the
 * sandbox default is `kantata-demo-token`), besides the tokens its OAuth flow issued (oauth.ts). A bad or
 * missing token gets the documented OAuth error.
 */
export const DEFAULT_ACCESS_TOKENS = ['kantata-demo-token'];

export function validTokens(options: Record<string, unknown>): string[] {
  const tokens = options.accessTokens;
  return Array.isArray(tokens) && tokens.every((t) => typeof t === 'string')
    ? (tokens as string[])
    : DEFAULT_ACCESS_TOKENS;
}

export const bearerAuth: MiddlewareHandler<EmulatorEnv<KantataState>> = async (c, next) => {
  const inst = c.get('instance');
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const token = match?.[1] ?? '';
  if (!match || !(validTokens(inst.config.options).includes(token) || oauthTokenUser(inst, token))) {
    return c.json(errorBody([{ type: 'oauth', message: 'Invalid OAuth 2 Request' }]), 401);
  }
  await next();
};
