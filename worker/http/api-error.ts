import { ERROR_STATUS, type ErrorCode, type ErrorDetail } from '../../shared/api/errors';

/** The one error type routes throw; onError turns it into the envelope. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details?: ErrorDetail[];
  /** Sent as Retry-After (429, 503). */
  readonly retryAfterSeconds?: number;
  constructor(
    code: ErrorCode,
    message: string,
    details?: ErrorDetail[],
    opts: { retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
