import {
  type ColumnDef,
  type RowSelectionState,
  rowSelectionFeature,
  tableFeatures,
  useTable,
} from '@tanstack/preact-table';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { Alert } from '../alert';
import { api, describe } from '../api';
import { age, when } from '../format';
import { href, type Route } from '../router';
import { SlaPolicyPanel } from './sla';

export interface ExceptionRow {
  id: string;
  correlationId: string;
  title?: string;
  system?: string;
  source: string;
  subjectType: string;
  subjectId: string;
  projectKey: string | null;
  code: string;
  reason: string;
  owner: string;
  suggestedFix: string;
  status: 'open' | 'retrying' | 'resolved' | 'skipped';
  assignee?: string | null;
  tags?: string[];
  overdue?: boolean;
  slaDueAt?: string | null;
  ageSeconds: number;
  createdAt: string;
}
interface ListAnswer {
  exceptions: ExceptionRow[];
  nextCursor?: string | null;
  total?: number;
}
type Facets = Partial<Record<'byOwner' | 'byCode' | 'bySystem' | 'byStatus', Record<string, number>>>;

/** The filters an operator narrows the queue by; each is a query parameter of GET /v1/exceptions. */
export const FILTERS = [
  'status',
  'owner',
  'system',
  'code',
  'projectKey',
  'assignee',
  'tag',
  'olderThanHours',
  'overdue',
  'q',
] as const;
type Filter = Partial<Record<(typeof FILTERS)[number], string>>;

const features = tableFeatures({ rowSelectionFeature });

function filterOf(route: Route): Filter {
  const f: Filter = {};
  for (const k of FILTERS) {
    const v = route.params.get(k);
    if (v) f[k] = v;
  }
  if (!route.params.has('status')) f.status = 'open';
  return f;
}

const query = (f: Filter, extra: Record<string, string> = {}) =>
  new URLSearchParams({ ...(f as Record<string, string>), ...extra }).toString();

export function ExceptionsPage({
  route,
  canAct,
  canSetSla = false,
}: {
  route: Route;
  canAct: boolean;
  canSetSla?: boolean;
}) {
  const filter = useMemo(() => filterOf(route), [route]);
  const [pages, setPages] = useState<string[]>(['']);
  const [answer, setAnswer] = useState<ListAnswer>();
  const [facets, setFacets] = useState<Facets>({});
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [open, setOpen] = useState<string | undefined>(route.params.get('id') ?? undefined);
  const [notice, setNotice] = useState<string>();
  const [failure, setFailure] = useState<string>();
  const cursor = pages[pages.length - 1]!;

  const load = useCallback(async () => {
    setFailure(undefined);
    try {
      const [list, f] = await Promise.all([
        api<ListAnswer>(
          'GET',
          `/v1/exceptions?${query(filter, cursor ? { cursor, limit: '50' } : { limit: '50' })}`,
        ),
        api<Facets>('GET', `/v1/exceptions/facets?${query(filter)}`).catch(() => ({}) as Facets),
      ]);
      setAnswer(list);
      setFacets(f);
    } catch (e) {
      setFailure((e as Error).message);
    }
  }, [filter, cursor]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    setPages(['']);
    setSelection({});
  }, [filter]);

  const columns = useMemo<ColumnDef<typeof features, ExceptionRow>[]>(
    () => [
      {
        id: 'select',
        header: ({ table }) => (
          <input
            type="checkbox"
            aria-label="Select all on this page"
            checked={table.getIsAllRowsSelected()}
            onChange={table.getToggleAllRowsSelectedHandler()}
          />
        ),
        cell: ({ row }) => (
          <input
            type="checkbox"
            aria-label={`Select ${row.original.title ?? row.original.id}`}
            checked={row.getIsSelected()}
            onChange={row.getToggleSelectedHandler()}
          />
        ),
      },
      {
        id: 'title',
        header: 'What',
        cell: ({ row }) => (
          <button type="button" class="link" onClick={() => setOpen(row.original.id)}>
            {row.original.title ?? `${row.original.subjectType} ${row.original.subjectId}`}
          </button>
        ),
      },
      { id: 'system', header: 'System', accessorFn: (r) => r.system ?? r.source },
      { accessorKey: 'code', header: 'Rule' },
      { accessorKey: 'owner', header: 'Owner' },
      { id: 'assignee', header: 'Assignee', accessorFn: (r) => r.assignee ?? '' },
      {
        id: 'age',
        header: 'Age',
        cell: ({ row }) => (
          <span class={row.original.overdue ? 'overdue' : undefined}>
            {age(row.original.ageSeconds)}
            {row.original.overdue ? ' · overdue' : ''}
          </span>
        ),
      },
      { accessorKey: 'status', header: 'Status' },
      { id: 'tags', header: 'Tags', accessorFn: (r) => (r.tags ?? []).join(', ') },
    ],
    [],
  );
  const rows = answer?.exceptions ?? [];
  const table = useTable({
    features,
    columns: canAct ? columns : columns.slice(1),
    data: rows,
    getRowId: (r) => r.id,
    state: { rowSelection: selection },
    onRowSelectionChange: setSelection,
    enableRowSelection: canAct,
  });
  const selectedIds = Object.keys(selection).filter((id) => selection[id]);

  const startJob = async (body: Record<string, unknown>) => {
    setFailure(undefined);
    try {
      const { job } = await api<{ job: { id: string; total: number } }>('POST', '/v1/exception-jobs', body);
      setNotice(`Bulk job started on ${job.total} exceptions.`);
      setSelection({});
      location.hash = href('/jobs', { id: job.id });
    } catch (e) {
      setFailure(describe(e));
    }
  };

  return (
    <section aria-labelledby="exceptions-h">
      <h1 id="exceptions-h">Exceptions</h1>
      <FilterBar filter={filter} facets={facets} />
      {notice && <p role="status">{notice}</p>}
      <Alert text={failure} />
      <p class="count">
        {answer ? `${answer.total ?? rows.length} matching` : 'Loading…'}
        {canAct && answer && (answer.total ?? 0) > 0 && (
          <BulkBar
            selected={selectedIds.length}
            total={answer.total ?? rows.length}
            onRun={(action, extra, scope) =>
              startJob({
                action,
                ...extra,
                selection: scope === 'selected' ? { ids: selectedIds } : { filter },
              })
            }
          />
        )}
      </p>
      <table class="grid">
        <thead>
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id}>
              {hg.headers.map((h) => (
                <th key={h.id} scope="col">
                  <table.FlexRender header={h} />
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} class={row.getIsSelected() ? 'selected' : undefined}>
              {row.getAllCells().map((cell) => (
                <td key={cell.id}>
                  <table.FlexRender cell={cell} />
                </td>
              ))}
            </tr>
          ))}
          {answer && rows.length === 0 && (
            <tr>
              <td colSpan={9}>Nothing matches these filters.</td>
            </tr>
          )}
        </tbody>
      </table>
      <div class="pager">
        <button type="button" disabled={pages.length < 2} onClick={() => setPages(pages.slice(0, -1))}>
          Previous
        </button>
        <button
          type="button"
          disabled={!answer?.nextCursor}
          onClick={() => answer?.nextCursor && setPages([...pages, answer.nextCursor])}
        >
          Next
        </button>
      </div>
      <SlaPolicyPanel canEdit={canSetSla} />
      {open && (
        <ExceptionDetail
          id={open}
          canAct={canAct}
          onClose={() => setOpen(undefined)}
          onChanged={() => void load()}
        />
      )}
    </section>
  );
}

function FilterBar({ filter, facets }: { filter: Filter; facets: Facets }) {
  const set = (k: keyof Filter, v: string) =>
    (location.hash = href('/exceptions', { ...(filter as Record<string, string>), [k]: v || undefined }));
  const options = (counts: Record<string, number> | undefined, current?: string) => {
    const keys = Object.keys(counts ?? {});
    if (current && !keys.includes(current)) keys.push(current);
    return keys.map((k) => (
      <option key={k} value={k}>
        {k}
        {counts?.[k] !== undefined ? ` (${counts[k]})` : ''}
      </option>
    ));
  };
  return (
    <form class="filters" aria-label="Filter exceptions" onSubmit={(e) => e.preventDefault()}>
      <label>
        Status
        <select value={filter.status ?? ''} onChange={(e) => set('status', e.currentTarget.value)}>
          {['open', 'retrying', 'resolved', 'skipped'].map((s) => (
            <option key={s} value={s}>
              {s}
              {facets.byStatus?.[s] !== undefined ? ` (${facets.byStatus[s]})` : ''}
            </option>
          ))}
        </select>
      </label>
      <label>
        Owner
        <select value={filter.owner ?? ''} onChange={(e) => set('owner', e.currentTarget.value)}>
          <option value="">All</option>
          {options(facets.byOwner, filter.owner)}
        </select>
      </label>
      <label>
        System
        <select value={filter.system ?? ''} onChange={(e) => set('system', e.currentTarget.value)}>
          <option value="">All</option>
          {options(facets.bySystem, filter.system)}
        </select>
      </label>
      <label>
        Rule
        <select value={filter.code ?? ''} onChange={(e) => set('code', e.currentTarget.value)}>
          <option value="">All</option>
          {options(facets.byCode, filter.code)}
        </select>
      </label>
      <label>
        Project
        <input value={filter.projectKey ?? ''} onChange={(e) => set('projectKey', e.currentTarget.value)} />
      </label>
      <label>
        Older than (hours)
        <input
          type="number"
          min="0"
          value={filter.olderThanHours ?? ''}
          onChange={(e) => set('olderThanHours', e.currentTarget.value)}
        />
      </label>
      <label class="check">
        <input
          type="checkbox"
          checked={filter.overdue === 'true'}
          onChange={(e) => set('overdue', e.currentTarget.checked ? 'true' : '')}
        />
        Overdue only
      </label>
      <label>
        Search
        <input type="search" value={filter.q ?? ''} onChange={(e) => set('q', e.currentTarget.value)} />
      </label>
    </form>
  );
}

type BulkAction = 'retry' | 'skip' | 'assign' | 'tag';

function BulkBar(props: {
  selected: number;
  total: number;
  onRun: (action: BulkAction, extra: Record<string, unknown>, scope: 'selected' | 'filter') => void;
}) {
  const [action, setAction] = useState<BulkAction>('retry');
  const [value, setValue] = useState('');
  const extra = (): Record<string, unknown> | undefined => {
    if (action === 'skip') return value.trim() ? { reason: value.trim() } : undefined;
    if (action === 'assign') return value.trim() ? { assignee: value.trim() } : undefined;
    if (action === 'tag')
      return value.trim()
        ? {
            tags: value
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          }
        : undefined;
    return {};
  };
  const needs = { skip: 'Reason', assign: 'Assign to', tag: 'Tags (comma-separated)', retry: '' }[action];
  const run = (scope: 'selected' | 'filter') => {
    const e = extra();
    if (e) props.onRun(action, e, scope);
  };
  return (
    <fieldset class="bulk">
      <legend class="sr-only">Bulk actions</legend>
      <label>
        Bulk action
        <select value={action} onChange={(e) => setAction(e.currentTarget.value as BulkAction)}>
          <option value="retry">Retry</option>
          <option value="skip">Skip with a reason</option>
          <option value="assign">Assign</option>
          <option value="tag">Tag</option>
        </select>
      </label>
      {needs && (
        <label>
          {needs}
          <input value={value} required onInput={(e) => setValue(e.currentTarget.value)} />
        </label>
      )}
      <button type="button" disabled={props.selected === 0} onClick={() => run('selected')}>
        Apply to {props.selected} selected
      </button>
      <button type="button" onClick={() => run('filter')}>
        Apply to all {props.total} matching
      </button>
    </fieldset>
  );
}

interface Detail extends ExceptionRow {
  detail?: Record<string, unknown> | null;
  record?: Record<string, unknown> | null;
  rule?: { code: string; description?: string } | string | null;
  history?: { action: string; actor: string; at: string; detail?: Record<string, unknown> | null }[];
}

function ExceptionDetail(props: { id: string; canAct: boolean; onClose: () => void; onChanged: () => void }) {
  const [d, setD] = useState<Detail>();
  const [failure, setFailure] = useState<string>();
  const [reason, setReason] = useState('');
  const [assignee, setAssignee] = useState('');
  const load = useCallback(
    () =>
      api<Detail | { exception: Detail }>('GET', `/v1/exceptions/${encodeURIComponent(props.id)}`)
        .then((x) => setD('exception' in x ? x.exception : x))
        .catch((e) => setFailure(describe(e))),
    [props.id],
  );
  useEffect(() => {
    void load();
  }, [load]);
  const act = async (path: string, body: Record<string, unknown>) => {
    setFailure(undefined);
    try {
      await api('POST', `/v1/exceptions/${encodeURIComponent(props.id)}/${path}`, body);
      await load();
      props.onChanged();
    } catch (e) {
      setFailure(describe(e));
    }
  };
  const closed = d && (d.status === 'resolved' || d.status === 'skipped');
  return (
    <aside class="detail" aria-labelledby="detail-h">
      <button type="button" class="close" aria-label="Close the detail" onClick={props.onClose}>
        ×
      </button>
      <h2 id="detail-h">{d ? (d.title ?? `${d.subjectType} ${d.subjectId}`) : 'Loading…'}</h2>
      <Alert text={failure} />
      {d && (
        <>
          <dl>
            <dt>Why</dt>
            <dd>{d.reason}</dd>
            <dt>How to fix</dt>
            <dd>{d.suggestedFix}</dd>
            <dt>Rule</dt>
            <dd>
              {typeof d.rule === 'object' && d.rule
                ? (d.rule.description ?? d.rule.code)
                : (d.rule ?? d.code)}
            </dd>
            <dt>Owner</dt>
            <dd>
              {d.owner}
              {d.assignee ? ` · assigned to ${d.assignee}` : ''}
            </dd>
            <dt>Status</dt>
            <dd>
              {d.status}, opened {when(d.createdAt)}
              {d.slaDueAt ? `, due ${when(d.slaDueAt)}` : ''}
            </dd>
            <dt>Project</dt>
            <dd>{d.projectKey ?? '—'}</dd>
            <dt>Correlation id</dt>
            <dd>
              <code>{d.correlationId}</code>
            </dd>
          </dl>
          {(d.record ?? d.detail) && (
            <details>
              <summary>The record</summary>
              <pre>{JSON.stringify(d.record ?? d.detail, null, 2)}</pre>
            </details>
          )}
          {props.canAct && !closed && (
            <fieldset class="actions">
              <legend class="sr-only">Act on this exception</legend>
              <button type="button" class="primary" onClick={() => act('retry', {})}>
                Retry
              </button>
              <label>
                Skip reason
                <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
              </label>
              <button
                type="button"
                disabled={!reason.trim()}
                onClick={() => act('skip', { reason: reason.trim() })}
              >
                Skip
              </button>
              <label>
                Assign to
                <input value={assignee} onInput={(e) => setAssignee(e.currentTarget.value)} />
              </label>
              <button
                type="button"
                disabled={!assignee.trim()}
                onClick={() => act('assign', { assignee: assignee.trim() })}
              >
                Assign
              </button>
            </fieldset>
          )}
          {d.history && d.history.length > 0 && (
            <>
              <h3>History</h3>
              <ol class="history">
                {d.history.map((h) => (
                  <li key={`${h.at}-${h.action}`}>
                    {when(h.at)}: {h.action} by {h.actor}
                  </li>
                ))}
              </ol>
            </>
          )}
        </>
      )}
    </aside>
  );
}

/** A refusal as an operator reads it: the message, then each field's fix. */
