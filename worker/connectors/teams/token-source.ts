import { z } from 'zod';
import { ConnectorError, isRetryableStatus, networkError, retryAfterMs } from '../errors';
import { credentialKey, IsolateCache } from '../isolate-cache';
import type { FetchLike } from '../ports';
import type { BotConnectorConfig } from './config';
import { isAbort, SYSTEM, timeoutError } from './errors';

const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer'),
});
const AadErrorSchema = z.looseObject({ error: z.string(), error_description: z.string().optional() });

/** Renew this long before expiry so a token never dies mid-request. */
const RENEW_MARGIN_MS = 5 * 60 * 1000;

/**
 * Tokens obtained in this isolate, by credential (token URL, app id, secret, scope): a connector is built
 * per request, and without this each of them asked Entra for a new token.
 */
const issued = new IsolateCache<string>(32);

/**
 * Microsoft identity platform client credentials grant (`grant_type=client_credentials`, `scope`
 * https://api.botframework.com/.default, form-encoded) for the bot's calls to the Bot Connector. The token
 * is kept in the isolate until shortly before it expires and shared by every connector with the same
 * credentials; one exchange is shared by a source's concurrent callers; `invalidate` drops a token the
 * connector answered 401 to.
 */
export function botTokenSource(config: BotConnectorConfig, fetcher: FetchLike, now: () => number = Date.now) {
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;
  let cacheKey: string | undefined;
  const keyOf = async () =>
    (cacheKey ??= await credentialKey(config.tokenUrl, config.appId, config.appPassword, config.scope));

  async function exchange(): Promise<string> {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: config.appId,
      client_secret: config.appPassword,
      scope: config.scope,
    });
    let res: Response;
    try {
      res = await fetcher(config.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(config.timeoutMs),
      });
    } catch (e) {
      if (e instanceof ConnectorError) throw e; // refused by the outbound guard: not a network error
      throw isAbort(e) ? timeoutError('Bot Framework token request', e) : networkError(SYSTEM, e);
    }
    const json = await res.json().catch(() => undefined);
    if (!res.ok) {
      const err = AadErrorSchema.safeParse(json);
      const code = err.success ? err.data.error : `HTTP_${res.status}`;
      const credentials = code === 'invalid_client' || code === 'unauthorized_client';
      throw new ConnectorError({
        system: SYSTEM,
        message: `Bot token request refused: ${err.success ? (err.data.error_description ?? code) : res.status}`,
        retryable: isRetryableStatus(res.status),
        status: res.status,
        code: `AAD_${code.toUpperCase()}`,
        retryAfterMs: retryAfterMs(res.headers.get('Retry-After')),
        fix: credentials
          ? 'Check the bot’s Microsoft App ID and client secret (Azure Bot > Configuration); secrets expire and must be renewed.'
          : code === 'invalid_scope'
            ? 'The token scope must be https://api.botframework.com/.default.'
            : undefined,
        field: credentials ? 'teams.appPassword' : undefined,
      });
    }
    const parsed = TokenResponseSchema.safeParse(json);
    if (!parsed.success) {
      throw new ConnectorError({
        system: SYSTEM,
        message: 'The token endpoint returned an unexpected body',
        retryable: true,
        code: 'AAD_BAD_RESPONSE',
        status: res.status,
      });
    }
    cached = { token: parsed.data.access_token, expiresAt: now() + parsed.data.expires_in * 1000 };
    issued.set(await keyOf(), cached.token, cached.expiresAt - RENEW_MARGIN_MS);
    return cached.token;
  }

  return {
    async get(): Promise<string> {
      if (cached && cached.expiresAt - RENEW_MARGIN_MS > now()) return cached.token;
      const shared = issued.get(await keyOf(), now());
      if (shared) return shared;
      pending ??= exchange().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    invalidate(token: string): void {
      if (cached?.token === token) cached = undefined;
      // Any token handed out was looked up under the key first, so it is known by now.
      if (cacheKey) issued.delete(cacheKey, token);
    },
  };
}
export type BotTokenSource = ReturnType<typeof botTokenSource>;
