import { ConnectorError, isRetryableStatus, retryAfterMs } from '../errors';

export const SYSTEM = 'salesforce';

/**
 * Salesforce error codes that a retry can clear even though their HTTP status alone would not say so
 * (REQUEST_LIMIT_EXCEEDED arrives as 403), and codes that are permanent whatever the status.
 */
const RETRYABLE_CODES = new Set([
  'REQUEST_LIMIT_EXCEEDED',
  'SERVER_UNAVAILABLE',
  'UNABLE_TO_LOCK_ROW',
  'QUERY_TIMEOUT',
  'UNKNOWN_EXCEPTION',
]);
const PERMANENT_CODES = new Set([
  'INVALID_SESSION_ID',
  'INVALID_FIELD',
  'NOT_FOUND',
  'INSUFFICIENT_ACCESS',
  'MALFORMED_QUERY',
  'INVALID_TYPE',
]);

const FIXES: Record<string, string> = {
  INVALID_SESSION_ID:
    "Reconnect Salesforce in Handoff: the connected app's consumer key/secret, its client credentials run-as user, or the stored token is no longer valid.",
  INVALID_FIELD:
    'A Handoff field is missing or hidden from the integration user: install or upgrade the Handoff package and grant the integration user field-level access to the field named in the message.',
  INVALID_TYPE:
    'A Handoff object is missing or hidden from the integration user: install the Handoff package and assign its permission set.',
  INVALID_FIELD_FOR_INSERT_UPDATE:
    'Give the integration user edit access to the Handoff fields on Opportunity (permission set "Handoff Integration").',
  NOT_FOUND:
    'Check the record id: the record may have been deleted, or it is not shared with the Handoff integration user.',
  MALFORMED_ID: 'Use a Salesforce Opportunity (006...) or Contract (800...) record id.',
  INSUFFICIENT_ACCESS:
    'Give the Handoff integration user access to this record (sharing) and the Handoff permission set.',
  REQUEST_LIMIT_EXCEEDED:
    "The org has used its Salesforce API allocation or concurrent request limit; Handoff retries later. If it persists, raise the allocation or reduce other integrations' load.",
  DUPLICATE_VALUE:
    'Another opportunity already carries this Handoff activation id; clear Handoff Activation Id on that opportunity.',
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:
    'Add the missing value to the Handoff picklist (upgrade the Handoff package).',
  STRING_TOO_LONG: 'A value is longer than the Salesforce field allows; shorten it at the source.',
  invalid_client:
    "Check the consumer key and secret of the Salesforce connected app in Handoff's connection settings.",
  invalid_client_id:
    "Check the consumer key of the Salesforce connected app in Handoff's connection settings.",
  invalid_grant: 'Enable the client credentials flow on the connected app and set its run-as user.',
  unsupported_grant_type: 'Enable the client credentials flow on the connected app.',
};

interface SfErrorItem {
  message?: string;
  errorCode?: string;
  fields?: string[];
}

function firstItem(body: unknown): SfErrorItem | undefined {
  const list = Array.isArray(body) ? body : [body];
  const item = list[0];
  if (!item || typeof item !== 'object') return undefined;
  const o = item as Record<string, unknown>;
  // Data API errors use errorCode, sObject Collections use statusCode, OAuth uses error/error_description.
  const errorCode =
    typeof o.errorCode === 'string'
      ? o.errorCode
      : typeof o.statusCode === 'string'
        ? o.statusCode
        : typeof o.error === 'string'
          ? o.error
          : undefined;
  const message =
    typeof o.message === 'string'
      ? o.message
      : typeof o.error_description === 'string'
        ? o.error_description
        : undefined;
  const fields = Array.isArray(o.fields)
    ? o.fields.filter((f): f is string => typeof f === 'string')
    : undefined;
  return { message, errorCode, fields };
}

/** Map an error response (a parsed body or its text) to a ConnectorError with `retryable` and a fix. */
export function salesforceError(status: number, body: unknown, headers?: Headers): ConnectorError {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  const item = firstItem(parsed);
  const code = item?.errorCode ?? `HTTP_${status}`;
  const message = (
    item?.message ?? (typeof body === 'string' && body ? body.slice(0, 300) : `HTTP ${status}`)
  ).trim();
  const retryable = RETRYABLE_CODES.has(code) || (isRetryableStatus(status) && !PERMANENT_CODES.has(code));
  return new ConnectorError({
    system: SYSTEM,
    message: `Salesforce ${code}: ${message}`,
    retryable,
    code,
    status,
    retryAfterMs: retryAfterMs(headers?.get('retry-after')),
    fix:
      FIXES[code] ??
      (retryable ? 'Salesforce is temporarily unavailable; Handoff retries automatically.' : undefined),
    field: item?.fields?.[0],
  });
}

export function timeoutError(ms: number, cause: unknown): ConnectorError {
  return new ConnectorError({
    system: SYSTEM,
    message: `Salesforce did not answer within ${ms} ms`,
    retryable: true,
    code: 'TIMEOUT',
    cause,
    fix: 'Salesforce was slow or unreachable; Handoff retries automatically.',
  });
}

/** Anything a jsforce call throws that is not already a ConnectorError (a parse failure, a client-side check). */
export function asConnectorError(e: unknown): ConnectorError {
  if (e instanceof ConnectorError) return e;
  const err = e as { errorCode?: string; name?: string; message?: string };
  return new ConnectorError({
    system: SYSTEM,
    message: `Salesforce call failed: ${err?.message ?? String(e)}`,
    retryable: false,
    code: err?.errorCode ?? 'UNEXPECTED',
    cause: e,
  });
}
