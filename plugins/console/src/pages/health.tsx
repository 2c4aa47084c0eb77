import { useEffect, useState } from 'preact/hooks';
import type { ConnectionHealth, Health } from '../../../../shared/api/health';
import { ApiFailure, api } from '../api';
import { age, when } from '../format';
import { href } from '../router';

const REFRESH_MS = 30_000;

const ROLE_LABELS: Record<ConnectionHealth['role'], string> = {
  crm: 'CRM',
  psa: 'PSA',
  erp: 'ERP',
  clm: 'Contracts (CLM)',
  teams: 'Teams',
};
const STATE_LABELS: Record<ConnectionHealth['state'], string> = {
  online: 'Online',
  degraded: 'Degraded',
  offline: 'Offline',
  not_configured: 'Not connected',
};

const failureText = (e: unknown) =>
  e instanceof ApiFailure
    ? `${e.message}${e.details.length ? ` ${e.details.map((d) => d.message).join(' ')}` : ''}`
    : (e as Error).message;

const percent = (rate: number) => `${Math.round(rate * 1000) / 10} %`;

/** The firm at a glance: what needs a person first, then each connection, the ERP governor and the backlogs. */
export function HealthPage() {
  const [health, setHealth] = useState<Health>();
  const [failure, setFailure] = useState<string>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let alive = true;
    api<Health>('GET', '/v1/console/health')
      .then((h) => {
        if (!alive) return;
        setHealth(h);
        setFailure(undefined);
      })
      .catch((e) => alive && setFailure(failureText(e)));
    const t = setTimeout(() => setTick((n) => n + 1), REFRESH_MS);
    return () => {
      alive = false;
      clearTimeout(t);
    };
  }, [tick]);

  return (
    <section aria-labelledby="health-h">
      <h1 id="health-h">Health</h1>
      {failure && (
        <p role="alert" class="error">
          {failure}
        </p>
      )}
      {!health && !failure && <p class="loading">Loading…</p>}
      {health && (
        <>
          <p class="hint">
            As of {when(health.generatedAt)}; refreshed every 30 s.{' '}
            <button type="button" class="link" onClick={() => setTick((n) => n + 1)}>
              Refresh now
            </button>
          </p>
          <Attention items={health.attention} />
          <Connections connections={health.connections} />
          <Backlogs health={health} />
        </>
      )}
    </section>
  );
}

function Attention({ items }: { items: Health['attention'] }) {
  if (items.length === 0)
    return (
      <p role="status" class="banner ok">
        Nothing needs you: every connection answers, nothing waits in the dead-letter queue and no exception
        is past its SLA.
      </p>
    );
  return (
    <ul class="banners" aria-label="Needs attention">
      {items.map((a) => (
        <li
          key={`${a.kind}-${a.title}`}
          class={`banner ${a.severity}`}
          role={a.severity === 'critical' ? 'alert' : undefined}
        >
          <strong>{a.title}</strong>
          <p>{a.detail}</p>
          <p>
            <span class="sr-only">What to do: </span>
            {a.action}
            {a.link && a.link !== '/health' && (
              <>
                {' '}
                <a href={`#${a.link}`}>Open</a>
              </>
            )}
          </p>
        </li>
      ))}
    </ul>
  );
}

function Connections({ connections }: { connections: ConnectionHealth[] }) {
  return (
    <>
      <h2>Connections</h2>
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">System</th>
            <th scope="col">State</th>
            <th scope="col">Last success</th>
            <th scope="col">Last failure</th>
            <th scope="col">Errors (last hour)</th>
          </tr>
        </thead>
        <tbody>
          {connections.map((c) => (
            <tr key={c.role}>
              <th scope="row">
                {ROLE_LABELS[c.role]}
                {c.system && <span class="hint"> · {c.system}</span>}
              </th>
              <td>
                <span class={`state ${c.state}`}>{STATE_LABELS[c.state]}</span>
                {c.offlineSince && (
                  <p class="hint">
                    Since {when(c.offlineSince)}. {c.offlineReason}
                    {c.lastCheckedAt && (
                      <>
                        {' '}
                        Last re-test {when(c.lastCheckedAt)}
                        {c.lastCheckError ? `: ${c.lastCheckError}` : ''}.
                      </>
                    )}
                  </p>
                )}
              </td>
              <td>{c.lastSuccessAt ? when(c.lastSuccessAt) : '—'}</td>
              <td>
                {c.lastFailureAt ? (
                  <>
                    {when(c.lastFailureAt)}
                    <p class="hint">{c.lastFailureReason}</p>
                  </>
                ) : (
                  '—'
                )}
              </td>
              <td>
                {c.callsLastHour ? `${percent(c.errorRate)} of ${c.callsLastHour} calls` : 'No calls'}
                {c.consecutiveFailures > 0 && <p class="hint">{c.consecutiveFailures} failed in a row</p>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Backlogs({ health }: { health: Health }) {
  const { queues, erpGovernor: gov, deadLetters, exceptions } = health;
  const d = queues.delivery;
  return (
    <>
      <h2>Work waiting</h2>
      <dl class="figures">
        <dt>Postings queued for the ERP</dt>
        <dd>
          {d.queued}
          {d.waitingForOutage > 0 && ` (${d.waitingForOutage} waiting for the ERP to come back)`}
          {d.oldestQueuedAgeSeconds !== null && `; the oldest for ${age(d.oldestQueuedAgeSeconds)}`}
        </dd>
        <dt>Activations in progress</dt>
        <dd>
          {queues.activations.waiting}
          {queues.activations.retrying > 0 && ` (${queues.activations.retrying} retrying or waiting)`}
        </dd>
        <dt>Amendments in progress</dt>
        <dd>{queues.amendments.waiting}</dd>
        <dt>Dead letters waiting</dt>
        <dd>
          <a href={href('/dead-letters')}>{deadLetters.waiting}</a>
        </dd>
        <dt>Exceptions open</dt>
        <dd>
          <a href={href('/exceptions', { status: 'open' })}>{exceptions.open}</a>
          {exceptions.overdue > 0 && (
            <>
              {', '}
              <a class="overdue" href={href('/exceptions', { overdue: 'true' })}>
                {exceptions.overdue} past their SLA
              </a>
            </>
          )}
        </dd>
        {gov && (
          <>
            <dt>ERP governor ({gov.system})</dt>
            <dd>
              {gov.inFlight} of {gov.limit} calls in flight, {gov.waiting} waiting
              {gov.pausedUntil ? `; paused by the ERP (429) until ${when(gov.pausedUntil)}` : ''}
              {gov.throttled > 0 && <span class="hint"> · {gov.throttled} throttled since it started</span>}
            </dd>
          </>
        )}
      </dl>
    </>
  );
}
