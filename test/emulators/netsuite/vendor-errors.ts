/**
 * NetSuite's REST error body ("Error Handling in REST Web Services"): an RFC 7807-like object with
 * `type`, `title`, `status` and `o:errorDetails` (detail, o:errorCode, o:errorPath...).
 */
const RFC2616 = 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html';
const TYPES: Record<number, [string, string]> = {
  400: [`${RFC2616}#sec10.4.1`, 'Bad Request'],
  401: [`${RFC2616}#sec10.4.2`, 'Unauthorized'],
  403: [`${RFC2616}#sec10.4.4`, 'Forbidden'],
  404: [`${RFC2616}#sec10.4.5`, 'Not Found'],
  405: [`${RFC2616}#sec10.4.6`, 'Method Not Allowed'],
  415: [`${RFC2616}#sec10.4.16`, 'Unsupported Media Type'],
  429: ['https://tools.ietf.org/html/rfc6585#section-4', 'Too Many Requests'],
  500: [`${RFC2616}#sec10.5.1`, 'Internal Server Error'],
  502: [`${RFC2616}#sec10.5.3`, 'Bad Gateway'],
  503: [`${RFC2616}#sec10.5.4`, 'Service Unavailable'],
  504: [`${RFC2616}#sec10.5.5`, 'Gateway Timeout'],
};

export const ERROR_CONTENT_TYPE = 'application/vnd.oracle.resource+json; type=error';

export interface ErrorDetail {
  detail: string;
  code: string;
  path?: string;
  header?: string;
  queryParam?: string;
}

export function errorBody(status: number, d: ErrorDetail) {
  const [type, title] = TYPES[status] ?? [RFC2616, 'Error'];
  return {
    type,
    title,
    status,
    'o:errorDetails': [
      {
        detail: d.detail,
        'o:errorCode': d.code,
        ...(d.path ? { 'o:errorPath': d.path } : {}),
        ...(d.header ? { 'o:errorHeader': d.header } : {}),
        ...(d.queryParam ? { 'o:errorQueryParam': d.queryParam } : {}),
      },
    ],
  };
}

export function errorResponse(
  status: number,
  d: ErrorDetail,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(errorBody(status, d)), {
    status,
    headers: { 'Content-Type': ERROR_CONTENT_TYPE, ...headers },
  });
}

export const CONCURRENCY_DETAIL = 'Concurrent request limit exceeded. Request blocked.';

/** The kit's injected faults (429, 5xx, unknown instance) in NetSuite's shape. */
export function netsuiteErrorFormat(status: number, message: string, code: string): { body: unknown } {
  if (status === 429)
    return { body: errorBody(429, { detail: CONCURRENCY_DETAIL, code: 'CONCURRENCY_LIMIT_EXCEEDED' }) };
  if (status === 401)
    return { body: errorBody(401, { detail: INVALID_LOGIN_DETAIL, code: 'INVALID_LOGIN' }) };
  if (status >= 500)
    return {
      body: errorBody(status, {
        detail: `An unexpected error occurred. ${message}`,
        code: 'UNEXPECTED_ERROR',
      }),
    };
  if (status === 404) return { body: errorBody(404, { detail: message, code: 'NONEXISTENT_ID' }) };
  return { body: errorBody(status, { detail: message, code: code === 'BAD_REQUEST' ? 'USER_ERROR' : code }) };
}

export const INVALID_LOGIN_DETAIL =
  'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.';

export const NONEXISTENT_DETAIL = 'The record instance does not exist. Provide a valid record instance ID.';
