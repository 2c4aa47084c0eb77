import { DurableObject } from 'cloudflare:workers';
import {
  type OutboundPolicy,
  outboundPolicyFromEnv,
  outboundUrlProblems,
  redirectError,
  refusedUrlError,
  STRICT_OUTBOUND_POLICY,
  type UrlProblem,
  vendorTargets,
} from '../connectors/outbound-guard';
import type { Env } from '../env';

export const GOVERNOR_LIMIT_HEADER = 'x-handoff-governor-limit';
export const GOVERNOR_TIMEOUT_HEADER = 'x-handoff-governor-timeout-ms';
/** The vendor system the call is for (its hosts are the only ones the governor forwards to). */
export const GOVERNOR_SYSTEM_HEADER = 'x-handoff-governor-system';
/** Set on the governor's own refusal (a URL the outbound guard refuses), never on a vendor's answer. */
export const GOVERNOR_REFUSED_HEADER = 'x-handoff-governor-refused';
/** Set on the governor's answer when the call itself failed (reset, refused, timed out); the body says how. */
export const GOVERNOR_FAILURE_HEADER = 'x-handoff-governor-failure';

interface TransportFailure {
  name: string;
  message: string;
}

function transportFailure(error: unknown): Response {
  const failure: TransportFailure =
    error instanceof Error
      ? { name: error.name, message: error.message }
      : { name: 'Error', message: String(error) };
  return Response.json(failure, { status: 502, headers: { [GOVERNOR_FAILURE_HEADER]: '1' } });
}

/** The governor's report of a failed call, raised again in the caller as the error its own fetch would have thrown. */
async function rethrowTransportFailure(response: Response): Promise<never> {
  const failure = (await response.json()) as TransportFailure;
  const error =
    failure.name === 'TimeoutError' || failure.name === 'AbortError'
      ? new DOMException(failure.message, failure.name)
      : Object.assign(new Error(failure.message), { name: failure.name });
  throw error;
}

export interface GovernorStatus {
  /** Calls on the account now, and calls waiting for a slot. */
  inFlight: number;
  waiting: number;
  /** Set while the account is paused after a 429 (its Retry-After), else null. */
  pausedUntil: string | null;
  /** Since the object last started: calls forwarded, 429s met, calls that failed, the most at once. */
  forwarded: number;
  throttled: number;
  failed: number;
  maxInFlight: number;
}

/**
 * One per ERP account, fleet-wide: every call Handoff makes to that account passes through here, so
 * the account's concurrency budget (NetSuite: 5-15 requests, shared with every other integration) is
 * respected however many workflows and queue consumers run at once. A 429 pauses the whole account
 * for its Retry-After instead of letting every caller hammer it.
 *
 * The semaphore lives in memory: a Durable Object is single-threaded and stays resident while it has
 * requests in flight, so the count is exact for as long as it matters.
 */
export class ErpGovernor extends DurableObject<Env> {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private pausedUntil = 0;
  private stats = { forwarded: 0, throttled: 0, failed: 0, maxInFlight: 0 };

  private async acquire(limit: number): Promise<void> {
    if (this.inFlight < limit) {
      this.inFlight += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    // The releaser handed its slot to us without decrementing.
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight -= 1;
  }

  /** Read-only: what the account's governor holds right now (the console's health). */
  async status(): Promise<GovernorStatus> {
    return {
      inFlight: this.inFlight,
      waiting: this.waiting.length,
      pausedUntil: this.pausedUntil > Date.now() ? new Date(this.pausedUntil).toISOString() : null,
      ...this.stats,
    };
  }

  override async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname === '/__governor/stats') {
      return Response.json({ ...this.stats, inFlight: this.inFlight, waiting: this.waiting.length });
    }
    const limit = Math.max(1, Number(request.headers.get(GOVERNOR_LIMIT_HEADER) ?? 5) || 5);
    const timeoutMs = Math.max(
      1000,
      Number(request.headers.get(GOVERNOR_TIMEOUT_HEADER) ?? 15_000) || 15_000,
    );
    const system = request.headers.get(GOVERNOR_SYSTEM_HEADER);
    const headers = new Headers(request.headers);
    headers.delete(GOVERNOR_LIMIT_HEADER);
    headers.delete(GOVERNOR_TIMEOUT_HEADER);
    headers.delete(GOVERNOR_SYSTEM_HEADER);
    // Checked again here, where the request leaves: the governor forwards nowhere the outbound guard refuses.
    const [refused] = outboundUrlProblems(
      request.url,
      vendorTargets(system),
      outboundPolicyFromEnv(this.env),
    );
    if (refused) return Response.json(refused, { status: 421, headers: { [GOVERNOR_REFUSED_HEADER]: '1' } });
    const body =
      request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();

    await this.acquire(limit);
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight);
    try {
      const pause = this.pausedUntil - Date.now();
      if (pause > 0) await new Promise((r) => setTimeout(r, pause));
      this.stats.forwarded += 1;
      let response: Response;
      try {
        // Never follow a redirect: it would carry the Authorization header past the check. The caller turns
        // the 3xx into a connector error.
        response = await fetch(request.url, {
          method: request.method,
          headers,
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (e) {
        // An unreachable ERP is an answer for the caller, not a failure of this object: thrown out of
        // the handler it would be reported as the object's own uncaught exception on every reset.
        this.stats.failed += 1;
        return transportFailure(e);
      }
      if (response.status === 429) {
        this.stats.throttled += 1;
        const retryAfter = Number(response.headers.get('retry-after') ?? 1);
        this.pausedUntil = Math.max(
          this.pausedUntil,
          Date.now() + (Number.isFinite(retryAfter) ? retryAfter : 1) * 1000,
        );
      }
      return response;
    } finally {
      this.release();
    }
  }
}

/**
 * A fetch that goes through the account's governor; hand it to the ERP connector. The URL passes the outbound
 * guard before it leaves (and again in the governor); a redirect or the governor's refusal is a non-retryable
 * ConnectorError.
 */
export function governedFetch(
  env: Pick<Env, 'ERP_GOVERNOR'>,
  accountKey: string,
  limit: number,
  opts: { system?: string; outbound?: OutboundPolicy; timeoutMs?: number } = {},
) {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const system = opts.system ?? 'erp';
  const stub = env.ERP_GOVERNOR.get(env.ERP_GOVERNOR.idFromName(accountKey));
  return async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const [problem] = outboundUrlProblems(
      request.url,
      vendorTargets(opts.system),
      opts.outbound ?? STRICT_OUTBOUND_POLICY,
    );
    if (problem) throw refusedUrlError(system, problem, request.url);
    const headers = new Headers(request.headers);
    headers.set(GOVERNOR_LIMIT_HEADER, String(limit));
    headers.set(GOVERNOR_TIMEOUT_HEADER, String(timeoutMs));
    if (opts.system) headers.set(GOVERNOR_SYSTEM_HEADER, opts.system);
    const body =
      request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
    // Waiting for a slot counts too: give the whole call twice the per-request budget.
    const response = await stub.fetch(request.url, {
      method: request.method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs * 2),
    });
    if (response.headers.has(GOVERNOR_FAILURE_HEADER)) return rethrowTransportFailure(response);
    if (response.headers.get(GOVERNOR_REFUSED_HEADER))
      throw refusedUrlError(system, (await response.json()) as UrlProblem, request.url);
    if ([301, 302, 303, 307, 308].includes(response.status)) {
      await response.body?.cancel();
      throw redirectError(system, request.url, response);
    }
    return response;
  };
}
