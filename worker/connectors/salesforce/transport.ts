// jsforce itself runs on Node streams (nodejs_compat in Workers); this is the same module it imports.

import type { HttpRequest, HttpResponse } from 'jsforce';
// biome-ignore lint/style/useNodejsImportProtocol: the bare specifier jsforce itself uses, served by nodejs_compat in Workers
import { Duplex } from 'stream';
import { ConnectorError, networkError } from '../errors';
import type { FetchLike } from '../ports';
import { SYSTEM, salesforceError, timeoutError } from './sf-errors';

/**
 * A jsforce transport that sends every request through the injected `fetch` (so the worker can route
 * Salesforce calls through its governor), with a per-request timeout, and that turns every error
 * status into a ConnectorError right here, where the status code and headers are still known (jsforce's
 * own errors drop them). jsforce keeps building the URLs, headers and bodies and parsing the answers.
 *
 * jsforce only uses `httpRequest(req)` of a transport and expects a promise with a `stream()` (its
 * StreamPromise) whose stream it pipes for streaming consumers; we answer with whole bodies, so the
 * stream is an inert Duplex.
 */

const inertStream = (): Duplex =>
  new Duplex({
    read() {},
    write(_chunk: unknown, _enc: string, done: () => void) {
      done();
    },
  });

// Computed by fetch itself; passing jsforce's values along makes some runtimes reject the request.
const DROPPED_HEADERS = /^(content-length|transfer-encoding|host|connection)$/i;

export interface FetchTransport {
  httpRequest(req: HttpRequest): Promise<HttpResponse> & { stream(): Duplex };
}

export function createFetchTransport(fetchFn: FetchLike, timeoutMs: number): FetchTransport {
  async function send(req: HttpRequest): Promise<HttpResponse> {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers ?? {}))
      if (!DROPPED_HEADERS.test(k)) headers.set(k, String(v));
    if (req.body !== undefined && typeof req.body !== 'string') {
      throw new ConnectorError({
        system: SYSTEM,
        message: 'Streaming and multipart Salesforce requests are not supported here',
        retryable: false,
        code: 'UNSUPPORTED_REQUEST',
      });
    }
    let res: Response;
    let text: string;
    try {
      res = await fetchFn(req.url, {
        method: req.method,
        headers,
        body: req.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      if (e instanceof ConnectorError) throw e;
      const name = (e as { name?: string })?.name;
      throw name === 'TimeoutError' || name === 'AbortError'
        ? timeoutError(timeoutMs, e)
        : networkError(SYSTEM, e);
    }
    if (res.status >= 400) throw salesforceError(res.status, text, res.headers);
    if (res.status >= 300 && res.status < 400) {
      // 300 is an ambiguous external id; any redirect means the instance URL is out of date.
      throw new ConnectorError({
        system: SYSTEM,
        message:
          res.status === 300
            ? `More than one Salesforce record matches: ${text.slice(0, 300)}`
            : `Salesforce redirected to ${res.headers.get('location') ?? 'another host'}`,
        retryable: false,
        code: res.status === 300 ? 'MULTIPLE_CHOICES' : 'REDIRECT',
        status: res.status,
        fix:
          res.status === 300
            ? 'Remove the duplicate external id values in Salesforce.'
            : "Update the Salesforce instance URL in Handoff to the org's My Domain URL.",
      });
    }
    const out: Record<string, string> = {};
    res.headers.forEach((value, key) => {
      out[key.toLowerCase()] = value;
    });
    return { statusCode: res.status, headers: out, body: text };
  }

  return {
    httpRequest(req) {
      const stream = inertStream();
      return Object.assign(send(req), { stream: () => stream });
    },
  };
}
