import { h, safeUrl } from '../dom';
import { formatDate, formatMoney } from '../format';
import { age } from './ages';
import type { Invoice, Milestone, ProjectException, ViewContext } from './context';

const MILESTONE_STATE: Record<Milestone['state'], { label: string; tone: string }> = {
  not_ready: { label: 'Not ready', tone: 'muted' },
  ready: { label: 'Ready', tone: 'ok' },
  awaiting_acceptance: { label: 'Awaiting acceptance', tone: 'info' },
  blocked: { label: 'Blocked', tone: 'danger' },
  invoiced: { label: 'Invoiced', tone: 'done' },
};

const INVOICE_STATUS: Record<Invoice['status'], { label: string; tone: string }> = {
  created: { label: 'Created', tone: 'muted' },
  posted: { label: 'Posted', tone: 'info' },
  sent: { label: 'Sent', tone: 'info' },
  paid: { label: 'Paid', tone: 'ok' },
  voided: { label: 'Voided', tone: 'danger' },
};

const EXCEPTION_STATUS: Record<ProjectException['status'], { label: string; tone: string }> = {
  open: { label: 'Open', tone: 'danger' },
  retrying: { label: 'Retrying', tone: 'warn' },
  resolved: { label: 'Resolved', tone: 'ok' },
  skipped: { label: 'Skipped', tone: 'muted' },
};

const badge = (s: { label: string; tone: string }) => h('span', { class: `badge ${s.tone}` }, s.label);

function section(id: string, title: string, count: number, list: HTMLElement | null, empty: string) {
  return h(
    'section',
    { 'aria-labelledby': id, class: 'card' },
    h('h2', { id }, title, count > 0 ? h('span', { class: 'count' }, ` ${count}`) : null),
    list ?? h('p', { class: 'empty' }, empty),
  );
}

function fixBlock(reason: string, fix: string) {
  return [h('p', { class: 'reason' }, reason), h('p', { class: 'fix' }, h('strong', null, 'Fix: '), fix)];
}

/**
 * Each milestone is a tab stop (tabindex 0) so a keyboard user can walk the list and a screen reader
 * reads the whole item, state and blockers included.
 */
export function renderMilestones(items: Milestone[], ctx: ViewContext): HTMLElement {
  const list = items.length
    ? h(
        'ul',
        { class: 'items milestones', 'aria-labelledby': 'h-milestones' },
        items.map((m) => {
          const state = MILESTONE_STATE[m.state] ?? { label: m.state, tone: 'muted' };
          return h(
            'li',
            { class: `item ms ${m.state}`, tabindex: 0, 'data-key': `m:${m.key}` },
            h('div', { class: 'row' }, h('span', { class: 'name' }, m.name), badge(state)),
            h(
              'p',
              { class: 'meta' },
              `${formatMoney(m.amount, ctx.locale)} · due ${formatDate(m.dueDate, ctx.locale)}`,
              m.clause ? ` · ${m.clause}` : '',
            ),
            m.state === 'awaiting_acceptance'
              ? h(
                  'p',
                  { class: 'detail' },
                  m.approvalId
                    ? `Waiting for the approver (approval ${m.approvalId})`
                    : 'Waiting for the approver',
                )
              : null,
            m.state === 'invoiced' && m.invoiceNumber
              ? h('p', { class: 'detail' }, `Invoice ${m.invoiceNumber}`)
              : null,
            m.state === 'blocked' && m.blockers.length
              ? h(
                  'ul',
                  { class: 'blockers', 'aria-label': 'What blocks billing' },
                  m.blockers.map((b) => h('li', null, fixBlock(b.reason, b.fix))),
                )
              : null,
          );
        }),
      )
    : null;
  return section('h-milestones', 'Milestones', items.length, list, 'No milestones on this contract.');
}

export function renderInvoices(items: Invoice[], ctx: ViewContext): HTMLElement {
  const list = items.length
    ? h(
        'ul',
        { class: 'items invoices', 'aria-labelledby': 'h-invoices' },
        items.map((inv) => {
          const url = safeUrl(inv.url);
          const number = url
            ? h(
                'a',
                {
                  href: url,
                  target: '_blank',
                  rel: 'noopener noreferrer',
                  'data-open': '',
                  'data-key': `i:${inv.id}`,
                },
                inv.number,
              )
            : h('span', { class: 'name' }, inv.number);
          const partlyPaid =
            inv.amountPaid.amountMinor > 0 && inv.amountPaid.amountMinor < inv.total.amountMinor;
          return h(
            'li',
            { class: 'item inv' },
            h(
              'div',
              { class: 'row' },
              number,
              badge(INVOICE_STATUS[inv.status] ?? { label: inv.status, tone: 'muted' }),
            ),
            h('p', { class: 'meta' }, inv.description),
            h(
              'p',
              { class: 'meta' },
              `${formatMoney(inv.total, ctx.locale)} · ${formatDate(inv.date, ctx.locale)}`,
              partlyPaid ? ` · ${formatMoney(inv.amountPaid, ctx.locale)} paid` : '',
            ),
          );
        }),
      )
    : null;
  return section('h-invoices', 'Invoices', items.length, list, 'No invoices yet.');
}

const OPEN_FIRST: Record<ProjectException['status'], number> = {
  open: 0,
  retrying: 1,
  resolved: 2,
  skipped: 3,
};

export function renderExceptions(items: ProjectException[], ctx: ViewContext): HTMLElement {
  const sorted = [...items].sort(
    (a, b) => OPEN_FIRST[a.status] - OPEN_FIRST[b.status] || b.ageSeconds - a.ageSeconds,
  );
  const list = sorted.length
    ? h(
        'ul',
        { class: 'items exceptions', 'aria-labelledby': 'h-exceptions' },
        sorted.map((x) =>
          h(
            'li',
            { class: `item exc ${x.status}`, tabindex: 0, 'data-key': `x:${x.id}` },
            h(
              'div',
              { class: 'row' },
              h('span', { class: 'name' }, x.subject),
              badge(EXCEPTION_STATUS[x.status] ?? { label: x.status, tone: 'muted' }),
            ),
            fixBlock(x.reason, x.suggestedFix),
            h('p', { class: 'meta' }, `${x.owner} · `, age(ctx.generatedAtMs - x.ageSeconds * 1000)),
          ),
        ),
      )
    : null;
  const open = items.filter((x) => x.status === 'open' || x.status === 'retrying').length;
  return section('h-exceptions', 'Exceptions', open, list, 'Nothing held for this project.');
}
