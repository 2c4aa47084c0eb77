import type { Readiness } from '../../../../shared/api/readiness';
import { h } from '../dom';
import { formatMoney, type MoneyLike, percentOf } from '../format';
import { age } from './ages';
import type { ViewContext } from './context';

const MODEL_LABEL: Record<Readiness['project']['billingModel'], string> = {
  fixed_fee: 'Fixed fee',
  time_and_materials: 'Time and materials',
  retainer: 'Retainer',
};

export function renderHeader(r: Readiness, ctx: ViewContext): HTMLElement {
  return h(
    'header',
    { class: 'head' },
    h('h1', null, r.project.name),
    h(
      'p',
      { class: 'sub' },
      `Contract ${r.project.contractNumber} · ${MODEL_LABEL[r.project.billingModel] ?? r.project.billingModel} · ${r.project.currency}`,
    ),
    h('p', { class: 'sub updated' }, age(ctx.generatedAtMs, 'Updated ')),
  );
}

function figure(
  label: string,
  m: MoneyLike,
  ctx: ViewContext,
  opts: { tone?: string; note?: string; key: string },
) {
  return h(
    'div',
    { class: `fig${opts.tone ? ` ${opts.tone}` : ''}`, 'data-figure': opts.key },
    h('dt', null, label),
    h(
      'dd',
      null,
      h('span', { class: 'amt' }, formatMoney(m, ctx.locale)),
      opts.note ? h('span', { class: 'note' }, opts.note) : null,
    ),
  );
}

/** A bar for the eye; the same fact is in the text beside it, so the bar is hidden from screen readers. */
function bar(pct: number | null, tone: string) {
  const fill = h('span', { class: `fill ${tone}` });
  fill.style.width = `${Math.min(100, Math.max(0, pct ?? 0))}%`;
  return h('span', { class: 'bar', 'aria-hidden': 'true' }, fill);
}

function usage(label: string, used: MoneyLike, limit: MoneyLike, ctx: ViewContext, key: string) {
  const pct = percentOf(used.amountMinor, limit.amountMinor);
  const tone = pct === null ? 'ok' : pct > 100 ? 'danger' : pct >= 90 ? 'warn' : 'ok';
  const left = limit.amountMinor - used.amountMinor;
  return h(
    'div',
    { class: 'usage', 'data-usage': key },
    h(
      'p',
      { class: 'usage-line' },
      h('span', { class: 'usage-label' }, label),
      h(
        'span',
        null,
        `${formatMoney(used, ctx.locale)} of ${formatMoney(limit, ctx.locale)}${pct === null ? '' : ` (${pct}%)`}`,
      ),
    ),
    bar(pct, tone),
    h(
      'p',
      { class: `usage-left ${tone}` },
      left >= 0
        ? `${formatMoney({ amountMinor: left, currency: limit.currency }, ctx.locale)} left`
        : `Over by ${formatMoney({ amountMinor: -left, currency: limit.currency }, ctx.locale)}`,
    ),
  );
}

export function renderTotals(r: Readiness, ctx: ViewContext): HTMLElement {
  const t = r.totals;
  const billedPct = percentOf(t.billed.amountMinor, t.contractValue.amountMinor);
  // Against a T&M cap counts everything already billed or on its way to an invoice.
  const capUsed: MoneyLike = {
    amountMinor: t.billed.amountMinor + t.unbilledTime.amountMinor + t.unbilledExpenses.amountMinor,
    currency: t.billed.currency,
  };
  const c = r.counts;
  return h(
    'section',
    { 'aria-labelledby': 'h-totals', class: 'card' },
    h('h2', { id: 'h-totals' }, 'Billing'),
    h(
      'dl',
      { class: 'figs' },
      figure('Contract value', t.contractValue, ctx, { key: 'contract' }),
      figure('Billed', t.billed, ctx, {
        key: 'billed',
        note: billedPct === null ? undefined : `${billedPct}% of contract`,
      }),
      figure('Unbilled time', t.unbilledTime, ctx, { key: 'time', note: `${c.timeEntries} entries` }),
      figure('Unbilled expenses', t.unbilledExpenses, ctx, {
        key: 'expenses',
        note: `${c.expenses} expenses`,
      }),
      figure('Held', t.held, ctx, {
        key: 'held',
        tone: c.held > 0 || t.held.amountMinor > 0 ? 'warn' : undefined,
        note: c.held > 0 ? `${c.held} waiting in exceptions` : 'nothing held',
      }),
      figure('Remaining', t.remaining, ctx, {
        key: 'remaining',
        tone: t.remaining.amountMinor < 0 ? 'danger' : undefined,
      }),
    ),
    bar(billedPct, 'ok'),
    t.notToExceed ? usage('T&M cap', capUsed, t.notToExceed, ctx, 'cap') : null,
    t.travelAllowance ? usage('Travel allowance', t.travelUsed, t.travelAllowance, ctx, 'travel') : null,
    h('p', { class: 'counts' }, `${c.posted} posted to the ERP · ${c.pending} on the way · ${c.held} held`),
  );
}
