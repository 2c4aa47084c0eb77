import { useEffect, useState } from 'preact/hooks';
import type { SlaPolicy } from '../../../../shared/api/exceptions';
import { Alert } from '../alert';
import { api, describe } from '../api';

const OWNER_LABELS: Record<string, string> = {
  'finance-ops': 'Finance ops',
  'delivery-ops': 'Delivery ops',
  'sales-ops': 'Sales ops',
  'integration-admin': 'Integration admin',
};

/**
 * The firm's SLA per owner queue (hours an exception may stay open before it is overdue), under the
 * workbench. Everyone sees it; an admin changes it, and due times, overdue and Health follow at once.
 */
export function SlaPolicyPanel({ canEdit }: { canEdit: boolean }) {
  const [policy, setPolicy] = useState<SlaPolicy>();
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string>();
  const [saved, setSaved] = useState<string>();

  const show = (p: SlaPolicy) => {
    setPolicy(p);
    setDraft({
      ...Object.fromEntries(Object.entries(p.owners).map(([o, h]) => [o, String(h)])),
      '*': String(p.defaultHours),
    });
  };
  useEffect(() => {
    api<SlaPolicy>('GET', '/v1/console/sla').then(show, (e) => setFailure(describe(e)));
  }, []);

  const save = async (e: Event) => {
    e.preventDefault();
    setFailure(undefined);
    setSaved(undefined);
    const { '*': defaultHours, ...owners } = draft;
    try {
      show(
        await api<SlaPolicy>('PUT', '/v1/console/sla', {
          owners: Object.fromEntries(Object.entries(owners).map(([o, h]) => [o, Number(h)])),
          defaultHours: Number(defaultHours),
        }),
      );
      setSaved('Saved. Due times, overdue and Health follow the new hours at once.');
    } catch (err) {
      setFailure(describe(err));
    }
  };

  const rows = policy ? [...Object.keys(policy.owners), '*'] : [];
  return (
    <details class="sla">
      <summary>SLA per owner queue</summary>
      <Alert text={failure} />
      {policy && (
        <form onSubmit={save} aria-label="SLA per owner queue">
          <table>
            <thead>
              <tr>
                <th scope="col">Owner queue</th>
                <th scope="col">Overdue after (hours)</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((o) => {
                const label = o === '*' ? 'Any other owner' : (OWNER_LABELS[o] ?? o);
                return (
                  <tr key={o}>
                    <th scope="row">{label}</th>
                    <td>
                      {canEdit ? (
                        <input
                          type="number"
                          min="1"
                          max={24 * 90}
                          required
                          aria-label={`${label}: hours`}
                          value={draft[o] ?? ''}
                          onInput={(e) => setDraft({ ...draft, [o]: e.currentTarget.value })}
                        />
                      ) : (
                        draft[o]
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {canEdit && (
            <button type="submit" class="primary">
              Save the SLA
            </button>
          )}
          {saved && <p role="status">{saved}</p>}
        </form>
      )}
    </details>
  );
}
