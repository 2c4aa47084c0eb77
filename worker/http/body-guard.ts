import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from './api-error';
import type { AppEnv } from './context';

const KiB = 1024;

/**
 * The largest body each operation accepts, checked before the body is read (from Content-Length) or while
 * it streams in (chunked), so an oversized request is refused before it is parsed or its signature
 * computed. The README's configuration reference lists the same numbers.
 */
export const BODY_LIMITS: readonly { route: string; maxBytes: number; why: string }[] = [
  { route: 'POST /v1/webhooks/docusign/{tenantId}', maxBytes: 1024 * KiB, why: 'a JSON SIM envelope' },
  { route: 'POST /v1/teams/messages', maxBytes: 256 * KiB, why: 'a Bot Framework activity' },
  { route: 'POST /v1/amendments', maxBytes: 128 * KiB, why: 'a change set with rate cards and milestones' },
  { route: 'PUT /v1/admin/connections/{role}', maxBytes: 64 * KiB, why: 'settings, keys and certificates' },
  { route: 'PUT /v1/admin/approvals-policy', maxBytes: 64 * KiB, why: 'approvers and the people list' },
  { route: 'POST /v1/webhooks/kantata/{tenantId}', maxBytes: 64 * KiB, why: 'one change notification' },
];
export const DEFAULT_BODY_LIMIT = 16 * KiB;
/** Deeper JSON than this is refused: no request of ours nests more than a few levels. */
export const MAX_JSON_DEPTH = 32;

const MATCHERS = BODY_LIMITS.map((l) => {
  const [method, path] = l.route.split(' ') as [string, string];
  return {
    method,
    pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    maxBytes: l.maxBytes,
  };
});

export function bodyLimitFor(method: string, path: string): number {
  return MATCHERS.find((m) => m.method === method && m.pattern.test(path))?.maxBytes ?? DEFAULT_BODY_LIMIT;
}

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;
const WITHOUT_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);

/** How deep the JSON text nests, without parsing it (so a hostile depth costs one linear scan). */
export function jsonDepth(text: string, stopAt = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAt) return max;
      }
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return max;
}

function tooLarge(maxBytes: number): never {
  throw new ApiError('PAYLOAD_TOO_LARGE', `The request body is larger than ${maxBytes} bytes.`, [
    {
      field: '(body)',
      message: `at most ${maxBytes} bytes`,
      fix: 'Send less in one request (split it), or leave out what the operation does not need.',
    },
  ]);
}

/**
 * Every request with a body: within the operation's size limit, JSON by its Content-Type, well formed and
 * not nested absurdly deep. Each failure is a 413/415/400 in the error envelope; the parsed body is kept
 * so the route's validator and raw-body readers (signature checks) reuse it instead of reading twice.
 */
export function guardBody(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (WITHOUT_BODY.has(c.req.method) || !c.req.raw.body) return next();
    const maxBytes = bodyLimitFor(c.req.method, c.req.path);
    const limit = bodyLimit({ maxSize: maxBytes, onError: () => tooLarge(maxBytes) });
    return limit(c, async () => {
      const text = await c.req.text();
      if (text.length === 0) return next();
      const contentType = c.req.header('content-type') ?? '';
      const mediaType = contentType.split(';')[0]!.trim();
      if (!JSON_MEDIA_TYPE.test(mediaType)) {
        throw new ApiError(
          'UNSUPPORTED_MEDIA_TYPE',
          `This API reads JSON bodies; the request says ${mediaType ? `"${mediaType}"` : 'nothing'}.`,
          [
            {
              field: 'content-type',
              message: mediaType ? `unsupported: ${mediaType}` : 'missing',
              fix: 'Send the body as JSON with "Content-Type: application/json".',
            },
          ],
        );
      }
      if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
        throw new ApiError('BAD_REQUEST', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`, [
          {
            field: '(body)',
            message: `more than ${MAX_JSON_DEPTH} levels of nesting`,
            fix: 'Send the body in the shape the API reference shows.',
          },
        ]);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new ApiError('BAD_REQUEST', 'The request body is not valid JSON.', [
          {
            field: '(body)',
            message: (e as Error).message.slice(0, 200),
            fix: 'Send one complete JSON value (check for a truncated body or a trailing comma).',
          },
        ]);
      }
      c.req.bodyCache.json = Promise.resolve(parsed);
      return next();
    });
  };
}
