/**
 * The one error type connectors throw. `retryable` says whether trying again can help (timeouts,
 * 5xx, 429 / concurrency limits, connection resets); everything else is permanent and should land in
 * the exception queue with `fix` shown to a person.
 */
export class ConnectorError extends Error {
  readonly system: string;
  readonly retryable: boolean;
  readonly status?: number;
  readonly code: string;
  readonly retryAfterMs?: number;
  readonly fix?: string;
  /** Field-level detail where the vendor gave it (e.g. a rejected field). */
  readonly field?: string;

  constructor(init: {
    system: string;
    message: string;
    retryable: boolean;
    code: string;
    status?: number;
    retryAfterMs?: number;
    fix?: string;
    field?: string;
    cause?: unknown;
  }) {
    super(init.message, { cause: init.cause });
    this.name = 'ConnectorError';
    this.system = init.system;
    this.retryable = init.retryable;
    this.code = init.code;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.fix = init.fix;
    this.field = init.field;
  }
}

/** Classify an HTTP status the way every vendor client here does. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

/** Parse Retry-After (seconds or HTTP date) into milliseconds. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Network-level failures (reset, refused, abort on timeout) are always worth retrying. */
export function networkError(system: string, cause: unknown): ConnectorError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new ConnectorError({
    system,
    message: `${system} unreachable: ${message}`,
    retryable: true,
    code: 'NETWORK',
    cause,
  });
}
