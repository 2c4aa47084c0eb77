import { useCallback, useEffect, useState } from 'preact/hooks';
import { CONSOLE_ROLES, type ConsoleRole } from '../../../../shared/api/console';
import { Alert } from '../alert';
import { api, describe } from '../api';
import { ROLE_LABELS, when } from '../format';

interface Member {
  id: string;
  name: string;
  email?: string | null;
  provider: string;
  roles: ConsoleRole[];
  state?: string;
  lastSignInAt?: string | null;
}

/** People of the firm and their roles; invitations for new ones (admins only). */
export function MembersPage({ self }: { self: string }) {
  const [members, setMembers] = useState<Member[]>();
  const [failure, setFailure] = useState<string>();
  const [invite, setInvite] = useState<{ invitationUrl: string; expiresAt: string }>();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<ConsoleRole>('viewer');
  const load = useCallback(
    () =>
      api<{ members: Member[] }>('GET', '/v1/console/members')
        .then((r) => setMembers(r.members))
        .catch((e) => setFailure(describe(e))),
    [],
  );
  useEffect(() => {
    void load();
  }, [load]);
  const run = async (f: () => Promise<unknown>) => {
    setFailure(undefined);
    try {
      await f();
      await load();
    } catch (e) {
      setFailure(describe(e));
    }
  };
  return (
    <section aria-labelledby="members-h">
      <h1 id="members-h">People and roles</h1>
      <Alert text={failure} />
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Signs in with</th>
            <th scope="col">Role</th>
            <th scope="col">Last sign-in</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(members ?? []).map((m) => (
            <tr key={m.id}>
              <td>
                {m.name}
                {m.email ? ` (${m.email})` : ''}
              </td>
              <td>{m.provider === 'entra' ? 'Microsoft' : 'Salesforce'}</td>
              <td>
                <select
                  aria-label={`Role of ${m.name}`}
                  value={m.roles[0]}
                  onChange={(e) =>
                    run(() =>
                      api('PATCH', `/v1/console/members/${encodeURIComponent(m.id)}`, {
                        roles: [e.currentTarget.value],
                      }),
                    )
                  }
                >
                  {CONSOLE_ROLES.map((r) => (
                    <option key={r} value={r}>
                      {ROLE_LABELS[r]}
                    </option>
                  ))}
                </select>
              </td>
              <td>{when(m.lastSignInAt)}</td>
              <td>
                {m.id !== self && (
                  <button
                    type="button"
                    onClick={() =>
                      run(() => api('DELETE', `/v1/console/members/${encodeURIComponent(m.id)}`))
                    }
                  >
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Invite someone</h2>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () =>
            setInvite(
              await api('POST', '/v1/console/invitations', {
                roles: [role],
                ...(email.trim() ? { email: email.trim() } : {}),
              }),
            ),
          );
        }}
      >
        <label>
          Email (optional)
          <input type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.currentTarget.value as ConsoleRole)}>
            {CONSOLE_ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Create invitation</button>
      </form>
      {invite && (
        <p role="status">
          Send this link to the person you invite (valid until {when(invite.expiresAt)}, usable once):{' '}
          <code>{invite.invitationUrl}</code>
        </p>
      )}
    </section>
  );
}
