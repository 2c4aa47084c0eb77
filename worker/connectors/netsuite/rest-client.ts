import { ConnectorError, networkError } from '../errors';
import type { FetchLike } from '../ports';
import type { TokenSource } from './token-source';
import { errorFromResponse, isTimeout, SYSTEM, timeoutError } from './vendor-error';

export interface RestRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under /services/rest, e.g. "/record/v1/customer/eid:abc". */
  path: string;
  query?: Record<string, string>;
  /** Already-serialised JSON (see decimal-json) so amounts keep their exact decimals on the wire. */
  body?: string;
  headers?: Record<string, string>;
  /** Statuses that are answers rather than failures (e.g. 404 on a lookup). */
  accept?: number[];
  /** Shown in error messages: "customer upsert". */
  context: string;
}

export interface RestClient {
  send(request: RestRequest): Promise<Response>;
  readonly baseUrl: string;
}

/**
 * One HTTP call to SuiteTalk REST: bearer token, per-request timeout, vendor errors mapped to
 * ConnectorError. A 401 on a token we minted ourselves is retried once with a fresh token (the
 * request was refused before NetSuite did anything, so the retry cannot duplicate a write).
 */
export function createRestClient(
  baseUrl: string,
  tokens: TokenSource,
  fetchImpl: FetchLike,
  timeoutMs: number,
): RestClient {
  async function attempt(request: RestRequest, token: string): Promise<Response> {
    const url = new URL(`${baseUrl}/services/rest${request.path}`);
    for (const [k, v] of Object.entries(request.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      ...request.headers,
    };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await fetchImpl(url.toString(), {
        method: request.method,
        headers,
        body: request.body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      if (e instanceof ConnectorError) throw e; // refused by the outbound guard: not a network error
      throw isTimeout(e) ? timeoutError(request.context, timeoutMs, e) : networkError(SYSTEM, e);
    }
  }

  return {
    baseUrl,
    async send(request) {
      let token = await tokens.get();
      let response = await attempt(request, token);
      if (response.status === 401 && tokens.renewable) {
        await response.body?.cancel();
        tokens.invalidate(token);
        token = await tokens.get();
        response = await attempt(request, token);
      }
      if (response.ok || request.accept?.includes(response.status)) return response;
      throw await errorFromResponse(response, request.context);
    },
  };
}

/** The internal id at the end of the Location header NetSuite returns on create, update and upsert. */
export function idFromLocation(response: Response): string | undefined {
  const location = response.headers.get('Location');
  if (!location) return undefined;
  const last = location.split('?')[0]!.replace(/\/+$/, '').split('/').pop();
  return last && /^\d+$/.test(last) ? last : undefined;
}

export function unexpected(context: string, message: string): ConnectorError {
  return new ConnectorError({
    system: SYSTEM,
    message: `NetSuite ${context}: ${message}`,
    retryable: true,
    code: 'NETSUITE_UNEXPECTED_RESPONSE',
  });
}
