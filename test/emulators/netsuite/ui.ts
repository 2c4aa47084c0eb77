import type { EmulatorApp } from '../kit/emulator';
import type { NetSuiteState, RecordType, StoredRecord } from './state';
import { invoiceActions, registerInvoiceActions } from './ui-actions';

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
  { path: '/app/accounting/transactions/timebill.nl', type: 'timeBill', title: 'Track Time' },
  { path: '/app/accounting/transactions/exprept.nl', type: 'expenseReport', title: 'Expense Report' },
  { path: '/app/accounting/transactions/custinvc.nl', type: 'invoice', title: 'Invoice' },
  { path: '/app/accounting/transactions/custpymt.nl', type: 'customerPayment', title: 'Customer Payment' },
];

/** List pages show the newest records only: an account can hold tens of thousands of time bills. */
const LIST_LIMIT = 200;
const newest = (records: Record<string, StoredRecord>) => Object.values(records).slice(-LIST_LIMIT).reverse();

function label(rec: StoredRecord): unknown {
  const f = rec.fields;
  if (f.tranId) return f.tranId;
  if (f.hours) return `${String(f.tranDate ?? '')} · ${String(f.hours)} h`;
  return f.companyName ?? f.name ?? rec.id;
}

const esc = (v: unknown) =>
  String(typeof v === 'object' && v !== null ? JSON.stringify(v) : v).replace(
    /[&<>"]/g,
    (ch) => `&#${ch.charCodeAt(0)};`,
  );

function refLabel(state: NetSuiteState, key: string, value: unknown): string {
  const id = (value as { id?: string } | null)?.id;
  if (!id) return esc(value);
  if (key === 'subsidiary') return `${esc(state.subsidiaries[id]?.name ?? id)}`;
  if (key === 'currency' || key === 'expenseReportCurrency')
    return `${esc(state.currencies[id]?.symbol ?? id)}`;
  if (key === 'employee') return `${esc(state.employees[id]?.entityId ?? id)}`;
  if (key === 'item') return `${esc(state.items[id]?.itemId ?? id)}`;
  if (key === 'category') return `${esc(state.expenseCategories[id]?.name ?? id)}`;
  if (key === 'status' || key === 'approvalStatus' || key === 'price') return esc(id);
  if (key === 'doc') return `${esc(state.records.invoice[id]?.fields.tranId ?? id)}`;
  if (key === 'entity' || key === 'customer') {
    const entity = state.records.customer[id] ?? state.records.job[id];
    return entity ? `${esc(entity.fields.companyName ?? id)} (${esc(id)})` : esc(id);
  }
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
  type: RecordType,
): string {
  const body = rec
    ? `<h1>${esc(title)}: ${esc(label(rec))}</h1>
${type === 'invoice' ? invoiceActions(state, rec, base) : ''}
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
            `<tr>${Object.entries(l)
              .map(([k, v]) => `<td>${refLabel(state, k, v)}</td>`)
              .join('')}</tr>`,
        )
        .join('')}</table>`,
  )
  .join('')}`
    : `<h1>${esc(title)} records</h1><ul>${all.map((r) => `<li><a href="${base}${path}?id=${r.id}">${esc(label(r))}</a> (${esc(r.id)})</li>`).join('') || '<li>None yet.</li>'}</ul>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} - NetSuite (emulated)</title><style>
body{font:14px/1.45 Arial,sans-serif;margin:0;color:#222}header{background:#24385b;color:#fff;padding:.6rem 1rem;font-weight:bold}
main{padding:1rem 1.5rem}table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ccd;padding:.25rem .6rem;text-align:left;vertical-align:top}th{background:#eef1f6}.meta{color:#555}
</style></head><body><header>NetSuite (emulated) · <a style="color:#fff" href="${base}/app/center/card.nl">All records</a></header><main>${body}</main></body></html>`;
}

export function registerUiRoutes(app: EmulatorApp<NetSuiteState>) {
  registerInvoiceActions(app);
  for (const p of PAGES) {
    app.get(p.path, (c) => {
      const { state, id: instanceId } = c.get('instance');
      const base = `/i/${instanceId}`;
      const id = c.req.query('id');
      const all = newest(state.records[p.type]);
      const rec = id ? state.records[p.type][id] : undefined;
      if (id && !rec) return c.html(page(state, p.title, undefined, all, base, p.path, p.type), 404);
      return c.html(page(state, p.title, rec, all, base, p.path, p.type));
    });
  }
  app.get('/app/center/card.nl', (c) => {
    const { state, id: instanceId } = c.get('instance');
    const base = `/i/${instanceId}`;
    const sections = PAGES.map(
      (p) =>
        `<h2>${p.title}</h2><ul>${
          newest(state.records[p.type])
            .map(
              (r) =>
                `<li><a href="${base}${p.path}?id=${r.id}">${esc(label(r))}</a> <small>${esc(r.externalId ?? '')}</small></li>`,
            )
            .join('') || '<li>None yet.</li>'
        }</ul>`,
    ).join('');
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>NetSuite (emulated)</title><style>body{font:14px Arial,sans-serif;margin:1rem 1.5rem}</style></head><body><h1>NetSuite (emulated): what Handoff created</h1>${sections}</body></html>`,
    );
  });
}
