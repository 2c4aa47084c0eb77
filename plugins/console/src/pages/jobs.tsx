import { useEffect, useState } from 'preact/hooks';
import { Alert } from '../alert';
import { api, describe } from '../api';
import { when } from '../format';

interface Job {
  id: string;
  action: string;
  state: 'queued' | 'running' | 'cancelled' | 'done' | 'failed';
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
  createdBy: string;
  createdByName?: string | null;
  createdAt: string;
  updatedAt?: string;
  finishedAt?: string | null;
}

/** Bulk jobs with their progress, refreshed while any runs; cancel and resume. */
export function JobsPage({ canAct }: { canAct: boolean }) {
  const [jobs, setJobs] = useState<Job[]>();
  const [failure, setFailure] = useState<string>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let alive = true;
    api<{ jobs: Job[] }>('GET', '/v1/exception-jobs')
      .then((r) => alive && setJobs(r.jobs))
      .catch((e) => alive && setFailure(describe(e)));
    return () => {
      alive = false;
    };
  }, [tick]);
  const active = jobs?.some((j) => j.state === 'queued' || j.state === 'running');
  useEffect(() => {
    if (!active) return;
    const t = setTimeout(() => setTick((n) => n + 1), 1000);
    return () => clearTimeout(t);
  }, [active, tick]);
  const act = async (id: string, verb: 'cancel' | 'resume') => {
    try {
      await api('POST', `/v1/exception-jobs/${encodeURIComponent(id)}/${verb}`, {});
      setTick((n) => n + 1);
    } catch (e) {
      setFailure(describe(e));
    }
  };
  return (
    <section aria-labelledby="jobs-h">
      <h1 id="jobs-h">Bulk jobs</h1>
      <Alert text={failure} />
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">Action</th>
            <th scope="col">Progress</th>
            <th scope="col">State</th>
            <th scope="col">Started by</th>
            <th scope="col">Started</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(jobs ?? []).map((j) => (
            <tr key={j.id}>
              <td>{j.action}</td>
              <td>
                <progress max={j.total || 1} value={j.processed} aria-label={`Job ${j.id} progress`} />{' '}
                {j.processed} of {j.total} ({j.succeeded} done, {j.failed} failed)
              </td>
              <td>{j.state}</td>
              <td title={j.createdBy}>{j.createdByName ?? j.createdBy}</td>
              <td>{when(j.createdAt)}</td>
              <td>
                {canAct && (j.state === 'queued' || j.state === 'running') && (
                  <button type="button" onClick={() => act(j.id, 'cancel')}>
                    Cancel
                  </button>
                )}
                {canAct && j.state === 'cancelled' && (
                  <button type="button" onClick={() => act(j.id, 'resume')}>
                    Resume
                  </button>
                )}
              </td>
            </tr>
          ))}
          {jobs && jobs.length === 0 && (
            <tr>
              <td colSpan={6}>No bulk jobs yet. Start one from the exceptions list.</td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
