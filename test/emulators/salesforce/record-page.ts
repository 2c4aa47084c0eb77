import type { Context } from 'hono';
import type { EmulatorApp, EmulatorEnv } from '../kit/emulator';
import { to18 } from './ids';
import { OBJECTS, type ObjectDef, objectByPrefix } from './schema';
import type { SalesforceState, SfRecord } from './state';

/**
 * A read-only stand-in for the Lightning record page (`/lightning/r/{Object}/{id}/view`, and the
 * short `/lightning/r/{id}/view` form Salesforce redirects from), so links from Handoff's UI and the
 * sandbox open something a person can read: the record's fields, its parent links and child records.
 */

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function pageBase(c: Context<EmulatorEnv<SalesforceState>>): string {
  const path = c.req.path;
  return path.slice(0, path.indexOf('/lightning/'));
}

function link(base: string, state: SalesforceState, id: string): string {
  const obj = objectByPrefix(id);
  const rec = obj ? state.records[obj.name]?.[id] : undefined;
  const label = rec?.Name ?? rec?.ContractNumber ?? id;
  return obj
    ? `<a href="${esc(`${base}/lightning/r/${obj.name}/${id}/view`)}">${esc(String(label))}</a>`
    : esc(id);
}

function render(base: string, state: SalesforceState, obj: ObjectDef, rec: SfRecord): string {
  const title = String(rec.Name ?? rec.ContractNumber ?? rec.Id);
  const rows = obj.fields
    .map((f) => {
      const v = rec[f.name];
      const shown =
        v === null || v === undefined
          ? ''
          : f.type === 'reference'
            ? link(base, state, String(v))
            : esc(String(v)).replace(/\n/g, '<br>');
      return `<tr><th>${esc(f.label)}</th><td>${shown}</td><td class="api">${esc(f.name)}</td></tr>`;
    })
    .join('');
  const children = OBJECTS.flatMap((child) =>
    child.fields
      .filter(
        (f) => f.type === 'reference' && f.referenceTo === obj.name && !f.readOnly && f.name !== 'OwnerId',
      )
      .map((f) => {
        const items = Object.values(state.records[child.name] ?? {}).filter((r) => r[f.name] === rec.Id);
        if (items.length === 0) return '';
        const lis = items.map((r) => `<li>${link(base, state, String(r.Id))}</li>`).join('');
        return `<section><h2>${esc(child.labelPlural)} (${items.length})</h2><ul>${lis}</ul></section>`;
      }),
  ).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} | ${esc(obj.label)} | Salesforce (emulated)</title>
<style>body{font-family:system-ui,sans-serif;margin:0;background:#f3f3f3;color:#181818}header{background:#fff;border-bottom:1px solid #ddd;padding:16px 24px}
header small{color:#706e6b;text-transform:uppercase;font-size:12px}h1{margin:4px 0 0;font-size:20px}main{padding:16px 24px;display:grid;gap:16px}
table,section{background:#fff;border:1px solid #ddd;border-radius:4px;border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 12px;border-bottom:1px solid #eee;vertical-align:top}
th{width:260px;color:#444;font-weight:500}td.api{color:#999;font-size:12px;width:260px}section{padding:0 12px}h2{font-size:15px}</style></head>
<body><header><small>${esc(obj.label)}</small><h1>${esc(title)}</h1></header><main><table>${rows}</table>${children}</main></body></html>`;
}

export function registerRecordPages(app: EmulatorApp<SalesforceState>): void {
  const view = (c: Context<EmulatorEnv<SalesforceState>>, objectName: string | undefined, rawId: string) => {
    const { state } = c.get('instance');
    const id = to18(rawId);
    const obj = id ? objectByPrefix(id) : undefined;
    const rec =
      id && obj && (!objectName || obj.name.toLowerCase() === objectName.toLowerCase())
        ? state.records[obj.name]?.[id]
        : undefined;
    if (!obj || !rec) {
      return c.html(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Record not found</title></head><body><h1>This record isn't available</h1><p>${esc(rawId)} does not exist or was deleted.</p></body></html>`,
        404,
      );
    }
    return c.html(render(pageBase(c), state, obj, rec));
  };
  app.get('/lightning/r/:object/:id/view', (c) => view(c, c.req.param('object'), c.req.param('id')));
  app.get('/lightning/r/:id/view', (c) => view(c, undefined, c.req.param('id')));
}
