/**
 * Salesforce REST error bodies: an array of `{ message, errorCode, fields? }` with the HTTP status the
 * REST API Developer Guide lists ("Status Codes and Error Responses"). Handlers throw SfApiError; the
 * route turns it into the documented body.
 */

export interface SfErrorItem {
  message: string;
  errorCode: string;
  fields?: string[];
}

export class SfApiError extends Error {
  readonly status: number;
  readonly items: SfErrorItem[];
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    errorCode: string,
    message: string,
    fields?: string[],
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.items = [{ message, errorCode, ...(fields ? { fields } : {}) }];
    this.headers = headers;
  }
}

export const notFound = () => new SfApiError(404, 'NOT_FOUND', 'The requested resource does not exist');

export const invalidSession = () => new SfApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');

export const noSuchColumnOnSobject = (field: string, objectName: string) =>
  new SfApiError(400, 'INVALID_FIELD', `No such column '${field}' on sobject of type ${objectName}`);

export const jsonParserError = (message: string) => new SfApiError(400, 'JSON_PARSER_ERROR', message);

/** The status and error code the kit uses for injected faults, mapped onto what Salesforce really sends. */
export function sfFaultBody(
  status: number,
  message: string,
  code: string,
): { body: SfErrorItem[]; headers?: Record<string, string> } {
  if (status === 401)
    return { body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] };
  if (status === 404)
    return { body: [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }] };
  if (status === 429 || code === 'REQUEST_LIMIT_EXCEEDED' || code === 'CONCURRENCY_LIMIT_EXCEEDED') {
    return {
      body: [{ message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
    };
  }
  if (status === 503)
    return {
      body: [{ message: 'Server is unavailable. Please try again later.', errorCode: 'SERVER_UNAVAILABLE' }],
    };
  if (status >= 500)
    return {
      body: [{ message: `An unexpected error occurred. ${message}`, errorCode: 'UNKNOWN_EXCEPTION' }],
    };
  return { body: [{ message, errorCode: code }] };
}
