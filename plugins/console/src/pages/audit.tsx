import { useEffect, useState } from 'preact/hooks';
import { Alert } from '../alert';
import { api, describe } from '../api';
import { when } from '../format';
import type { Route } from '../router';

interface Entry {
  correlationId: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  at: string;
}

/** The audit trail of one correlation id: everything one click or one event caused, in order. */
export function AuditPage({ route }: { route: Route }) {
  const linked = route.params.get('correlationId') ?? '';
  const [id, setId] = useState(linked);
  const [entries, setEntries] = useState<Entry[]>();
  const [failure, setFailure] = useState<string>();
  const show = async (correlationId: string) => {
    setFailure(undefined);
    try {
      const r = await api<{ entries: Entry[] }>(
        'GET',
        `/v1/audit?correlationId=${encodeURIComponent(correlationId.trim())}`,
      );
      setEntries(r.entries);
    } catch (err) {
      setFailure(describe(err));
    }
  };
  // A correlation id linked from a timeline or an exception opens at once.
  useEffect(() => {
    if (linked) void show(linked);
  }, [linked]);
  const search = (e: Event) => {
    e.preventDefault();
    void show(id);
  };
  return (
    <section aria-labelledby="audit-h">
      <h1 id="audit-h">Audit trail</h1>
      <form onSubmit={search} class="filters">
        <label>
          Correlation id
          <input value={id} required onInput={(e) => setId(e.currentTarget.value)} />
        </label>
        <button type="submit">Show</button>
      </form>
      <Alert text={failure} />
      {entries && (
        <table class="grid">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">On</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((en) => (
              <tr key={`${en.at}-${en.action}-${en.subjectId}`}>
                <td>{when(en.at)}</td>
                <td>{en.actor}</td>
                <td>{en.action}</td>
                <td>
                  {en.subjectType} {en.subjectId}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
