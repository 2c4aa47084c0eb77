import { ConnectorError, isRetryableStatus, networkError, retryAfterMs } from '../errors';
import { KantataErrorsSchema } from './schemas';

export const SYSTEM = 'kantata';

/**
 * Kantata answers errors as `{errors: [{type, message, field?}]}` with `type` one of `oauth` (401),
 * `validation` (422) or `system`. 429 means "retry after a small delay"; 5xx and 503 are transient.
 */
export function kantataHttpError(
  method: string,
  path: string,
  response: Response,
  bodyText: string,
): ConnectorError {
  const status = response.status;
  let parsed: { type?: string; message?: string; field?: string }[] = [];
  try {
    const r = KantataErrorsSchema.safeParse(JSON.parse(bodyText));
    if (r.success) parsed = r.data.errors;
  } catch {
    // Not JSON (an HTML error page from a proxy): the status alone decides.
  }
  const detail = parsed
    .map((e) => (e.field ? `${e.field}: ${e.message ?? 'invalid'}` : (e.message ?? '')))
    .filter(Boolean)
    .join('; ');
  const message = `Kantata ${method} ${path} answered ${status}${detail ? `: ${detail}` : ''}`;
  const field = parsed.find((e) => e.field)?.field;
  const base = { system: SYSTEM, message, status, field };
  switch (status) {
    case 401:
      return new ConnectorError({
        ...base,
        retryable: false,
        code: 'UNAUTHORIZED',
        fix: 'Kantata rejected the access token (revoked, or the user lost access). Reconnect Kantata in Handoff with a new OAuth token.',
      });
    case 403:
      return new ConnectorError({
        ...base,
        retryable: false,
        code: 'FORBIDDEN',
        fix: 'The Kantata user behind the token lacks permission for this (projects need Project Creator or higher; rate cards need Account Administrator). Grant it, or reconnect as a user who has it.',
      });
    case 404:
      return new ConnectorError({
        ...base,
        retryable: false,
        code: 'NOT_FOUND',
        fix: 'The Kantata record was not found: it may have been deleted or archived. Restore it in Kantata, or clear the link in Handoff so it is created again.',
      });
    case 400:
    case 422:
      return new ConnectorError({
        ...base,
        retryable: false,
        code: status === 422 ? 'VALIDATION' : 'BAD_REQUEST',
        fix: detail ? `Kantata refused the data: ${detail}. Correct it at the source and retry.` : undefined,
      });
    case 429:
      return new ConnectorError({
        ...base,
        retryable: true,
        code: 'RATE_LIMITED',
        retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
      });
    default:
      return new ConnectorError({
        ...base,
        retryable: isRetryableStatus(status),
        code: status === 503 ? 'UNAVAILABLE' : status >= 500 ? 'SERVER_ERROR' : `HTTP_${status}`,
        retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
      });
  }
}

/** Timeouts get their own code so the exception queue can tell "slow" from "unreachable". */
export function kantataNetworkError(cause: unknown, timeoutMs: number): ConnectorError {
  if (cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError')) {
    return new ConnectorError({
      system: SYSTEM,
      message: `Kantata did not answer within ${timeoutMs} ms`,
      retryable: true,
      code: 'TIMEOUT',
      cause,
    });
  }
  return networkError(SYSTEM, cause);
}

export function unexpectedResponse(
  method: string,
  path: string,
  issue: string,
  cause?: unknown,
  field?: string,
): ConnectorError {
  return new ConnectorError({
    system: SYSTEM,
    message: `Kantata ${method} ${path} answered in an unexpected shape: ${issue}`,
    retryable: false,
    code: 'UNEXPECTED_RESPONSE',
    ...(field ? { field } : {}),
    fix: 'Kantata changed or truncated its answer; report this to Handoff support with the activation id.',
    cause,
  });
}
