import { Connection } from 'jsforce/core';
import type { FetchLike } from '../ports';
import type { SalesforceConnection } from './config';
import { asConnectorError } from './sf-errors';
import { createTokenSource } from './token-source';
import { createFetchTransport } from './transport';

export interface ApiUsage {
  used: number;
  limit: number;
}

export interface SalesforceSession {
  /**
   * Run `fn` with an authenticated jsforce connection. A token the org refuses (INVALID_SESSION_ID) is
   * refreshed once and the call retried once; a second refusal is final (not retryable).
   */
  run<T>(fn: (conn: Connection) => Promise<T>): Promise<T>;
  /** From the Sforce-Limit-Info header of the latest answer. */
  apiUsage(): ApiUsage | undefined;
}

export function createSession(config: SalesforceConnection, fetchFn: FetchLike): SalesforceSession {
  const tokens = createTokenSource(config, fetchFn);
  const transport = createFetchTransport(fetchFn, config.timeoutMs);
  let usage: ApiUsage | undefined;

  // One light connection per attempt, bound to one token: concurrent calls never see each other's token.
  async function attempt<T>(fn: (conn: Connection) => Promise<T>, token: string): Promise<T> {
    const conn = new Connection({
      instanceUrl: config.instanceUrl,
      loginUrl: config.loginUrl,
      version: config.apiVersion,
      accessToken: token,
    });
    // jsforce has no option for a custom transport; every request of this connection goes through ours.
    conn._transport = transport as unknown as Connection['_transport'];
    try {
      return await fn(conn);
    } catch (e) {
      throw asConnectorError(e);
    } finally {
      usage = conn.limitInfo?.apiUsage ?? usage;
    }
  }

  return {
    apiUsage: () => usage,
    async run(fn) {
      const token = await tokens.get();
      try {
        return await attempt(fn, token);
      } catch (e) {
        const err = asConnectorError(e);
        if (err.code !== 'INVALID_SESSION_ID' || !tokens.canRefresh) throw err;
        return attempt(fn, await tokens.refresh(token));
      }
    },
  };
}
