import {
  type AdaptiveCard,
  badge,
  card,
  type Element,
  execute,
  facts,
  heading,
  section,
  showCard,
  text,
} from './elements';
import { clip, formatAge, formatInstant } from './format';
import type { ExceptionCardInput } from './types';
import { INPUT_IDS, VERBS } from './verbs';

const RESOLVED: Record<NonNullable<ExceptionCardInput['resolution']>['outcome'], string> = {
  retried: 'Retried',
  skipped: 'Skipped',
  reassigned: 'Reassigned',
  resolved: 'Resolved',
};

/** A sync exception for its owner: what rule stopped what, why, and the fix; Retry, Skip or Reassign. */
export function exceptionCard(input: ExceptionCardInput): AdaptiveCard {
  const data = { kind: 'exception', exceptionId: input.exceptionId };
  const body: Element[] = [
    ...heading(
      `Exception: ${clip(input.rule, 200)}`,
      input.subject ? `${input.subject.kind} · ${input.subject.name}` : undefined,
    ),
    text(clip(input.reason, 1500)),
    facts([
      ['Owner', input.owner.name],
      ['Age', formatAge(input.raisedAt, input.now)],
      ['Raised', formatInstant(input.raisedAt)],
    ]),
    ...(input.suggestedFix ? [section('Suggested fix', [text(clip(input.suggestedFix, 1500))])] : []),
  ];

  if (input.resolution) {
    const r = input.resolution;
    body.push(
      section('Resolution', [
        badge(`${RESOLVED[r.outcome]} by ${r.by} on ${formatInstant(r.at)}`, 'Good'),
        ...(r.note ? [text(clip(r.note, 1000), { isSubtle: true })] : []),
      ]),
    );
    return card({
      body,
      refreshData: data,
      refreshUserIds: [input.owner.mri],
      fallbackText: `${input.rule}: ${r.outcome}`,
    });
  }

  if (input.viewer !== 'approver') {
    body.push(badge(`Waiting on ${input.owner.name}`, 'Warning'));
    return card({
      body,
      refreshData: data,
      refreshUserIds: [input.owner.mri],
      fallbackText: `${input.rule}: open`,
    });
  }

  // A long list belongs in a people picker, not a card: 50 names keep the card well under 28 KB.
  const choices = input.assignees.slice(0, 50).map((a) => ({ title: clip(a.name, 60), value: a.id }));
  return card({
    body,
    actions: [
      execute('Retry', VERBS.exceptionRetry, data, { style: 'positive' }),
      showCard(
        'Skip…',
        [
          {
            type: 'Input.Text',
            id: INPUT_IDS.skipReason,
            label: 'Why skip this record?',
            isMultiline: true,
            isRequired: true,
            maxLength: 1000,
            errorMessage: 'A reason is required (it goes in the audit log)',
          },
        ],
        execute('Skip', VERBS.exceptionSkip, data, { style: 'destructive', inputs: 'auto' }),
      ),
      showCard(
        'Reassign…',
        [
          {
            type: 'Input.ChoiceSet',
            id: INPUT_IDS.assignee,
            label: 'New owner',
            style: 'compact',
            isRequired: true,
            errorMessage: 'Pick someone',
            choices,
          },
        ],
        execute('Reassign', VERBS.exceptionReassign, data, { inputs: 'auto' }),
      ),
    ],
    refreshData: data,
    refreshUserIds: [input.owner.mri],
    fallbackText: `Exception ${input.rule}: ${input.reason}`,
  });
}
