import type { ConsoleRole } from '../../../shared/api/console';
import type { ErrorEnvelope } from '../../../shared/api/errors';

/** The signed-in person and their firm, as GET /v1/console/session answers. */
export interface Session {
  person: {
    id: string;
    name: string;
    email?: string;
    provider: 'entra' | 'salesforce';
    roles: ConsoleRole[];
  };
  firm: { id: string; name: string };
  csrfToken: string;
  expiresAt: string;
}

/** An answer the API refused, with what to fix (the error envelope's details). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { field: string; message: string; fix?: string }[] = [],
  ) {
    super(message);
  }
}

let csrfToken = '';

/** The session's CSRF token, sent on every write (the worker refuses a write without it). */
export function useCsrf(token: string) {
  csrfToken = token;
}

/** Calls the API on this origin with the session cookie; a refusal becomes an ApiFailure. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => undefined)) as T | ErrorEnvelope | undefined;
  if (!res.ok) {
    const err = (json as ErrorEnvelope | undefined)?.error;
    throw new ApiFailure(
      res.status,
      err?.code ?? 'UNKNOWN',
      err?.message ?? `The request failed (${res.status}).`,
      err?.details ?? [],
    );
  }
  return json as T;
}

/** The session, or undefined when nobody is signed in. */
export async function loadSession(): Promise<Session | undefined> {
  try {
    return await api<Session>('GET', '/v1/console/session');
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 401) return undefined;
    throw e;
  }
}

/** A refusal in words: the message, then each field with what to fix. */
export function describe(e: unknown): string {
  if (e instanceof ApiFailure)
    return [e.message, ...e.details.map((d) => `${d.field}: ${d.message}${d.fix ? `. ${d.fix}` : ''}`)].join(
      ' ',
    );
  return (e as Error).message;
}
