/**
 * Signs people in to the console over HTTP, as their browser would: the start link, the identity provider's
 * (emulated) sign-in and consent pages, the callback that sets the session cookie. Runs inside workerd
 * (worker tests) and in Node (the sandbox).
 */

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export type ConsoleProvider = 'entra' | 'salesforce';

export const HANDOFF = 'http://handoff';

/** POST with the operator token: a firm's first admin invitation. */
export async function firstAdminInvitation(
  workerFetch: Fetch,
  platformToken: string,
  tenantId: string,
  body: { email?: string } = {},
  origin = HANDOFF,
): Promise<Response> {
  return workerFetch(`${origin}/v1/tenants/${tenantId}/console/first-admin-invitation`, {
    method: 'POST',
    headers: { authorization: `Bearer ${platformToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** The invitation token of an invitation URL. */
export const invitationToken = (invitationUrl: string) =>
  new URL(invitationUrl).searchParams.get('invitation')!;

export interface SignInOutcome {
  /** The callback's answer (302 with the cookie, or 302 to /console/sign-in?error=...). */
  res: Response;
  /** Where the callback sends the browser. */
  location: string;
  /** The session cookie's value, when one was set. */
  cookie?: string;
  setCookie: string | null;
  /** The callback URL the provider sent the browser to (to replay it). */
  callback?: URL;
  /** The browser's sign-in cookie set by the start (`__Host-handoff_sign_in`), to replay the callback with. */
  browser?: string;
  /** The refusal, from the start or the callback (`error` of /console/sign-in). */
  error?: string;
}

/**
 * One sign-in: GET the start link, pick `loginHint` on the provider's page (and allow access on Salesforce's
 * consent page), follow the provider's redirect to the callback.
 */
export async function signIn(
  workerFetch: Fetch,
  opts: {
    provider: ConsoleProvider;
    loginHint: string;
    invitation?: string;
    returnTo?: string;
    origin?: string;
    /** Change the provider's redirect before following it (a test's tampering). */
    tamper?: (callback: URL) => void | Promise<void>;
  },
): Promise<SignInOutcome> {
  const origin = opts.origin ?? HANDOFF;
  const q = new URLSearchParams();
  if (opts.invitation !== undefined) q.set('invitation', opts.invitation);
  if (opts.returnTo !== undefined) q.set('returnTo', opts.returnTo);
  const started = await workerFetch(`${origin}/console/auth/${opts.provider}/start?${q}`, {
    redirect: 'manual',
  });
  const authorize = started.headers.get('location') ?? '';
  const browser = cookieOf(started, '__Host-handoff_sign_in');
  await started.body?.cancel();
  if (started.status !== 302) throw new Error(`start: ${started.status}`);
  if (authorize.startsWith('/console/sign-in'))
    return {
      res: started,
      location: authorize,
      setCookie: null,
      error: new URL(authorize, origin).searchParams.get('error') ?? undefined,
    };
  const callback = await atProvider(opts.provider, authorize, opts.loginHint);
  await opts.tamper?.(callback);
  return followCallback(workerFetch, callback, origin, browser);
}

/** The value a response sets for cookie `name` (of all its Set-Cookie headers). */
export function cookieOf(res: Response, name: string): string | undefined {
  const line = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  const value = line?.slice(name.length + 1).split(';')[0];
  return value ? value : undefined;
}

/** The provider's sign-in (and consent) as `loginHint`: where it sends the browser back. */
export async function atProvider(
  provider: ConsoleProvider,
  authorize: string,
  loginHint: string,
): Promise<URL> {
  const url = new URL(authorize);
  url.searchParams.set('login_hint', loginHint);
  if (provider === 'salesforce') url.searchParams.set('approve', '1');
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location)
    throw new Error(`${provider} sign-in: ${res.status} ${await res.text()}`);
  await res.body?.cancel();
  return new URL(location);
}

/** The browser following the provider's redirect to Handoff's callback. */
export async function followCallback(
  workerFetch: Fetch,
  callback: URL,
  origin = HANDOFF,
  browser?: string,
): Promise<SignInOutcome> {
  const res = await workerFetch(`${origin}${callback.pathname}${callback.search}`, {
    redirect: 'manual',
    headers: browser ? { cookie: `__Host-handoff_sign_in=${browser}` } : {},
  });
  await res.body?.cancel();
  const location = res.headers.get('location') ?? '';
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-handoff_session=')) ?? null;
  const cookie = cookieOf(res, '__Host-handoff_session');
  return {
    res,
    location,
    setCookie,
    callback,
    ...(browser ? { browser } : {}),
    ...(cookie ? { cookie } : {}),
    ...(location.startsWith('/console/sign-in')
      ? { error: new URL(location, origin).searchParams.get('error') ?? undefined }
      : {}),
  };
}

/** A request with the session cookie (and, for writes, the CSRF token and this origin). */
export function withSession(
  cookie: string,
  extra: { csrf?: string; origin?: string | null; body?: unknown; method?: string } = {},
): RequestInit {
  const headers: Record<string, string> = { cookie: `__Host-handoff_session=${cookie}` };
  if (extra.csrf !== undefined) headers['x-csrf-token'] = extra.csrf;
  if (extra.origin) headers.origin = extra.origin;
  if (extra.body !== undefined) headers['content-type'] = 'application/json';
  return {
    method: extra.method ?? 'GET',
    headers,
    ...(extra.body !== undefined ? { body: JSON.stringify(extra.body) } : {}),
  };
}

/** A Salesforce user of the org at `instanceControl` (the emulator's /__emulator/instances/{id}). */
export async function addSalesforceUser(
  salesforceUrl: string,
  instance: string,
  user: { firstName: string; lastName: string; email: string; idToken?: Record<string, unknown> },
): Promise<{ id: string; orgId: string; username: string; email: string; name: string }> {
  const res = await fetch(`${salesforceUrl}/__emulator/instances/${instance}/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(user),
  });
  if (res.status !== 201) throw new Error(`add Salesforce user: ${res.status} ${await res.text()}`);
  return res.json() as Promise<{ id: string; orgId: string; username: string; email: string; name: string }>;
}
