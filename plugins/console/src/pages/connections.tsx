import { useCallback, useEffect, useState } from 'preact/hooks';
import type {
  ConnectionRole,
  ConnectionStatus,
  ConnectionTest,
  ConnectKey,
  PluginStatus,
} from '../../../../shared/api/connections';
import { Alert } from '../alert';
import { api, describe } from '../api';
import { when } from '../format';
import type { Route } from '../router';

/**
 * Install and connect: one guided step per system (connect, what it reaches, test with each finding and its fix),
 * then whether each plugin is installed and how to install it. Everyone with `view` sees it; the actions are for
 * `connections:manage`. No secret ever comes back from the server: keys and tokens are typed in, never shown.
 */

const TITLES: Record<ConnectionRole, { title: string; what: string }> = {
  crm: { title: 'Salesforce', what: 'The CRM: deals to activate, status written back.' },
  psa: { title: 'Kantata', what: 'The PSA: projects, time, expenses, milestones.' },
  erp: { title: 'NetSuite', what: 'The ERP: customers, projects, billing schedules, invoices.' },
  clm: { title: 'DocuSign', what: 'Signed amendments, pushed by DocuSign Connect.' },
  teams: { title: 'Microsoft Teams', what: 'Approvals and exceptions on cards, for the firm’s people.' },
};

/** What the callback's `?error=` means, in the words of the person who just came back from the provider. */
const LANDING_ERRORS: Record<string, string> = {
  state_invalid: 'The connection link expired or was already used. Start again and finish within 10 minutes.',
  not_yours:
    'This connection was started by someone else, or in a browser that has signed out since. Start it again here.',
  access_denied: 'Access was not allowed at the provider.',
  code_refused: 'The provider refused to complete the connection.',
  org_claimed: 'That Salesforce org is connected to another Handoff firm.',
  org_mismatch: 'Salesforce named two different orgs for this connection.',
  unavailable: 'The provider could not be reached. Try again in a few minutes.',
  not_configured: 'This Handoff deployment is not set up for that system yet.',
};

interface Overview {
  connections: ConnectionStatus[];
  listenerUrl: string;
}

export function ConnectionsPage({ route, canManage }: { route: Route; canManage: boolean }) {
  const [overview, setOverview] = useState<Overview>();
  const [plugins, setPlugins] = useState<PluginStatus[]>();
  const [failure, setFailure] = useState<string>();
  const load = useCallback(async () => {
    try {
      const [o, p] = await Promise.all([
        api<Overview>('GET', '/v1/console/connections'),
        api<{ plugins: PluginStatus[] }>('GET', '/v1/console/plugins'),
      ]);
      setOverview(o);
      setPlugins(p.plugins);
    } catch (e) {
      setFailure(describe(e));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const connected = route.params.get('connected');
  const error = route.params.get('error');
  return (
    <section aria-labelledby="connections-h">
      <h1 id="connections-h">Connections</h1>
      {connected && (
        <p role="status">
          {TITLES[connected as ConnectionRole]?.title ?? connected} is connected. Test it below.
        </p>
      )}
      {error && (
        <div role="alert" class="error">
          <p>
            {TITLES[route.params.get('role') as ConnectionRole]?.title ?? 'The system'} was not connected:{' '}
            {LANDING_ERRORS[error] ?? error}
          </p>
          {route.params.get('message') && <p>{route.params.get('message')}</p>}
          {route.params.get('fix') && <p>Fix: {route.params.get('fix')}</p>}
          {route.params.get('requestId') && <p class="hint">Request {route.params.get('requestId')}</p>}
        </div>
      )}
      <Alert text={failure} />
      {overview?.connections.map((c, i) => (
        <Step key={c.role} n={i + 1} status={c} canManage={canManage} reload={load} overview={overview} />
      ))}
      <Plugins plugins={plugins} />
    </section>
  );
}

function Step(props: {
  n: number;
  status: ConnectionStatus;
  overview: Overview;
  canManage: boolean;
  reload: () => Promise<void>;
}) {
  const { status, canManage } = props;
  const { title, what } = TITLES[status.role];
  const [test, setTest] = useState<ConnectionTest>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const runTest = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      setTest(await api<ConnectionTest>('POST', `/v1/console/connections/${status.role}/test`));
      await props.reload();
    } catch (e) {
      setFailure(describe(e));
    } finally {
      setBusy(false);
    }
  };
  const headingId = `step-${status.role}`;
  return (
    <article class="step" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {props.n}. {title}{' '}
        <span class={status.connected ? 'badge ok' : 'badge'}>
          {status.connected ? 'Connected' : 'Not connected'}
        </span>
      </h2>
      <p class="hint">{what}</p>
      <Details status={status} />
      {status.lastTest && !test && (
        <p class={status.lastTest.ok ? 'hint' : 'hint overdue'}>
          Last test {when(status.lastTest.at)}:{' '}
          {status.lastTest.ok ? 'everything works' : `to fix: ${status.lastTest.failed.join(', ')}`}
        </p>
      )}
      {canManage && (
        <Connect status={status} overview={props.overview} reload={props.reload} onFailure={setFailure} />
      )}
      <Alert text={failure} />
      {canManage && (
        <div class="actions">
          <button type="button" onClick={runTest} disabled={busy}>
            {busy ? 'Testing…' : 'Test connection'}
          </button>
        </div>
      )}
      {test && <Checks test={test} />}
    </article>
  );
}

function Details({ status }: { status: ConnectionStatus }) {
  const d = status.details as Record<string, unknown>;
  const rows: [string, string][] = [];
  const org = d.org as { id?: string; name?: string } | undefined;
  const who = d.connectedAs as { name?: string; username?: string; email?: string } | undefined;
  if (org?.name) rows.push(['Org', `${org.name} (${org.id})`]);
  if (typeof d.instanceUrl === 'string') rows.push(['Instance', d.instanceUrl]);
  if (typeof d.baseUrl === 'string') rows.push(['API', d.baseUrl]);
  if (who) rows.push(['Authorized by', who.name ?? who.username ?? who.email ?? '']);
  if (typeof d.accountId === 'string') rows.push(['Account', d.accountId]);
  if (typeof d.certificateId === 'string') rows.push(['Certificate', d.certificateId]);
  if (d.subsidiaryIds && typeof d.subsidiaryIds === 'object')
    rows.push(['Subsidiaries', Object.keys(d.subsidiaryIds).join(', ') || 'none chosen']);
  if (typeof d.microsoftTenantId === 'string') rows.push(['Microsoft 365 organisation', d.microsoftTenantId]);
  if (typeof d.listenerUrl === 'string') rows.push(['Listener URL (Connect)', d.listenerUrl]);
  if (status.updatedAt) rows.push(['Updated', when(status.updatedAt)]);
  if (rows.length === 0) return null;
  return (
    <dl class="facts">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function Checks({ test }: { test: ConnectionTest }) {
  return (
    <div>
      <p role="status" class={test.ok ? '' : 'overdue'}>
        {test.ok ? 'Everything Handoff needs is there.' : 'Some things need fixing:'}
      </p>
      <ul class="checks">
        {test.checks.map((c) => (
          <li key={c.name} class={c.ok ? 'ok' : 'fail'}>
            <strong>
              {c.ok ? '✓' : '✗'} {c.name}
            </strong>
            : {c.message}
            {c.fix && <div class="fix">Fix: {c.fix}</div>}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Connect(props: {
  status: ConnectionStatus;
  overview: Overview;
  reload: () => Promise<void>;
  onFailure: (m: string | undefined) => void;
}) {
  const { status } = props;
  const go = async (body: Record<string, unknown>) => {
    props.onFailure(undefined);
    try {
      const { authorizeUrl } = await api<{ authorizeUrl: string }>(
        'POST',
        `/v1/console/connections/${status.role}/authorize`,
        body,
      );
      // The provider's own pages, in this tab: it sends the browser back to the console when done.
      location.assign(authorizeUrl);
    } catch (e) {
      props.onFailure(describe(e));
    }
  };
  switch (status.role) {
    case 'crm':
      return <SalesforceConnect connected={status.connected} go={go} />;
    case 'psa':
      return <KantataConnect connected={status.connected} go={go} />;
    case 'teams':
      return (
        <div class="actions">
          <p class="hint">
            An administrator of the firm’s Microsoft 365 organisation signs in (Global, Privileged Role, Cloud
            Application or Application Administrator): that proves the organisation is the firm’s.
          </p>
          <button type="button" class="primary" onClick={() => go({ system: 'teams' })}>
            {status.connected ? 'Prove again' : 'Connect Teams'}
          </button>
        </div>
      );
    case 'erp':
      return <NetSuiteSetup status={status} reload={props.reload} onFailure={props.onFailure} />;
    case 'clm':
      return <DocuSignKeys status={status} reload={props.reload} onFailure={props.onFailure} />;
  }
}

function SalesforceConnect({
  connected,
  go,
}: {
  connected: boolean;
  go: (b: Record<string, unknown>) => void;
}) {
  const [where, setWhere] = useState('https://login.salesforce.com');
  const [myDomain, setMyDomain] = useState('');
  return (
    <form
      class="actions"
      onSubmit={(e) => {
        e.preventDefault();
        go({ system: 'salesforce', loginUrl: where === 'my-domain' ? myDomain.trim() : where });
      }}
    >
      <label>
        Sign in at
        <select value={where} onChange={(e) => setWhere(e.currentTarget.value)}>
          <option value="https://login.salesforce.com">Production (login.salesforce.com)</option>
          <option value="https://test.salesforce.com">Sandbox (test.salesforce.com)</option>
          <option value="my-domain">The org’s My Domain</option>
        </select>
      </label>
      {where === 'my-domain' && (
        <label>
          My Domain URL
          <input
            type="url"
            required
            placeholder="https://acme.my.salesforce.com"
            value={myDomain}
            onInput={(e) => setMyDomain(e.currentTarget.value)}
          />
        </label>
      )}
      <button type="submit" class="primary">
        {connected ? 'Reconnect Salesforce' : 'Connect Salesforce'}
      </button>
      <p class="hint">
        Sign in as the user Handoff should act as (an integration user with the Handoff_Admin permission set)
        and allow access. Handoff keeps only a refresh token, encrypted.
      </p>
    </form>
  );
}

function KantataConnect({ connected, go }: { connected: boolean; go: (b: Record<string, unknown>) => void }) {
  const [authUrl, setAuthUrl] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [uiBaseUrl, setUiBaseUrl] = useState('');
  return (
    <form
      class="actions"
      onSubmit={(e) => {
        e.preventDefault();
        go({
          system: 'kantata',
          ...(authUrl.trim() ? { authUrl: authUrl.trim() } : {}),
          ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
          ...(uiBaseUrl.trim() ? { uiBaseUrl: uiBaseUrl.trim() } : {}),
        });
      }}
    >
      <button type="submit" class="primary">
        {connected ? 'Reconnect Kantata' : 'Connect Kantata'}
      </button>
      <details>
        <summary>Other Kantata hosts</summary>
        <fieldset class="filters">
          <label>
            Sign-in (default https://app.mavenlink.com)
            <input type="url" value={authUrl} onInput={(e) => setAuthUrl(e.currentTarget.value)} />
          </label>
          <label>
            API (default https://api.mavenlink.com/api/v1)
            <input type="url" value={baseUrl} onInput={(e) => setBaseUrl(e.currentTarget.value)} />
          </label>
          <label>
            Project pages (default https://app.mavenlink.com)
            <input type="url" value={uiBaseUrl} onInput={(e) => setUiBaseUrl(e.currentTarget.value)} />
          </label>
        </fieldset>
      </details>
      <p class="hint">Sign in as the Kantata user Handoff should act as and choose Authorize.</p>
    </form>
  );
}

interface Choices {
  subsidiaries: { id: string; name: string; country: string | null }[];
  items: { id: string; name: string; displayName: string | null; type: string | null }[];
}

function NetSuiteSetup(props: {
  status: ConnectionStatus;
  reload: () => Promise<void>;
  onFailure: (m: string | undefined) => void;
}) {
  const d = props.status.details as Record<string, unknown>;
  const [creds, setCreds] = useState({
    accountId: typeof d.accountId === 'string' ? d.accountId : '',
    clientId: '',
    certificateId: '',
    privateKeyPem: '',
    algorithm: 'PS256',
  });
  const [choices, setChoices] = useState<Choices>();
  const [picked, setPicked] = useState<string[]>(
    Object.values((d.subsidiaryIds as Record<string, string>) ?? {}),
  );
  const [byDefault, setByDefault] = useState(
    typeof d.defaultSubsidiaryId === 'string' ? d.defaultSubsidiaryId : '',
  );
  const current = (d.items as Record<string, string> | undefined) ?? {};
  const [items, setItems] = useState({
    time: current.time ?? '',
    expense: current.expense ?? '',
    invoice: current.invoice ?? '',
  });
  const [saved, setSaved] = useState<string>();
  const run = async (f: () => Promise<void>) => {
    props.onFailure(undefined);
    setSaved(undefined);
    try {
      await f();
    } catch (e) {
      props.onFailure(describe(e));
    }
  };
  const loadChoices = () =>
    run(async () => {
      const c = await api<Choices>('GET', '/v1/console/connections/erp/choices');
      setChoices(c);
      // Names typed before the console (item names) become the matching ids.
      const idOf = (v: string) => c.items.find((i) => i.id === v || i.name === v)?.id ?? '';
      setItems((x) => ({ time: idOf(x.time), expense: idOf(x.expense), invoice: idOf(x.invoice) }));
    });
  const field = (k: keyof typeof creds) => (e: { currentTarget: { value: string } }) =>
    setCreds({ ...creds, [k]: e.currentTarget.value });
  return (
    <div>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const r = await api<{ choices: Choices }>(
              'PUT',
              '/v1/console/connections/erp/credentials',
              creds,
            );
            setChoices(r.choices);
            setCreds({ ...creds, privateKeyPem: '' });
            setSaved('NetSuite accepted the certificate. Choose the subsidiaries and items below.');
            await props.reload();
          });
        }}
      >
        <label>
          Account ID
          <input required value={creds.accountId} onInput={field('accountId')} placeholder="1234567" />
        </label>
        <label>
          Client ID (integration record)
          <input required value={creds.clientId} onInput={field('clientId')} autocomplete="off" />
        </label>
        <label>
          Certificate ID (M2M setup)
          <input required value={creds.certificateId} onInput={field('certificateId')} autocomplete="off" />
        </label>
        <label>
          Algorithm
          <select value={creds.algorithm} onChange={field('algorithm')}>
            {['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'].map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        <label class="wide">
          Private key of the certificate (PKCS#8 PEM; stored encrypted, never shown again)
          <textarea
            required
            rows={4}
            value={creds.privateKeyPem}
            onInput={field('privateKeyPem')}
            placeholder="-----BEGIN PRIVATE KEY-----"
            autocomplete="off"
            spellcheck={false}
          />
        </label>
        <button type="submit" class="primary">
          {props.status.connected ? 'Replace the certificate' : 'Connect NetSuite'}
        </button>
      </form>
      {saved && <p role="status">{saved}</p>}
      {props.status.connected && !choices && (
        <button type="button" onClick={loadChoices}>
          Choose subsidiaries and items
        </button>
      )}
      {choices && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              await api('PUT', '/v1/console/connections/erp/selections', {
                subsidiaryIds: picked,
                defaultSubsidiaryId: byDefault,
                items,
              });
              setSaved('Saved. Test the connection to check them.');
              await props.reload();
            });
          }}
        >
          <fieldset>
            <legend>Subsidiaries Handoff bills through (read from NetSuite now)</legend>
            {choices.subsidiaries.map((s) => (
              <label class="check" key={s.id}>
                <input
                  type="checkbox"
                  checked={picked.includes(s.id)}
                  onChange={(e) =>
                    setPicked(e.currentTarget.checked ? [...picked, s.id] : picked.filter((p) => p !== s.id))
                  }
                />
                {s.name} {s.country ? `(${s.country})` : ''}
              </label>
            ))}
          </fieldset>
          <div class="filters">
            <label>
              Default subsidiary
              <select value={byDefault} required onChange={(e) => setByDefault(e.currentTarget.value)}>
                <option value="">Choose…</option>
                {choices.subsidiaries
                  .filter((s) => picked.includes(s.id))
                  .map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name}
                    </option>
                  ))}
              </select>
            </label>
            {(['time', 'expense', 'invoice'] as const).map((k) => (
              <label key={k}>
                {k === 'time'
                  ? 'Time bills through'
                  : k === 'expense'
                    ? 'Expenses through'
                    : 'Milestone invoices through'}
                <select
                  value={items[k]}
                  required
                  onChange={(e) => setItems({ ...items, [k]: e.currentTarget.value })}
                >
                  <option value="">Choose…</option>
                  {choices.items.map((i) => (
                    <option key={i.id} value={i.id}>
                      {i.name}
                      {i.type ? ` (${i.type})` : ''}
                    </option>
                  ))}
                </select>
              </label>
            ))}
            <button type="submit" class="primary">
              Save choices
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

function DocuSignKeys(props: {
  status: ConnectionStatus;
  reload: () => Promise<void>;
  onFailure: (m: string | undefined) => void;
}) {
  const keys = ((props.status.details as Record<string, unknown>).keys as ConnectKey[] | undefined) ?? [];
  const [key, setKey] = useState('');
  const [overlap, setOverlap] = useState('24');
  const run = async (f: () => Promise<unknown>) => {
    props.onFailure(undefined);
    try {
      await f();
      await props.reload();
    } catch (e) {
      props.onFailure(describe(e));
    }
  };
  const listener = (props.status.details as Record<string, unknown>).listenerUrl as string | undefined;
  return (
    <div>
      <ol class="hint">
        <li>
          In DocuSign Admin › Connect, add a configuration publishing <em>Envelope Signed/Completed</em> as
          JSON (SIM) to <code>{listener}</code>, with the envelope’s custom fields, and turn on{' '}
          <em>Include HMAC Signature</em>.
        </li>
        <li>
          In Connect Keys, click <em>Add Secret Key</em>. DocuSign shows the key once: paste it here. To
          rotate, add a new key in DocuSign, paste it here, then delete the old one in DocuSign before the
          overlap ends.
        </li>
      </ol>
      {keys.length > 0 && (
        <table class="grid">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Added</th>
              <th scope="col">Verifies until</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <td>{k.id}</td>
                <td>{when(k.addedAt)}</td>
                <td>{k.retiresAt ? when(k.retiresAt) : 'no end'}</td>
                <td>
                  <button
                    type="button"
                    onClick={() =>
                      run(() => api('DELETE', `/v1/console/connections/clm/keys/${encodeURIComponent(k.id)}`))
                    }
                  >
                    Retire now
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await api('POST', '/v1/console/connections/clm/keys', {
              key: key.trim(),
              overlapHours: Number(overlap),
            });
            setKey('');
          });
        }}
      >
        <label>
          Connect key from DocuSign
          <input
            type="password"
            required
            minLength={16}
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            autocomplete="off"
          />
        </label>
        {keys.length > 0 && (
          <label>
            Previous keys keep verifying for (hours)
            <input
              type="number"
              min={0}
              max={168}
              value={overlap}
              onInput={(e) => setOverlap(e.currentTarget.value)}
            />
          </label>
        )}
        <button type="submit" class="primary">
          {keys.length ? 'Rotate to this key' : 'Add the key'}
        </button>
      </form>
    </div>
  );
}

function Plugins({ plugins }: { plugins: PluginStatus[] | undefined }) {
  const names: Record<PluginStatus['plugin'], string> = {
    salesforce: 'Salesforce package (card and Activate project)',
    teams: 'Teams app (bot and tab)',
    sidebar: 'PSA sidebar (billing readiness)',
  };
  return (
    <section aria-labelledby="plugins-h">
      <h2 id="plugins-h">Plugins</h2>
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">Plugin</th>
            <th scope="col">Installed</th>
            <th scope="col">What Handoff sees</th>
            <th scope="col">Last seen</th>
            <th scope="col">How to install</th>
          </tr>
        </thead>
        <tbody>
          {(plugins ?? []).map((p) => (
            <tr key={p.plugin}>
              <td>{names[p.plugin]}</td>
              <td>{p.installed === null ? 'unknown' : p.installed ? 'yes' : 'no'}</td>
              <td>
                {p.message}
                {p.fix && <div class="fix">Fix: {p.fix}</div>}
              </td>
              <td>{when(p.lastSeenAt) || 'never'}</td>
              <td>
                <ul class="links">
                  {p.links.map((l) =>
                    l.href.startsWith('/') ? (
                      <li key={l.href}>
                        <a href={l.href}>{l.label}</a>
                      </li>
                    ) : (
                      <li key={l.href}>{l.label}</li>
                    ),
                  )}
                </ul>
                {p.command && <code>{p.command}</code>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
