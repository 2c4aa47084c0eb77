import type { ApiContext, ApiRequest, ApiResponse } from './data-api';
import { dispatchData } from './data-api';
import { SfApiError } from './errors';
import type { EffectSink } from './records';

/**
 * POST /services/data/vXX.X/composite: up to 25 subrequests (at most 5 of them queries) run in order
 * in one call that counts once against the API allocation. A subrequest may use `@{refId.path}` to
 * take a value from an earlier subrequest's response body (e.g. `@{refOpp.records[0].Id}`). With
 * allOrNone, the first failure rolls everything back and every other subrequest answers
 * PROCESSING_HALTED.
 */

const MAX_SUBREQUESTS = 25;
const MAX_QUERIES = 5;

interface SubRequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
}

interface SubResult {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

const halted = (message: string) => [{ errorCode: 'PROCESSING_HALTED', message }];

class UnresolvedReference extends Error {}

function lookup(body: unknown, path: string): unknown {
  let current: unknown = body;
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    if (m[1]) current = (current as Record<string, unknown> | null | undefined)?.[m[1]];
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g))
      current = (current as unknown[] | null | undefined)?.[Number(idx[1])];
  }
  return current;
}

function resolveText(text: string, results: Map<string, SubResult>): string {
  return text.replace(/@\{([A-Za-z0-9_]+)\.([^}]+)\}/g, (_all, ref: string, path: string) => {
    const prior = results.get(ref);
    const value = prior && prior.httpStatusCode < 400 ? lookup(prior.body, path) : undefined;
    if (value === undefined || value === null || typeof value === 'object') {
      throw new UnresolvedReference(
        `Invalid reference specified. No value for ${path} found in ${ref}. Provided referenceId ('${ref}') should be for a previous request that returned a value for it.`,
      );
    }
    return String(value);
  });
}

function resolveBody(body: unknown, results: Map<string, SubResult>): unknown {
  if (typeof body === 'string') return resolveText(body, results);
  if (Array.isArray(body)) return body.map((b) => resolveBody(b, results));
  if (body && typeof body === 'object') {
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, resolveBody(v, results)]));
  }
  return body;
}

function parseSubrequests(raw: unknown): { allOrNone: boolean; subs: SubRequest[] } {
  const body = raw as { allOrNone?: unknown; compositeRequest?: unknown } | undefined;
  if (!body || !Array.isArray(body.compositeRequest) || body.compositeRequest.length === 0) {
    throw new SfApiError(
      400,
      'JSON_PARSER_ERROR',
      'compositeRequest: a list of at least one subrequest is required',
    );
  }
  if (body.compositeRequest.length > MAX_SUBREQUESTS) {
    throw new SfApiError(
      400,
      'LIMIT_EXCEEDED',
      `Exceeded the maximum of ${MAX_SUBREQUESTS} subrequests in a composite request`,
    );
  }
  const seen = new Set<string>();
  const subs = body.compositeRequest.map((s: Record<string, unknown>) => {
    if (typeof s?.method !== 'string' || typeof s.url !== 'string' || typeof s.referenceId !== 'string') {
      throw new SfApiError(400, 'JSON_PARSER_ERROR', 'Each subrequest needs method, url and referenceId');
    }
    if (!/^[A-Za-z0-9_]+$/.test(s.referenceId)) {
      throw new SfApiError(
        400,
        'INVALID_INPUT',
        `Invalid referenceId '${s.referenceId}': use only letters, numbers and underscores`,
      );
    }
    if (seen.has(s.referenceId))
      throw new SfApiError(
        400,
        'INVALID_INPUT',
        `Duplicate referenceId provided in the request: ${s.referenceId}`,
      );
    seen.add(s.referenceId);
    return { method: s.method.toUpperCase(), url: s.url, referenceId: s.referenceId, body: s.body };
  });
  const queries = subs.filter((s) => s.method === 'GET' && /\/(query|queryAll)(\/|\?|$)/.test(s.url)).length;
  if (queries > MAX_QUERIES) {
    throw new SfApiError(
      400,
      'LIMIT_EXCEEDED',
      `Exceeded the maximum of ${MAX_QUERIES} query subrequests in a composite request`,
    );
  }
  return { allOrNone: body.allOrNone === true, subs };
}

function toSubResult(referenceId: string, res: ApiResponse): SubResult {
  return { body: res.body ?? null, httpHeaders: res.headers ?? {}, httpStatusCode: res.status, referenceId };
}

export function runComposite(ctx: ApiContext, req: ApiRequest): ApiResponse {
  const { allOrNone, subs } = parseSubrequests(req.body);
  const { state } = ctx.inst;
  const saved = allOrNone
    ? { records: structuredClone(state.records), counters: { ...state.counters } }
    : undefined;
  const buffered: string[] = [];
  const effect: EffectSink = allOrNone ? (n) => buffered.push(n) : ctx.effect;
  // Subrequests cannot nest another composite call.
  const inner: ApiContext = { ...ctx, effect, composite: undefined };
  const results = new Map<string, SubResult>();
  const out: SubResult[] = [];
  let failedAt = -1;

  for (const [index, sub] of subs.entries()) {
    let result: SubResult;
    try {
      const url = resolveText(sub.url, results);
      const m = /^\/services\/data\/v(\d+\.\d)(\/[^?]*)?(?:\?(.*))?$/.exec(url);
      if (!m) throw new SfApiError(400, 'NOT_FOUND', `The requested resource does not exist: ${sub.url}`);
      const body = sub.body === undefined ? undefined : resolveBody(sub.body, results);
      result = toSubResult(
        sub.referenceId,
        dispatchData(inner, {
          method: sub.method,
          path: m[2] ?? '',
          query: new URLSearchParams(m[3] ?? ''),
          body,
          version: m[1]!,
        }),
      );
    } catch (e) {
      if (e instanceof UnresolvedReference) {
        result = {
          body: halted(e.message),
          httpHeaders: {},
          httpStatusCode: 400,
          referenceId: sub.referenceId,
        };
      } else if (e instanceof SfApiError) {
        result = { body: e.items, httpHeaders: {}, httpStatusCode: e.status, referenceId: sub.referenceId };
      } else {
        throw e;
      }
    }
    results.set(sub.referenceId, result);
    out.push(result);
    if (allOrNone && result.httpStatusCode >= 400) {
      failedAt = index;
      break;
    }
  }

  if (failedAt >= 0) {
    state.records = saved!.records;
    state.counters = saved!.counters;
    const rolledBack =
      'The transaction was rolled back since another operation in the same transaction failed.';
    const halt = (referenceId: string): SubResult => ({
      body: halted(rolledBack),
      httpHeaders: {},
      httpStatusCode: 400,
      referenceId,
    });
    return {
      status: 200,
      body: { compositeResponse: subs.map((s, i) => (i === failedAt ? out[i]! : halt(s.referenceId))) },
    };
  }
  for (const n of buffered) ctx.effect(n);
  return { status: 200, body: { compositeResponse: out } };
}
