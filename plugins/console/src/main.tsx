import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { type ConsolePermission, rolesAllow } from '../../../shared/api/console';
import { ApiFailure, api, loadSession, type Session, useCsrf } from './api';
import { ROLE_LABELS } from './format';
import { AuditPage } from './pages/audit';
import { ConnectionsPage } from './pages/connections';
import { ContractsPage } from './pages/contracts';
import { DeadLettersPage } from './pages/dead-letters';
import { ExceptionsPage } from './pages/exceptions';
import { HealthPage } from './pages/health';
import { JobsPage } from './pages/jobs';
import { MembersPage } from './pages/members';
import { SignInPage } from './pages/sign-in';
import { href, useRoute } from './router';

interface NavItem {
  path: string;
  label: string;
  permission: ConsolePermission;
}
const NAV: NavItem[] = [
  { path: '/health', label: 'Health', permission: 'view' },
  { path: '/exceptions', label: 'Exceptions', permission: 'view' },
  { path: '/dead-letters', label: 'Dead letters', permission: 'view' },
  { path: '/jobs', label: 'Bulk jobs', permission: 'view' },
  { path: '/contracts', label: 'Contracts', permission: 'view' },
  { path: '/audit', label: 'Audit trail', permission: 'view' },
  { path: '/connections', label: 'Connections', permission: 'view' },
  { path: '/members', label: 'People and roles', permission: 'members:manage' },
];

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<string>();
  useEffect(() => {
    loadSession()
      .then((s) => {
        if (s) useCsrf(s.csrfToken);
        setSession(s ?? null);
      })
      .catch((e: Error) => setError(e.message));
  }, []);
  if (error) return <p role="alert">The console could not load: {error}</p>;
  if (session === undefined) return <p class="loading">Loading the Handoff console…</p>;
  if (session === null || location.pathname.startsWith('/console/sign-in')) return <SignInPage />;
  return <Shell session={session} />;
}

function Shell({ session }: { session: Session }) {
  const route = useRoute();
  const can = (p: ConsolePermission) => rolesAllow(session.person.roles, p);
  const items = NAV.filter((n) => can(n.permission));
  const current = items.find((n) => route.path.startsWith(n.path)) ?? items[0]!;
  const signOut = async () => {
    try {
      await api('POST', '/v1/console/session/sign-out');
    } catch (e) {
      if (!(e instanceof ApiFailure && e.status === 401)) throw e;
    }
    location.assign('/console/sign-in');
  };
  return (
    <div class="shell">
      <header class="topbar">
        <span class="brand">Handoff</span>
        <span class="firm">{session.firm.name}</span>
        <span class="who">
          {session.person.name} · {session.person.roles.map((r) => ROLE_LABELS[r] ?? r).join(', ')}
        </span>
        <button type="button" class="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <nav aria-label="Console">
        <ul>
          {items.map((n) => (
            <li key={n.path}>
              <a href={href(n.path)} aria-current={n === current ? 'page' : undefined}>
                {n.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main>
        {current.path === '/health' && <HealthPage />}
        {current.path === '/dead-letters' && (
          <DeadLettersPage route={route} canReplay={can('dead-letters:replay')} />
        )}
        {current.path === '/exceptions' && (
          <ExceptionsPage
            route={route}
            canAct={can('exceptions:act')}
            canSetSla={can('connections:manage')}
          />
        )}
        {current.path === '/jobs' && <JobsPage canAct={can('exceptions:act')} />}
        {current.path === '/contracts' && <ContractsPage route={route} />}
        {current.path === '/audit' && <AuditPage route={route} />}
        {current.path === '/connections' && (
          <ConnectionsPage route={route} canManage={can('connections:manage')} />
        )}
        {current.path === '/members' && <MembersPage self={session.person.id} />}
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
