import { DEMO_CONSOLE_USER } from '../test/emulators/salesforce/emulator';
import type { ConnectedTenant } from '../test/support/connect-tenant';
import { firstAdminInvitation, invitationToken, signIn } from '../test/support/console-sign-in';
import { DEMO_PEOPLE } from '../test/support/demo-people';
import { addEntraPerson } from '../test/support/prove-microsoft-tenant';

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** The demo firm's console members: one per role on Entra, and one who signs in with Salesforce. */
export const CONSOLE_DEMO_MEMBERS = [
  { role: 'admin', provider: 'entra', person: DEMO_PEOPLE.ava },
  { role: 'finance-ops', provider: 'entra', person: DEMO_PEOPLE.emma },
  { role: 'delivery-ops', provider: 'entra', person: DEMO_PEOPLE.dev },
  {
    role: 'viewer',
    provider: 'entra',
    person: {
      aadObjectId: '0a0c0e10-0000-4000-8000-000000000a0c',
      name: 'Noah Kim',
      email: 'noah.kim@lumenpartners.example',
    },
  },
  {
    role: 'viewer',
    provider: 'salesforce',
    person: { name: 'Priya Natarajan', email: DEMO_CONSOLE_USER.email },
  },
] as const;

/**
 * The demo directory's people in the emulated Entra (it keeps no state between runs, so every start adds
 * them again): the sign-in page lists them to pick.
 */
export async function seedEntraDemoPeople(entraUrl: string, tid: string): Promise<void> {
  for (const m of CONSOLE_DEMO_MEMBERS)
    if (m.provider === 'entra' && 'aadObjectId' in m.person)
      await addEntraPerson(entraUrl, {
        tid,
        oid: m.person.aadObjectId,
        name: m.person.name,
        email: m.person.email,
        roles: m.role === 'admin' ? ['62e90394-69f5-4237-9190-012177145e10'] : [],
      });
}

/**
 * Binds each demo person to the firm's console as a person would: an invitation (the operator's first admin
 * invitation, then the admin key's), and their sign-in at the emulated provider.
 */
export async function seedConsoleMembers(workerFetch: Fetch, t: ConnectedTenant, platformToken: string) {
  for (const [i, m] of CONSOLE_DEMO_MEMBERS.entries()) {
    const res =
      i === 0
        ? await firstAdminInvitation(workerFetch, platformToken, t.tenantId)
        : await workerFetch('http://handoff/v1/console/invitations', {
            method: 'POST',
            headers: { authorization: `Bearer ${t.keys.admin}`, 'content-type': 'application/json' },
            body: JSON.stringify({ roles: [m.role] }),
          });
    if (res.status !== 201) throw new Error(`console invitation: ${res.status} ${await res.text()}`);
    const invitation = invitationToken(((await res.json()) as { invitationUrl: string }).invitationUrl);
    const out = await signIn(workerFetch, { provider: m.provider, invitation, loginHint: m.person.email });
    if (out.error) throw new Error(`console sign-in of ${m.person.name}: ${out.error}`);
  }
}
