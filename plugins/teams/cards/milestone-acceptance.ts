import {
  type AdaptiveCard,
  badge,
  card,
  type Element,
  execute,
  facts,
  heading,
  listWithOverflow,
  section,
  showCard,
  text,
} from './elements';
import { clip, formatDate, formatInstant, formatMoney } from './format';
import type { MilestoneAcceptanceInput } from './types';
import { INPUT_IDS, VERBS } from './verbs';

/**
 * Milestone acceptance: what is being accepted, under which clause, on what evidence. Three variants from
 * one function: the approver's card with Accept / Reject, the read-only card everyone else sees, and the
 * decided card (no actions). The refresh clause makes Teams ask the bot for the current variant whenever
 * the approver views it, so a decision made elsewhere (the tab, the sidebar) shows up here too.
 */
export function milestoneAcceptanceCard(input: MilestoneAcceptanceInput): AdaptiveCard {
  const { project, milestone, evidence, decision } = input;
  const data = { kind: 'milestoneAcceptance', approvalId: input.approvalId };
  const amount = formatMoney(milestone.amount);

  const body: Element[] = [
    ...heading(
      `Accept milestone: ${clip(milestone.name, 200)}`,
      project.code ? `${project.name} · ${project.code}` : project.name,
    ),
    facts([
      ['Amount', amount],
      ...(milestone.dueDate ? ([['Due', formatDate(milestone.dueDate)]] as [string, string][]) : []),
      ['Approver', input.approver.name],
    ]),
    section('Contract clause', [text(clip(input.contractClause, 1500), { isSubtle: true })]),
    section('Delivery evidence', [
      facts([['Completed', formatInstant(evidence.completedAt)]]),
      ...(evidence.deliverables.length > 0
        ? listWithOverflow(evidence.deliverables, 15, 200)
        : [text('No deliverables listed', { isSubtle: true })]),
    ]),
  ];

  if (decision) {
    const accepted = decision.outcome === 'accepted';
    body.push(
      section('Decision', [
        badge(
          `${accepted ? 'Accepted' : 'Rejected'} by ${decision.by} on ${formatInstant(decision.at)}`,
          accepted ? 'Good' : 'Attention',
        ),
        ...(decision.comment ? [text(`“${clip(decision.comment, 1000)}”`, { isSubtle: true })] : []),
        ...(accepted
          ? [
              text(
                decision.invoiceNumber
                  ? `Invoice ${decision.invoiceNumber}`
                  : 'Invoice being created in the ERP',
                { spacing: 'Small' },
              ),
            ]
          : []),
      ]),
    );
    return card({
      body,
      refreshData: data,
      refreshUserIds: [input.approver.mri],
      fallbackText: `${milestone.name}: ${decision.outcome}`,
    });
  }

  if (input.viewer !== 'approver') {
    body.push(badge(`Awaiting acceptance by ${input.approver.name}`, 'Warning'));
    return card({
      body,
      refreshData: data,
      refreshUserIds: [input.approver.mri],
      fallbackText: `${milestone.name}: awaiting acceptance`,
    });
  }

  return card({
    body,
    actions: [
      execute('Accept', VERBS.milestoneAccept, data, { style: 'positive' }),
      showCard(
        'Reject…',
        [
          {
            type: 'Input.Text',
            id: INPUT_IDS.rejectComment,
            label: 'Why are you rejecting this milestone?',
            isMultiline: true,
            isRequired: true,
            maxLength: 1000,
            errorMessage: 'Say what is missing so the delivery team can fix it',
          },
        ],
        execute('Reject milestone', VERBS.milestoneReject, data, { style: 'destructive', inputs: 'auto' }),
        'destructive',
      ),
    ],
    refreshData: data,
    refreshUserIds: [input.approver.mri],
    fallbackText: `Accept milestone ${milestone.name} (${amount}) for ${project.name}`,
  });
}
