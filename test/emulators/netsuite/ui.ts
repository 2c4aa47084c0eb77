import type { EmulatorApp } from '../kit/emulator';
import type { NetSuiteState, RecordType, StoredRecord } from './state';

/**
 * Read-only stand-ins for NetSuite's record pages, at the paths the real UI uses, so a link Handoff
 * shows (".../app/accounting/project/project.nl?id=123") opens something a person can read.
 */
const PAGES: { path: string; type: RecordType; title: string }[] = [
  { path: '/app/common/entity/custjob.nl', type: 'customer', title: 'Customer' },
  { path: '/app/accounting/project/project.nl', type: 'job', title: 'Project' },
  {
    path: '/app/accounting/otherlists/billingschedule.nl',
    type: 'billingSchedule',
    title: 'Billing Schedule',
  },
];

const esc = (v: unknown) =>
  String(typeof v === 'object' && v !== null ? JSON.stringify(v) : v).replace(
    /[&<>"]/g,
    (ch) => `&#${ch.charCodeAt(0)};`,
  );

function refLabel(state: NetSuiteState, key: string, value: unknown): string {
  const id = (value as { id?: string } | null)?.id;
  if (!id) return esc(value);
  if (key === 'subsidiary') return `${esc(state.subsidiaries[id]?.name ?? id)}`;
  if (key === 'currency') return `${esc(state.currencies[id]?.symbol ?? id)}`;
  const target =
    key === 'parent'
      ? 'customer'
      : key === 'project'
        ? 'job'
        : key === 'billingSchedule'
          ? 'billingSchedule'
          : undefined;
  const rec = target ? state.records[target as RecordType][id] : undefined;
  return rec ? `${esc(rec.fields.companyName ?? rec.fields.name ?? id)} (${esc(id)})` : esc(id);
}

function page(
  state: NetSuiteState,
  title: string,
  rec: StoredRecord | undefined,
  all: StoredRecord[],
  base: string,
  path: string,
): string {
  const body = rec
    ? `<h1>${esc(title)}: ${esc(rec.fields.companyName ?? rec.fields.name ?? rec.id)}</h1>
<p class="meta">Internal ID ${esc(rec.id)} · External ID ${esc(rec.externalId ?? '-')} · created ${esc(rec.dateCreated)}</p>
<table>${Object.entries(rec.fields)
        .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${refLabel(state, k, v)}</td></tr>`)
        .join('')}</table>
${Object.entries(rec.sublists)
  .map(
    ([name, lines]) =>
      `<h2>${esc(name)}</h2><table>${lines
        .map(
          (l) =>
            `<tr>${Object.values(l)
              .map((v) => `<td>${esc(v)}</td>`)
              .join('')}</tr>`,
        )
        .join('')}</table>`,
  )
  .join('')}`
    : `<h1>${esc(title)} records</h1><ul>${all.map((r) => `<li><a href="${base}${path}?id=${r.id}">${esc(r.fields.companyName ?? r.fields.name ?? r.id)}</a> (${esc(r.id)})</li>`).join('') || '<li>None yet.</li>'}</ul>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} - NetSuite (emulated)</title><style>
body{font:14px/1.45 Arial,sans-serif;margin:0;color:#222}header{background:#24385b;color:#fff;padding:.6rem 1rem;font-weight:bold}
main{padding:1rem 1.5rem}table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ccd;padding:.25rem .6rem;text-align:left;vertical-align:top}th{background:#eef1f6}.meta{color:#555}
</style></head><body><header>NetSuite (emulated) · <a style="color:#fff" href="${base}/app/center/card.nl">All records</a></header><main>${body}</main></body></html>`;
}

export function registerUiRoutes(app: EmulatorApp<NetSuiteState>) {
  for (const p of PAGES) {
    app.get(p.path, (c) => {
      const { state, id: instanceId } = c.get('instance');
      const base = `/i/${instanceId}`;
      const id = c.req.query('id');
      const all = Object.values(state.records[p.type]);
      const rec = id ? state.records[p.type][id] : undefined;
      if (id && !rec) return c.html(page(state, p.title, undefined, all, base, p.path), 404);
      return c.html(page(state, p.title, rec, all, base, p.path));
    });
  }
  app.get('/app/center/card.nl', (c) => {
    const { state, id: instanceId } = c.get('instance');
    const base = `/i/${instanceId}`;
    const sections = PAGES.map(
      (p) =>
        `<h2>${p.title}</h2><ul>${
          Object.values(state.records[p.type])
            .map(
              (r) =>
                `<li><a href="${base}${p.path}?id=${r.id}">${esc(r.fields.companyName ?? r.fields.name ?? r.id)}</a> <small>${esc(r.externalId ?? '')}</small></li>`,
            )
            .join('') || '<li>None yet.</li>'
        }</ul>`,
    ).join('');
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>NetSuite (emulated)</title><style>body{font:14px Arial,sans-serif;margin:1rem 1.5rem}</style></head><body><h1>NetSuite (emulated): what Handoff created</h1>${sections}</body></html>`,
    );
  });
}
