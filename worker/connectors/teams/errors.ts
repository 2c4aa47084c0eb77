import { ConnectorError } from '../errors';

export const SYSTEM = 'teams';

export type BotAuthFailure =
  | 'MISSING_TOKEN'
  | 'MALFORMED_TOKEN'
  | 'UNSUPPORTED_ALGORITHM'
  | 'UNKNOWN_KEY'
  | 'BAD_SIGNATURE'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'WRONG_ISSUER'
  | 'WRONG_AUDIENCE'
  | 'SERVICE_URL_MISMATCH'
  | 'ENDORSEMENT_MISSING'
  | 'METADATA_UNAVAILABLE';

/**
 * A request that claims to come from the Bot Framework channel but cannot be proven to. The route answers
 * 403 (the Bot Connector authentication document: "your bot should reject the request by returning an
 * HTTP 403 (Forbidden)"), except METADATA_UNAVAILABLE which is our side failing (answer 503 so the
 * channel retries).
 */
export class BotAuthError extends Error {
  readonly code: BotAuthFailure;
  readonly status: 403 | 503;
  constructor(code: BotAuthFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BotAuthError';
    this.code = code;
    this.status = code === 'METADATA_UNAVAILABLE' ? 503 : 403;
  }
}

export function timeoutError(what: string, cause: unknown): ConnectorError {
  return new ConnectorError({
    system: SYSTEM,
    message: `${what} timed out`,
    retryable: true,
    code: 'TIMEOUT',
    cause,
  });
}

export function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
}
