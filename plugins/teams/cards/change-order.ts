import {
  type AdaptiveCard,
  badge,
  beforeAfter,
  card,
  type Element,
  execute,
  facts,
  heading,
  section,
  showCard,
  text,
} from './elements';
import { clip, formatDate, formatDelta, formatHours, formatInstant, formatMoney } from './format';
import type { BillingScheduleLine, CardMoney, ChangeOrderInput, MilestoneChange, RateChange } from './types';
import { INPUT_IDS, VERBS } from './verbs';

// Caps keep the card under the 28 KB Teams limit whatever the amendment holds; the rest is in Handoff.
const MAX_ROWS = 20;

function rate(money: CardMoney | null, unit: string | undefined): string {
  return money ? `${formatMoney(money)}${unit ? ` / ${unit}` : ''}` : '—';
}

function rateLine(r: RateChange): string {
  if (!r.before) return `${r.role}: new at ${rate(r.after, r.unit)}`;
  if (!r.after) return `${r.role}: ${rate(r.before, r.unit)} → removed`;
  return `${r.role}: ${rate(r.before, r.unit)} → ${rate(r.after, r.unit)}`;
}

function milestoneLine(m: MilestoneChange): string {
  const at = (v?: { amount: CardMoney; date?: string }) =>
    v ? `${formatMoney(v.amount)}${v.date ? ` on ${formatDate(v.date)}` : ''}` : '';
  if (m.kind === 'added') return `Added: ${m.name}, ${at(m.after)}`;
  if (m.kind === 'removed') return `Removed: ${m.name}, was ${at(m.before)}`;
  return `Changed: ${m.name}, ${at(m.before)} → ${at(m.after)}`;
}

function scheduleLines(lines: BillingScheduleLine[]): Element[] {
  if (lines.length === 0) return [text('No scheduled billing', { isSubtle: true })];
  const shown = lines.slice(0, MAX_ROWS).map((l) =>
    text(`${clip(l.label, 80)}: ${formatMoney(l.amount)}${l.date ? `, ${formatDate(l.date)}` : ''}`, {
      spacing: 'None',
    }),
  );
  if (lines.length > MAX_ROWS)
    shown.push(text(`…and ${lines.length - MAX_ROWS} more`, { isSubtle: true, spacing: 'None' }));
  return shown;
}

function rows(lines: string[]): Element[] {
  const shown = lines.slice(0, MAX_ROWS).map((l) => text(`• ${clip(l, 240)}`, { spacing: 'None' }));
  if (lines.length > MAX_ROWS)
    shown.push(text(`…and ${lines.length - MAX_ROWS} more`, { isSubtle: true, spacing: 'None' }));
  return shown;
}

/**
 * A signed amendment, before / after, for the approver to confirm before Handoff re-plans the project
 * and the billing schedule. The superseded-time block says what the amendment does to work already
 * logged after its effective date (those entries get re-rated), which is the number approvers ask about.
 */
export function changeOrderCard(input: ChangeOrderInput): AdaptiveCard {
  const { decision } = input;
  const data = { kind: 'changeOrder', changeOrderId: input.changeOrderId };
  const title = `Change order ${input.amendmentNumber}`;
  const st = input.supersededTime;

  const body: Element[] = [
    ...heading(
      title,
      input.project.code ? `${input.project.name} · ${input.project.code}` : input.project.name,
    ),
    facts([
      ['Effective', formatDate(input.effectiveDate)],
      [
        'Signed by',
        `${input.signedBy.name}${input.signedBy.at ? ` on ${formatInstant(input.signedBy.at)}` : ''}`,
      ],
      ['Approver', input.approver.name],
    ]),
    section('Scope', [
      beforeAfter([text(clip(input.scope.before, 1200))], [text(clip(input.scope.after, 1200))]),
    ]),
    section('Budget', [
      beforeAfter([text(formatMoney(input.budget.before))], [text(formatMoney(input.budget.after))]),
      text(formatDelta(input.budget.before, input.budget.after), {
        isSubtle: true,
        horizontalAlignment: 'Right',
      }),
    ]),
    section(
      'Rates',
      input.rates.length > 0
        ? rows(input.rates.map(rateLine))
        : [text('No rate changes', { isSubtle: true })],
    ),
    section(
      'Milestones',
      input.milestones.length > 0
        ? rows(input.milestones.map(milestoneLine))
        : [text('No milestone changes', { isSubtle: true })],
    ),
    section('Billing schedule', [
      beforeAfter(scheduleLines(input.billingSchedule.before), scheduleLines(input.billingSchedule.after)),
    ]),
    section('Time logged at superseded rates', [
      st.entries > 0
        ? text(
            `${st.entries} ${st.entries === 1 ? 'entry' : 'entries'}, ${formatHours(st.hours)}, ${formatMoney(st.amount)} logged since ${formatDate(input.effectiveDate)} at the old rates: they will be re-rated.`,
          )
        : text(`No time logged since ${formatDate(input.effectiveDate)} at the old rates.`, {
            isSubtle: true,
          }),
    ]),
  ];

  if (decision) {
    const approved = decision.outcome === 'approved';
    body.push(
      section('Decision', [
        badge(
          `${approved ? 'Approved' : 'Rejected'} by ${decision.by} on ${formatInstant(decision.at)}`,
          approved ? 'Good' : 'Attention',
        ),
        ...(decision.comment ? [text(`“${clip(decision.comment, 1000)}”`, { isSubtle: true })] : []),
      ]),
    );
    return card({
      body,
      refreshData: data,
      refreshUserIds: [input.approver.mri],
      fallbackText: `${title}: ${decision.outcome}`,
    });
  }

  if (input.viewer !== 'approver') {
    body.push(badge(`Awaiting approval by ${input.approver.name}`, 'Warning'));
    return card({
      body,
      refreshData: data,
      refreshUserIds: [input.approver.mri],
      fallbackText: `${title}: awaiting approval`,
    });
  }

  return card({
    body,
    actions: [
      execute('Approve', VERBS.changeOrderApprove, data, { style: 'positive' }),
      showCard(
        'Reject…',
        [
          {
            type: 'Input.Text',
            id: INPUT_IDS.rejectComment,
            label: 'Why are you rejecting this change order?',
            isMultiline: true,
            isRequired: true,
            maxLength: 1000,
            errorMessage: 'A reason is required',
          },
        ],
        execute('Reject change order', VERBS.changeOrderReject, data, {
          style: 'destructive',
          inputs: 'auto',
        }),
        'destructive',
      ),
    ],
    refreshData: data,
    refreshUserIds: [input.approver.mri],
    fallbackText: `${title} for ${input.project.name}: approve or reject`,
  });
}
