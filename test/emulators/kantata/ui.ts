import type { EmulatorApp } from '../kit/emulator';
import { escapeHtml as h, idParam } from './envelope';
import { formatAmount } from './money';
import type { KantataState, KantataStory, KantataWorkspace } from './state';

/**
 * A small read-only stand-in for Kantata's project page (`https://app.mavenlink.com/workspaces/{id}`), so a
 * newcomer can see what Handoff created: budget, milestones, WBS, rate card, team and external references.
 * Served at `/i/{instance}/ui/workspaces/{id}`; no API token needed (it is the browser UI, not the API).
 */

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2733;background:#f4f6f8}
header{background:#1b2a3a;color:#fff;padding:12px 24px}header a{color:#9fd0ff}main{padding:16px 24px;max-width:1100px}
section{background:#fff;border:1px solid #dde3e9;border-radius:6px;padding:12px 16px;margin:12px 0}
h1{font-size:20px;margin:4px 0}h2{font-size:15px;margin:0 0 8px;color:#44546a}table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #eef1f4}.muted{color:#6b7a8c}.tag{font-size:11px;
background:#e8eef5;border-radius:3px;padding:1px 5px;margin-right:4px}ul.wbs{margin:0;padding-left:18px}`;

function page(title: string, body: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${h(title)} · Kantata (emulated)</title>
<style>${STYLE}</style></head><body><header><strong>Kantata</strong> <span class="muted">emulated</span> ·
<a href="../workspaces">Projects</a></header><main>${body}</main></body></html>`;
}

function wbsTree(stories: KantataStory[], parentId: string | null): string {
  const children = stories.filter((s) => s.parent_id === parentId).sort((a, b) => a.position - b.position);
  if (children.length === 0) return '';
  return `<ul class="wbs">${children
    .map(
      (s) =>
        `<li><span class="tag">${h(s.story_type)}</span>${h(s.title)}${s.due_date ? ` <span class="muted">due ${h(s.due_date)}</span>` : ''}${wbsTree(stories, s.id)}</li>`,
    )
    .join('')}</ul>`;
}

function rateCardSection(s: KantataState, w: KantataWorkspace): string {
  const card = w.rate_card_id ? s.rateCards[w.rate_card_id] : undefined;
  if (!card) return '<p class="muted">No rate card attached.</p>';
  const set = s.rateCardSets[card.rate_card_set_id];
  const versions = Object.values(s.rateCardVersions)
    .filter((v) => v.rate_card_id === card.id)
    .map((v) => ({ v, setVersion: s.rateCardSetVersions[v.rate_card_set_version_id] }))
    .sort((a, b) => (b.setVersion?.effective_date ?? '').localeCompare(a.setVersion?.effective_date ?? ''));
  const rows = versions
    .flatMap(({ v, setVersion }) =>
      Object.values(s.rateCardRoles)
        .filter((r) => r.rate_card_version_id === v.id)
        .map(
          (r) =>
            `<tr><td>${h(s.roles[r.role_id]?.name ?? r.role_id)}</td><td>${h(formatAmount(r.rate, card.currency))} / hour</td><td class="muted">from ${h(setVersion?.effective_date ?? '?')}${setVersion?.active ? '' : ' (unpublished)'}</td></tr>`,
        ),
    )
    .join('');
  return `<p>${h(set?.title ?? 'Rate card')} <span class="tag">${h(card.currency)}</span></p>${rows ? `<table><tr><th>Role</th><th>Bill rate</th><th>Effective</th></tr>${rows}</table>` : '<p class="muted">No role rates.</p>'}`;
}

const approval = (approved: boolean, submissionId: string | null) =>
  approved ? 'approved' : submissionId ? 'submitted' : 'draft';

function deliverySections(s: KantataState, w: KantataWorkspace, stories: KantataStory[]): string {
  const entries = (s.timeEntriesByWorkspace?.[w.id] ?? []).map((id) => s.timeEntries[id]!).filter(Boolean);
  const expenses = (s.expensesByWorkspace?.[w.id] ?? []).map((id) => s.expenses[id]!).filter(Boolean);
  const name = (userId: string) => s.users[userId]?.full_name ?? userId;
  const minutes = (list: typeof entries) => list.reduce((m, t) => m + t.time_in_minutes, 0);
  const hours = (m: number) => `${(m / 60).toFixed(2)} h`;
  const approvedTime = entries.filter((t) => t.approved);
  const recent = [...entries]
    .sort((a, b) => b.date_performed.localeCompare(a.date_performed) || Number(b.id) - Number(a.id))
    .slice(0, 25);
  const timeTable = entries.length
    ? `<p>${entries.length} entries · ${hours(minutes(entries))} logged · ${hours(minutes(approvedTime))} approved</p><table><tr><th>Date</th><th>Person</th><th>Hours</th><th>Rate</th><th>Billable</th><th>Status</th><th>Notes</th></tr>${recent
        .map(
          (t) =>
            `<tr><td>${h(t.date_performed)}</td><td>${h(name(t.user_id))}</td><td>${h(hours(t.time_in_minutes))}</td><td>${h(formatAmount(t.rate_in_cents, t.currency))}</td><td>${t.billable ? 'yes' : 'no'}</td><td><span class="tag">${approval(t.approved, t.active_submission_id)}</span></td><td>${h(t.notes)}</td></tr>`,
        )
        .join(
          '',
        )}</table>${entries.length > recent.length ? `<p class="muted">Latest ${recent.length} shown.</p>` : ''}`
    : '<p class="muted">No time logged.</p>';
  const expenseTable = expenses.length
    ? `<table><tr><th>Date</th><th>Person</th><th>Category</th><th>Amount</th><th>Billable</th><th>Status</th><th>Notes</th></tr>${[
        ...expenses,
      ]
        .sort((a, b) => b.date.localeCompare(a.date))
        .slice(0, 25)
        .map(
          (e) =>
            `<tr><td>${h(e.date)}</td><td>${h(name(e.user_id))}</td><td>${h(e.category)}</td><td>${h(formatAmount(e.amount_in_cents, e.currency))}</td><td>${e.is_billable ? 'yes' : 'no'}</td><td><span class="tag">${approval(e.approved, e.active_submission_id)}</span></td><td>${h(e.notes)}</td></tr>`,
        )
        .join('')}</table>`
    : '<p class="muted">No expenses.</p>';
  const milestones = stories.filter((x) => x.story_type === 'milestone');
  const milestoneTable = milestones.length
    ? `<table><tr><th>Milestone</th><th>State</th><th>Deliverables done</th></tr>${milestones
        .map((m) => {
          const children = stories.filter((x) => x.parent_id === m.id);
          const done = children.filter((x) => x.state === 'completed').length;
          return `<tr><td>${h(m.title)}</td><td><span class="tag">${h(m.state)}</span></td><td>${children.length ? `${done} / ${children.length}` : '—'}</td></tr>`;
        })
        .join('')}</table>`
    : '<p class="muted">No milestones.</p>';
  return `<section><h2>Milestone delivery</h2>${milestoneTable}</section>
<section><h2>Time</h2>${timeTable}</section>
<section><h2>Expenses</h2>${expenseTable}</section>`;
}

function workspacePage(s: KantataState, w: KantataWorkspace): string {
  const stories = Object.values(s.stories).filter(
    (x) => x.workspace_id === w.id && !x.deleted_at && !x.archived,
  );
  const milestones = stories
    .filter((x) => x.story_type === 'milestone')
    .sort((a, b) => (a.due_date ?? '').localeCompare(b.due_date ?? ''));
  const wbs = stories.filter((x) => x.story_type !== 'milestone');
  const template = w.project_tracker_template_id
    ? s.projectTemplates[w.project_tracker_template_id]
    : undefined;
  const team = Object.values(s.workspaceResources).filter((r) => r.workspace_id === w.id);
  const refs = Object.values(s.externalReferences).filter(
    (r) => r.subject_type === 'Workspace' && r.subject_id === w.id,
  );
  const body = `<h1>${h(w.title)}</h1>
<p class="muted">Project ${h(w.id)}${template ? ` · from template “${h(template.title)}”` : ''} · ${h(w.start_date ?? '?')} → ${h(w.due_date ?? '?')}</p>
${w.description ? `<p>${h(w.description).replace(/\n/g, '<br>')}</p>` : ''}
<section><h2>Budget</h2><p>${w.budgeted ? h(formatAmount(w.price_in_cents, w.currency)) : 'Not budgeted'} <span class="tag">${h(w.currency)}</span></p></section>
<section><h2>Milestones</h2>${
    milestones.length
      ? `<table><tr><th>Milestone</th><th>Due</th><th>Amount</th></tr>${milestones
          .map(
            (m) =>
              `<tr><td>${h(m.title)}</td><td>${h(m.due_date ?? '—')}</td><td>${h(formatAmount(m.budget_estimate_in_cents, w.currency))}</td></tr>`,
          )
          .join('')}</table>`
      : '<p class="muted">No milestones.</p>'
  }</section>
${deliverySections(s, w, stories)}
<section><h2>Work breakdown</h2>${wbsTree(wbs, null) || '<p class="muted">No tasks.</p>'}</section>
<section><h2>Rate card</h2>${rateCardSection(s, w)}</section>
<section><h2>Team</h2>${
    team.length
      ? `<table><tr><th>Role</th><th>Person</th></tr>${team
          .map(
            (r) =>
              `<tr><td>${h(r.role_id ? (s.roles[r.role_id]?.name ?? r.role_id) : '—')}</td><td>${r.user_id ? h(s.users[r.user_id]?.full_name ?? r.user_id) : '<span class="muted">Unnamed resource</span>'}</td></tr>`,
          )
          .join('')}</table>`
      : '<p class="muted">No resources.</p>'
  }</section>
<section><h2>External references</h2>${
    refs.length
      ? `<table><tr><th>Service</th><th>Object</th><th>Id</th><th>Status</th><th>External status</th></tr>${refs
          .map(
            (r) =>
              `<tr><td>${h(r.service_name)}</td><td>${h(r.service_model)}</td><td>${r.external_link ? `<a href="${h(r.external_link)}">${h(r.service_model_ref)}</a>` : h(r.service_model_ref)}</td><td>${h(r.status ?? '')}</td><td>${h(r.external_status ?? '')}${r.external_message ? `<br><span class="muted">${h(r.external_message)}</span>` : ''}</td></tr>`,
          )
          .join('')}</table>`
      : '<p class="muted">None.</p>'
  }</section>`;
  return page(w.title, body);
}

export function registerUiRoutes(app: EmulatorApp<KantataState>) {
  app.get('/ui/workspaces', (c) => {
    const s = c.get('instance').state;
    const rows = Object.values(s.workspaces)
      .sort((a, b) => Number(b.id) - Number(a.id))
      .map(
        (w) =>
          `<tr><td><a href="workspaces/${h(w.id)}">${h(w.title)}</a></td><td>${h(formatAmount(w.price_in_cents, w.currency))}</td><td>${h(w.due_date ?? '')}</td></tr>`,
      )
      .join('');
    return c.html(
      page(
        'Projects',
        `<h1>Projects · ${h(s.accountName)}</h1><section>${rows ? `<table><tr><th>Project</th><th>Budget</th><th>Due</th></tr>${rows}</table>` : '<p class="muted">No projects yet.</p>'}</section>`,
      ),
    );
  });
  app.get('/ui/workspaces/:id{[0-9]+}', (c) => {
    const s = c.get('instance').state;
    const w = s.workspaces[idParam(c)];
    if (!w) return c.html(page('Not found', '<h1>Project not found</h1>'), 404);
    return c.html(workspacePage(s, w));
  });
}
