/**
 * Connecting Salesforce and Kantata the way a firm's admin does in the console, over HTTP only: start the
 * authorization with the admin's credentials, sign in and allow on the (emulated) vendor's consent page, and let
 * the browser follow the redirect to Handoff's callback. Runs in Node (the sandbox, e2e) and inside workerd.
 */

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface Started {
  id: string;
  authorizeUrl: string;
  expiresAt: string;
}

/** POST /v1/console/connections/{role}/authorize with the admin key. */
export async function startConnection(
  workerFetch: Fetch,
  adminKey: string,
  role: 'crm' | 'psa',
  body: Record<string, unknown>,
): Promise<Started> {
  const res = await workerFetch(`http://handoff/v1/console/connections/${role}/authorize`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`start ${role}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Started>;
}

/** The consent page's form: where it posts, and its hidden request id. */
async function consentForm(authorizeUrl: string): Promise<{ action: string; request: string; html: string }> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`authorize page: ${page.status} ${html.slice(0, 300)}`);
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
  const request = /name="request" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !request) throw new Error(`no consent form in: ${html.slice(0, 300)}`);
  return { action, request, html };
}

/**
 * Opens the authorization URL and answers the consent page as a person would: Allow (or Deny) as `as`
 * (a Salesforce username or a Kantata user id; default: the page's preselected person). Answers where the
 * vendor sends the browser.
 */
export async function consent(
  authorizeUrl: string,
  opts: { decision?: 'allow' | 'deny'; as?: string } = {},
): Promise<URL> {
  const { action, request, html } = await consentForm(authorizeUrl);
  const kantata = action.endsWith('/oauth/authorize');
  const who = opts.as ?? /<option value="([^"]+)" selected>/.exec(html)?.[1] ?? '';
  const form = new URLSearchParams({ request });
  if (kantata) {
    form.set('user_id', who);
    form.set('decision', opts.decision === 'deny' ? 'deny' : 'authorize');
  } else {
    form.set('username', who);
    form.set('decision', opts.decision ?? 'allow');
  }
  const res = await fetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`consent: ${res.status} ${await res.text()}`);
  return new URL(location);
}

/** The browser following the vendor's redirect to Handoff's callback (a navigation: it accepts HTML). */
export function followToCallback(workerFetch: Fetch, callback: URL, accept = 'text/html') {
  return workerFetch(`http://handoff${callback.pathname}${callback.search}`, {
    headers: { accept },
    redirect: 'manual',
  });
}

/** The console URL a callback sent the browser to, and its hash route's parameters. */
export function consoleLanding(res: Response): { path: string; params: URLSearchParams } {
  const location = res.headers.get('location') ?? '';
  const [path, query] = location.split('?', 2);
  return { path: path ?? '', params: new URLSearchParams(query ?? '') };
}
