/**
 * Connects a firm's Microsoft 365 organisation the only way Handoff allows: proving it. Over HTTP, as an admin
 * and their browser would: start a claim with the admin key, open its sign-in link on (emulated) Entra as an
 * administrator of the organisation, and follow Entra's redirect to Handoff's callback.
 * Runs in Node (the sandbox, e2e tests) and inside workerd (worker tests).
 */

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** Directory role template ids (the `wids` claim). */
export const DIRECTORY_ROLES = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  privilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  cloudApplicationAdministrator: '158c047a-c907-4556-b7ef-446551a6b5f7',
  applicationAdministrator: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
  /** Not enough to connect an organisation. */
  helpdeskAdministrator: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
  globalReader: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
} as const;

export interface EntraPerson {
  tid: string;
  oid: string;
  name: string;
  email: string;
  roles: string[];
  /** What the emulator's id tokens for this person get wrong (see the Entra emulator). */
  idToken?: Record<string, unknown>;
}

/** A new person of directory `tid` (random ids), seeded in the emulated Entra. */
export async function addEntraPerson(
  entraUrl: string,
  person: Partial<EntraPerson> & { tid: string },
  instance = 'entra',
): Promise<EntraPerson> {
  const oid = person.oid ?? crypto.randomUUID();
  const full: EntraPerson = {
    oid,
    name: 'Morgan Admin',
    email: `admin-${oid.slice(0, 8)}@${person.tid.slice(0, 8)}.example`,
    roles: [DIRECTORY_ROLES.globalAdministrator],
    ...person,
  };
  const res = await fetch(`${entraUrl}/__emulator/instances/${instance}/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(full),
  });
  if (!res.ok) throw new Error(`seed Entra person: ${res.status} ${await res.text()}`);
  return full;
}

/** POST /v1/admin/identity/microsoft/claims with the admin key: the sign-in link. */
export async function startMicrosoftClaim(
  workerFetch: Fetch,
  adminKey: string,
): Promise<{ id: string; authorizeUrl: string; expiresAt: string }> {
  const res = await workerFetch('http://handoff/v1/admin/identity/microsoft/claims', {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}` },
  });
  if (res.status !== 201) throw new Error(`start claim: ${res.status} ${await res.text()}`);
  return res.json() as Promise<{ id: string; authorizeUrl: string; expiresAt: string }>;
}

/** Opens the sign-in link as `loginHint` (what picking the account does): where Entra sends the browser. */
export async function signInAt(authorizeUrl: string, loginHint: string): Promise<URL> {
  const url = new URL(authorizeUrl);
  url.searchParams.set('login_hint', loginHint);
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
  return new URL(location);
}

/** Follows Entra's redirect to Handoff's callback (the browser's GET). */
export function followCallback(workerFetch: Fetch, callback: URL, headers: Record<string, string> = {}) {
  return workerFetch(`http://handoff${callback.pathname}${callback.search}`, { headers });
}

/**
 * The whole proof: an administrator of organisation `tid` (random unless given) signs in through a claim the
 * tenant's admin key started. Answers the organisation's tid and the administrator.
 */
export async function proveMicrosoftTenant(opts: {
  workerFetch: Fetch;
  entraUrl: string;
  adminKey: string;
  tid?: string;
  admin?: Partial<EntraPerson>;
}): Promise<{ tid: string; admin: EntraPerson }> {
  const tid = opts.tid ?? crypto.randomUUID();
  const admin = await addEntraPerson(opts.entraUrl, { ...opts.admin, tid });
  const claim = await startMicrosoftClaim(opts.workerFetch, opts.adminKey);
  const res = await followCallback(opts.workerFetch, await signInAt(claim.authorizeUrl, admin.email));
  if (res.status !== 200) throw new Error(`claim callback: ${res.status} ${await res.text()}`);
  return { tid, admin };
}
