import type { ChangeOrderInput, ExceptionCardInput, MilestoneAcceptanceInput } from '../cards/types';

export const APPROVER = { name: 'Dana Whitfield', mri: '29:1abcDanaMri', email: 'dana@brandt.example' };

export function milestoneInput(over: Partial<MilestoneAcceptanceInput> = {}): MilestoneAcceptanceInput {
  return {
    approvalId: 'apr_01HX',
    project: { name: 'Brandt ERP rollout', code: 'PRJ-0042' },
    milestone: {
      name: 'Phase 1 go-live',
      amount: { amountMinor: 4_500_000, currency: 'USD' },
      dueDate: '2026-03-31',
    },
    contractClause: 'SOW §4.2: Phase 1 is accepted on go-live sign-off; invoice net 30.',
    evidence: {
      completedAt: '2026-03-28T16:30:00Z',
      deliverables: ['Cutover runbook', 'UAT sign-off sheet', 'Production go-live report'],
    },
    approver: APPROVER,
    viewer: 'approver',
    ...over,
  };
}

export function changeOrderInput(over: Partial<ChangeOrderInput> = {}): ChangeOrderInput {
  const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });
  return {
    changeOrderId: 'co_7',
    project: { name: 'Brandt ERP rollout', code: 'PRJ-0042' },
    amendmentNumber: 'A-3',
    effectiveDate: '2026-04-01',
    signedBy: { name: 'Marco Brandt', at: '2026-03-30T09:00:00Z' },
    scope: { before: 'Finance and procurement modules', after: 'Finance, procurement and inventory modules' },
    rates: [
      { role: 'Senior consultant', before: usd(18_000), after: usd(19_500), unit: 'h' },
      { role: 'Data engineer', before: null, after: usd(16_000), unit: 'h' },
    ],
    budget: { before: usd(12_000_000), after: usd(14_250_000) },
    milestones: [
      { name: 'Inventory go-live', kind: 'added', after: { amount: usd(2_250_000), date: '2026-06-30' } },
      {
        name: 'Phase 2 go-live',
        kind: 'changed',
        before: { amount: usd(3_000_000), date: '2026-05-15' },
        after: { amount: usd(3_000_000), date: '2026-05-29' },
      },
    ],
    billingSchedule: {
      before: [{ label: 'Phase 2', amount: usd(3_000_000), date: '2026-05-15' }],
      after: [
        { label: 'Phase 2', amount: usd(3_000_000), date: '2026-05-29' },
        { label: 'Inventory', amount: usd(2_250_000), date: '2026-06-30' },
      ],
    },
    supersededTime: { entries: 14, hours: 37.5, amount: usd(675_000) },
    approver: APPROVER,
    viewer: 'approver',
    ...over,
  };
}

export function exceptionInput(over: Partial<ExceptionCardInput> = {}): ExceptionCardInput {
  return {
    exceptionId: 'exc_19',
    rule: 'Customer must have a billing address',
    reason: 'NetSuite refused the invoice: the customer Brandt GmbH has no default billing address.',
    owner: APPROVER,
    suggestedFix: 'Add a billing address to Brandt GmbH in NetSuite, then Retry.',
    raisedAt: '2026-03-28T10:00:00Z',
    now: '2026-03-30T12:00:00Z',
    subject: { kind: 'Invoice', name: 'Phase 1 go-live' },
    assignees: [
      { name: 'Dana Whitfield', id: '29:1abcDanaMri' },
      { name: 'Lee Okafor', id: '29:1abcLeeMri' },
    ],
    viewer: 'approver',
    ...over,
  };
}
