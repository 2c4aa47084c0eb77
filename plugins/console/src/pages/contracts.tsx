import { useEffect, useState } from 'preact/hooks';
import type { ContractSummary, ContractTimeline } from '../../../../shared/api/timeline';
import { Alert } from '../alert';
import { api, describe } from '../api';
import { when } from '../format';
import { href, type Route } from '../router';

const SYSTEMS: Record<string, string> = {
  crm: 'CRM',
  clm: 'CLM',
  psa: 'PSA',
  erp: 'ERP',
  teams: 'Teams',
  handoff: 'Handoff',
};

/** "+1.2 s", "+3 h": the wait since the step before, as a person reads it. */
function gap(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `+${ms} ms`;
  if (ms < 60_000) return `+${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `+${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `+${(ms / 3_600_000).toFixed(1)} h`;
  return `+${(ms / 86_400_000).toFixed(1)} d`;
}

/** Contracts found by number or opportunity id; one contract's timeline from the CRM click to payment. */
export function ContractsPage({ route }: { route: Route }) {
  const key = route.params.get('key');
  return key ? <Timeline contractKey={key} /> : <ContractList q={route.params.get('q') ?? ''} />;
}

function ContractList({ q }: { q: string }) {
  const [search, setSearch] = useState(q);
  const [rows, setRows] = useState<ContractSummary[]>();
  const [failure, setFailure] = useState<string>();
  useEffect(() => {
    api<{ contracts: ContractSummary[] }>('GET', `/v1/contracts?${new URLSearchParams(q ? { q } : {})}`)
      .then((r) => setRows(r.contracts))
      .catch((e) => setFailure(describe(e)));
  }, [q]);
  return (
    <section aria-labelledby="contracts-h">
      <h1 id="contracts-h">Contracts</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          location.hash = href('/contracts', { q: search.trim() || undefined });
        }}
      >
        <label>
          Contract number or opportunity id
          <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </label>
        <button type="submit">Find</button>
      </form>
      <Alert text={failure} />
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">Contract</th>
            <th scope="col">Opportunity</th>
            <th scope="col">Status</th>
            <th scope="col">Requested</th>
            <th scope="col">Ready</th>
          </tr>
        </thead>
        <tbody>
          {(rows ?? []).map((c) => (
            <tr key={c.contractKey}>
              <td>
                <a href={href('/contracts', { key: c.contractKey })}>{c.contractNumber ?? c.contractKey}</a>
              </td>
              <td>{c.contractKey}</td>
              <td>{c.status}</td>
              <td>{when(c.requestedAt)}</td>
              <td>{when(c.activatedAt)}</td>
            </tr>
          ))}
          {rows && rows.length === 0 && (
            <tr>
              <td colSpan={5}>No contract matches.</td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

function Timeline({ contractKey }: { contractKey: string }) {
  const [t, setT] = useState<ContractTimeline>();
  const [failure, setFailure] = useState<string>();
  useEffect(() => {
    api<ContractTimeline>('GET', `/v1/contracts/${encodeURIComponent(contractKey)}/timeline`)
      .then(setT)
      .catch((e) => setFailure(describe(e)));
  }, [contractKey]);
  return (
    <section aria-labelledby="timeline-h">
      <p>
        <a href={href('/contracts')}>All contracts</a>
      </p>
      <h1 id="timeline-h">
        {t ? `${t.contractNumber ?? contractKey}${t.name ? `: ${t.name}` : ''}` : 'Contract timeline'}
      </h1>
      {t?.customer && (
        <p>
          {t.customer} · {t.status}
        </p>
      )}
      <Alert text={failure} />
      {t?.truncated && <p>This contract has more events than one page shows: the oldest are listed.</p>}
      {t && (
        <ol class="timeline">
          {t.events.map((e, i) => (
            <li key={`${e.at}-${e.kind}-${i}`} class={`ev ${e.status}`}>
              <span class="gap">{gap(e.sincePreviousMs)}</span>
              <span class="sys">{SYSTEMS[e.system] ?? e.system}</span>
              <span class="what">
                {e.url ? (
                  <a href={e.url} target="_blank" rel="noopener noreferrer">
                    {e.title}
                  </a>
                ) : (
                  e.title
                )}
              </span>
              <span class="meta">
                {when(e.at)} · {e.actor}
                {e.correlationId ? (
                  <>
                    {' · '}
                    <a href={href('/audit', { correlationId: e.correlationId })}>
                      <code>{e.correlationId.slice(0, 8)}</code>
                    </a>
                  </>
                ) : null}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
