import { useEffect, useState } from 'preact/hooks';
import type {
  DeadLetterDetail,
  DeadLetterPage,
  DeadLetterView,
  ReplayOutcome,
  ReplayResult,
} from '../../../../shared/api/dead-letters';
import { ApiFailure, api } from '../api';
import { when } from '../format';
import { href, type Route } from '../router';

const QUEUES = ['handoff-posting'] as const;
const STATES = ['waiting', 'replayed', 'discarded'] as const;
const PAGE = 50;

const OUTCOME_LABELS: Record<ReplayOutcome, string> = {
  sent: 'sent to its queue again',
  'already-posted': 'already posted, nothing sent',
  'entry-held': 'entry held by a person, nothing sent',
  'entry-skipped': 'entry skipped, nothing sent',
  'not-replayable': 'message unreadable: discard it',
  'not-waiting': 'replayed or discarded before',
};

const failureText = (e: unknown) =>
  e instanceof ApiFailure
    ? [e.message, ...e.details.map((d) => `${d.field}: ${d.message}${d.fix ? `. ${d.fix}` : ''}`)].join(' ')
    : (e as Error).message;

/** "3 sent to its queue again, 1 already posted, nothing sent". */
function summary(r: ReplayResult): string {
  if (r.results.length === 0) return 'Nothing to replay: no letter waits in this queue.';
  const counts = new Map<ReplayOutcome, number>();
  for (const x of r.results) counts.set(x.outcome, (counts.get(x.outcome) ?? 0) + 1);
  const parts = [...counts].map(([o, n]) => `${n} ${OUTCOME_LABELS[o]}`);
  return `Replayed: ${parts.join('; ')}.${r.remaining ? ` ${r.remaining} still waiting: replay all again.` : ''}`;
}

/** What sits in each dead-letter queue and why; replay one, a selection or all after the fix, or discard one. */
export function DeadLettersPage({ route, canReplay }: { route: Route; canReplay: boolean }) {
  const queue = route.params.get('queue') ?? QUEUES[0];
  const state = route.params.get('state') ?? 'waiting';
  const open = route.params.get('id') ?? undefined;
  // The cursors of the pages before this one, for this filter only (another filter starts on its first page).
  const filterKey = `${queue}|${state}`;
  const [pages, setPages] = useState<{ key: string; cursors: string[] }>({ key: filterKey, cursors: [] });
  const cursors = pages.key === filterKey ? pages.cursors : [];
  const setCursors = (next: string[]) => setPages({ key: filterKey, cursors: next });
  const [page, setPage] = useState<DeadLetterPage>();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [failure, setFailure] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const cursor = cursors[cursors.length - 1];

  // Another filter shows other letters: nothing stays selected.
  useEffect(() => setSelected(new Set()), [filterKey]);

  useEffect(() => {
    let alive = true;
    const q = new URLSearchParams({ queue, limit: String(PAGE) });
    if (state !== 'all') q.set('state', state);
    if (cursor) q.set('cursor', cursor);
    api<DeadLetterPage>('GET', `/v1/dead-letters?${q}`)
      .then((p) => alive && setPage(p))
      .catch((e) => alive && setFailure(failureText(e)));
    return () => {
      alive = false;
    };
  }, [queue, state, cursor, tick]);

  const go = (params: Record<string, string | undefined>) => {
    location.hash = href('/dead-letters', { queue, state, ...params });
  };
  const replay = async (body: { ids: string[] } | { all: true; queue: string }) => {
    setBusy(true);
    setFailure(undefined);
    try {
      const r = await api<ReplayResult>('POST', '/v1/dead-letters/replay', body);
      setNotice(summary(r));
      setSelected(new Set());
      setTick((n) => n + 1);
    } catch (e) {
      setFailure(failureText(e));
    } finally {
      setBusy(false);
    }
  };
  const letters = page?.deadLetters ?? [];
  const waiting = letters.filter((l) => l.state === 'waiting');
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };

  return (
    <section aria-labelledby="dl-h">
      <h1 id="dl-h">Dead letters</h1>
      <p class="hint">
        Messages that exhausted their retries. Fix the cause named on each, then replay: each entry is posted
        once, however often it is replayed or retried from its exception.
      </p>
      {notice && <p role="status">{notice}</p>}
      {failure && (
        <p role="alert" class="error">
          {failure}
        </p>
      )}
      <form class="filters" aria-label="Filter dead letters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Queue
          <select value={queue} onChange={(e) => go({ queue: (e.target as HTMLSelectElement).value })}>
            {QUEUES.map((q) => (
              <option key={q} value={q}>
                {q}
              </option>
            ))}
          </select>
        </label>
        <label>
          State
          <select value={state} onChange={(e) => go({ state: (e.target as HTMLSelectElement).value })}>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
            <option value="all">all</option>
          </select>
        </label>
        {canReplay && (
          <span class="bulk">
            <button
              type="button"
              class="primary"
              disabled={busy || selected.size === 0}
              onClick={() => replay({ ids: [...selected] })}
            >
              Replay {selected.size || ''} selected
            </button>
            <button
              type="button"
              disabled={busy || (state === 'waiting' && page?.total === 0)}
              onClick={() => {
                if (confirm(`Replay every waiting letter of ${queue}?`)) replay({ all: true, queue });
              }}
            >
              Replay all waiting
            </button>
          </span>
        )}
      </form>
      <p class="count" aria-live="polite">
        {page ? `${page.total} letter(s)` : 'Loading…'}
      </p>
      <table class="grid">
        <thead>
          <tr>
            {canReplay && (
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select every waiting letter on this page"
                  checked={waiting.length > 0 && waiting.every((l) => selected.has(l.id))}
                  onChange={(e) =>
                    setSelected(
                      (e.target as HTMLInputElement).checked ? new Set(waiting.map((l) => l.id)) : new Set(),
                    )
                  }
                />
              </th>
            )}
            <th scope="col">Entry</th>
            <th scope="col">Why</th>
            <th scope="col">Attempts</th>
            <th scope="col">First / last seen</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {letters.map((l) => (
            <tr key={l.id} class={selected.has(l.id) ? 'selected' : undefined}>
              {canReplay && (
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select ${l.itemId ?? l.id}`}
                    disabled={l.state !== 'waiting'}
                    checked={selected.has(l.id)}
                    onChange={() => toggle(l.id)}
                  />
                </td>
              )}
              <td>
                <a href={href('/dead-letters', { queue, state, id: l.id })}>
                  {l.itemId ?? 'unreadable message'}
                </a>
                <p class="hint">{l.correlationId}</p>
              </td>
              <td>{l.reason}</td>
              <td>
                {l.attempts}
                {l.times > 1 && <p class="hint">dead-lettered {l.times} times</p>}
              </td>
              <td>
                {when(l.firstSeenAt)}
                {l.lastSeenAt !== l.firstSeenAt && <p class="hint">{when(l.lastSeenAt)}</p>}
              </td>
              <td>
                {l.state}
                {l.outcome && <p class="hint">{OUTCOME_LABELS[l.outcome as ReplayOutcome] ?? l.outcome}</p>}
              </td>
            </tr>
          ))}
          {page && letters.length === 0 && (
            <tr>
              <td colSpan={canReplay ? 6 : 5}>No dead letters here.</td>
            </tr>
          )}
        </tbody>
      </table>
      <nav class="pager" aria-label="Pages">
        <button
          type="button"
          disabled={cursors.length === 0}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Previous page
        </button>
        <button
          type="button"
          disabled={!page?.nextCursor}
          onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}
        >
          Next page
        </button>
      </nav>
      {open && (
        <LetterDetail
          id={open}
          canReplay={canReplay}
          onClose={() => go({ id: undefined })}
          onChanged={(message) => {
            setNotice(message);
            setTick((n) => n + 1);
          }}
          onReplay={(id) => replay({ ids: [id] })}
        />
      )}
    </section>
  );
}

function LetterDetail(props: {
  id: string;
  canReplay: boolean;
  onClose: () => void;
  onChanged: (message: string) => void;
  onReplay: (id: string) => Promise<void>;
}) {
  const [letter, setLetter] = useState<DeadLetterDetail>();
  const [failure, setFailure] = useState<string>();
  const [reason, setReason] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let alive = true;
    api<DeadLetterDetail>('GET', `/v1/dead-letters/${encodeURIComponent(props.id)}`)
      .then((l) => alive && setLetter(l))
      .catch((e) => alive && setFailure(failureText(e)));
    return () => {
      alive = false;
    };
  }, [props.id, tick]);
  const discard = async (e: Event) => {
    e.preventDefault();
    try {
      await api('POST', `/v1/dead-letters/${encodeURIComponent(props.id)}/discard`, { reason });
      props.onChanged('Discarded. The entry and its exception are left as they are.');
      setTick((n) => n + 1);
    } catch (err) {
      setFailure(failureText(err));
    }
  };
  return (
    <aside class="detail" aria-labelledby="dl-detail-h">
      <button type="button" class="close" aria-label="Close the detail" onClick={props.onClose}>
        ×
      </button>
      <h2 id="dl-detail-h">Dead letter</h2>
      {failure && (
        <p role="alert" class="error">
          {failure}
        </p>
      )}
      {letter && <LetterFacts letter={letter} />}
      {letter && props.canReplay && letter.state === 'waiting' && (
        <div class="actions">
          <button
            type="button"
            class="primary"
            onClick={async () => {
              await props.onReplay(letter.id);
              setTick((n) => n + 1);
            }}
          >
            Replay
          </button>
          <form onSubmit={discard} class="actions">
            <label>
              Reason to discard
              <input
                value={reason}
                required
                minLength={5}
                maxLength={1000}
                onInput={(e) => setReason((e.target as HTMLInputElement).value)}
              />
            </label>
            <button type="submit">Discard</button>
          </form>
        </div>
      )}
    </aside>
  );
}

function LetterFacts({ letter }: { letter: DeadLetterDetail | DeadLetterView }) {
  const detail = letter as DeadLetterDetail;
  return (
    <>
      <dl>
        <dt>Queue</dt>
        <dd>{letter.queue}</dd>
        <dt>State</dt>
        <dd>
          {letter.state}
          {letter.outcome ? ` (${OUTCOME_LABELS[letter.outcome as ReplayOutcome] ?? letter.outcome})` : ''}
          {letter.handledBy ? ` by ${letter.handledBy}, ${when(letter.handledAt)}` : ''}
        </dd>
        {letter.note && (
          <>
            <dt>Note</dt>
            <dd>{letter.note}</dd>
          </>
        )}
        <dt>Why</dt>
        <dd>{letter.reason}</dd>
        <dt>Attempts</dt>
        <dd>{letter.attempts}</dd>
        <dt>Entry</dt>
        <dd>
          {detail.item
            ? `${detail.item.id}: ${detail.item.state}${detail.item.erpId ? ` (ERP ${detail.item.erpId})` : ''}`
            : (letter.itemId ?? 'none')}
        </dd>
        {letter.exceptionId && (
          <>
            <dt>Exception</dt>
            <dd>
              <a href={href('/exceptions', { id: letter.exceptionId })}>{letter.exceptionId}</a>
            </dd>
          </>
        )}
        <dt>Correlation</dt>
        <dd>{letter.correlationId}</dd>
      </dl>
      {detail.message !== undefined && (
        <details>
          <summary>Original message</summary>
          <pre>{JSON.stringify(detail.message, null, 2)}</pre>
        </details>
      )}
    </>
  );
}
