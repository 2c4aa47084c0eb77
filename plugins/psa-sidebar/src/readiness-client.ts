import type { Readiness } from '../../../shared/api/readiness';

export type LoadResult =
  | { kind: 'data'; readiness: Readiness }
  | { kind: 'unchanged' }
  | { kind: 'expired' }
  | { kind: 'error'; status: number | null; message: string };

export interface ReadinessClientOptions {
  apiBase: string;
  token: () => string;
  /** Asks the host for a new token; null when it does not give one. */
  renewToken: () => Promise<string | null>;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * GET {apiBase}/v1/sidebar/readiness with the embed token, conditional on the last ETag. A 401 earns
 * exactly one token renewal and one retry; a second 401 (or no token) means the session is over.
 */
export function createReadinessClient(options: ReadinessClientOptions) {
  const doFetch = options.fetch ?? fetch.bind(globalThis);
  const url = `${options.apiBase.replace(/\/+$/, '')}/v1/sidebar/readiness`;
  let etag: string | null = null;

  const attempt = (token: string) =>
    doFetch(url, {
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
        ...(etag ? { 'If-None-Match': etag } : {}),
      },
      // We do our own revalidation; the HTTP cache must hand the 304 to us, not swallow it.
      cache: 'no-store',
      credentials: 'omit',
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });

  async function load(): Promise<LoadResult> {
    let res: Response;
    try {
      res = await attempt(options.token());
      if (res.status === 401) {
        const renewed = await options.renewToken();
        if (!renewed) return { kind: 'expired' };
        res = await attempt(renewed);
        if (res.status === 401) return { kind: 'expired' };
      }
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      return {
        kind: 'error',
        status: null,
        message: timedOut ? 'Handoff did not answer in time' : 'Handoff is unreachable',
      };
    }
    if (res.status === 304) return { kind: 'unchanged' };
    if (!res.ok) return { kind: 'error', status: res.status, message: await errorMessage(res) };
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      return { kind: 'error', status: res.status, message: 'Handoff sent an unreadable answer' };
    }
    if (!looksLikeReadiness(body))
      return { kind: 'error', status: res.status, message: 'Handoff sent an unexpected answer' };
    etag = res.headers.get('ETag');
    return { kind: 'data', readiness: body };
  }

  return {
    load,
    forgetEtag() {
      etag = null;
    },
  };
}

/** The API's error envelope ({error:{message,requestId}}), or the status line. */
async function errorMessage(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: unknown; requestId?: unknown } };
    const message = typeof body.error?.message === 'string' ? body.error.message : null;
    const id = typeof body.error?.requestId === 'string' ? ` (request ${body.error.requestId})` : '';
    if (message) return `${message}${id}`;
  } catch {
    // not JSON: fall through
  }
  return `Handoff answered HTTP ${res.status}`;
}

/**
 * A structural check, not a schema: zod would triple the bundle, and the server validates what it sends.
 * This only keeps a proxy's HTML error page or a half-deployed API from blanking the view.
 */
function looksLikeReadiness(v: unknown): v is Readiness {
  const r = v as Partial<Readiness> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.version === 'string' &&
    typeof r.project?.name === 'string' &&
    typeof r.totals?.contractValue?.amountMinor === 'number' &&
    Array.isArray(r.milestones) &&
    Array.isArray(r.invoices) &&
    Array.isArray(r.exceptions)
  );
}
