import { z } from 'zod';
import { ConnectorError, isRetryableStatus, retryAfterMs } from '../errors';

export const SYSTEM = 'netsuite';

/** NetSuite REST error body ("Error Handling in REST Web Services"). */
export const NetSuiteErrorBodySchema = z.object({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().optional(),
  'o:errorDetails': z
    .array(
      z.object({
        detail: z.string().optional(),
        'o:errorCode': z.string().optional(),
        'o:errorPath': z.string().optional(),
        'o:errorQueryParam': z.string().optional(),
        'o:errorHeader': z.string().optional(),
      }),
    )
    .optional(),
});
export type NetSuiteErrorBody = z.infer<typeof NetSuiteErrorBodySchema>;

/**
 * Codes that mean "the account's concurrency budget is used up": 429 on REST web services, the RESTlet
 * and SOAP equivalents in case a proxy or gateway passes them through. All of them are safe to retry.
 */
const CONCURRENCY_CODES = new Set([
  'CONCURRENCY_LIMIT_EXCEEDED',
  'SSS_REQUEST_LIMIT_EXCEEDED',
  'REQUEST_LIMIT_EXCEEDED',
  'WS_CONCUR_SESSION_DISALLWD',
  'WS_REQUEST_BLOCKED',
]);

/** NetSuite sends no Retry-After on concurrency refusals; a second is the smallest useful back-off. */
const DEFAULT_CONCURRENCY_BACKOFF_MS = 1000;

/** Pull the field a validation error is about: o:errorPath first, else the documented message patterns. */
export function fieldFromDetail(detail: string | undefined, path: string | undefined): string | undefined {
  if (path) return path;
  if (!detail) return undefined;
  const invalid = /for the following field:\s*([A-Za-z0-9_.[\]]+)/i.exec(detail);
  if (invalid) return invalid[1];
  const missing = /Please enter value\(s\) for:\s*([^.]+)/i.exec(detail);
  if (missing) return missing[1]?.trim();
  const quoted = /field '([A-Za-z0-9_.[\]]+)'/i.exec(detail);
  return quoted?.[1];
}

function fixFor(status: number, code: string | undefined, field: string | undefined): string | undefined {
  if (status === 401 || code === 'INVALID_LOGIN')
    return 'NetSuite refused the login: check the integration record (client ID), that the certificate is mapped under Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup, and the Login Audit Trail.';
  if (status === 403)
    return 'The role mapped to Handoff’s certificate lacks a permission for this record type: add it to the role in NetSuite (Setup > Users/Roles > Manage Roles).';
  if (code && CONCURRENCY_CODES.has(code))
    return 'Every integration on this NetSuite account shares one concurrency budget; Handoff retries automatically. If this persists, lower the concurrency of other integrations or add a SuiteCloud Plus licence.';
  if (field === 'subsidiary')
    return 'The subsidiary is not valid in NetSuite: set the account’s Billing Subsidiary in the CRM to an existing subsidiary, or map it in the NetSuite connection (subsidiaryIds).';
  if (field === 'currency')
    return 'The currency is not enabled in NetSuite (Lists > Accounting > Currencies) or not allowed for the subsidiary; enable it or map it in the NetSuite connection (currencyIds).';
  if (field === 'parent')
    return 'The customer the project belongs to no longer exists in NetSuite; re-run the customer step.';
  if (field?.startsWith('cust'))
    return `NetSuite does not know the custom field ${field}: install the Handoff bundle’s custom fields or switch that field off in the NetSuite connection (customFields).`;
  if (status === 400 && field) return `Correct ${field} in the source record and retry.`;
  return undefined;
}

/** Map a non-2xx NetSuite response to a ConnectorError whose `retryable` says whether trying again can help. */
export async function errorFromResponse(response: Response, context: string): Promise<ConnectorError> {
  const text = await response.text().catch(() => '');
  let body: NetSuiteErrorBody = {};
  try {
    const parsed = NetSuiteErrorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) body = parsed.data;
  } catch {
    // not JSON (a gateway's HTML page): fall back to the status alone
  }
  const first = body['o:errorDetails']?.[0];
  const vendorCode = first?.['o:errorCode'];
  const detail = first?.detail ?? body.title ?? (text.slice(0, 200) || response.statusText);
  const concurrency =
    response.status === 429 || (vendorCode !== undefined && CONCURRENCY_CODES.has(vendorCode));
  const retryable = concurrency || isRetryableStatus(response.status);
  const field = response.status === 400 ? fieldFromDetail(first?.detail, first?.['o:errorPath']) : undefined;
  const after = retryAfterMs(response.headers.get('Retry-After'));
  return new ConnectorError({
    system: SYSTEM,
    message: `NetSuite ${context} failed (${response.status}${vendorCode ? ` ${vendorCode}` : ''}): ${detail}`,
    retryable,
    status: response.status,
    code: vendorCode ?? (concurrency ? 'CONCURRENCY_LIMIT_EXCEEDED' : `HTTP_${response.status}`),
    retryAfterMs: after ?? (concurrency ? DEFAULT_CONCURRENCY_BACKOFF_MS : undefined),
    fix: fixFor(response.status, vendorCode, field),
    field,
  });
}

export function timeoutError(context: string, timeoutMs: number, cause: unknown): ConnectorError {
  return new ConnectorError({
    system: SYSTEM,
    message: `NetSuite ${context} did not answer within ${timeoutMs} ms`,
    retryable: true,
    code: 'TIMEOUT',
    cause,
  });
}

export function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}
