import type { Readiness } from '../../../../shared/api/readiness';

const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' as const });

/** A T&M project mid-flight: one milestone of each state, invoices of several statuses, two exceptions. */
export function readinessFixture(): Readiness {
  return {
    project: {
      psaProjectId: 'ws-4410',
      name: 'Northwind ERP rollout',
      contractNumber: 'C-00042',
      billingModel: 'time_and_materials',
      currency: 'USD',
    },
    totals: {
      contractValue: usd(25_000_000),
      billed: usd(9_850_000),
      unbilledTime: usd(2_134_000),
      unbilledExpenses: usd(127_540),
      held: usd(320_000),
      remaining: usd(12_568_460),
      notToExceed: usd(25_000_000),
      travelAllowance: usd(1_500_000),
      travelUsed: usd(1_390_000),
    },
    counts: { timeEntries: 46, expenses: 9, posted: 41, pending: 11, held: 3 },
    milestones: [
      {
        key: 'ms-discovery',
        name: 'Discovery',
        amount: usd(4_000_000),
        dueDate: '2026-09-30',
        clause: 'SOW §4.1',
        state: 'invoiced',
        blockers: [],
        approvalId: null,
        invoiceNumber: 'INV-1042',
      },
      {
        key: 'ms-design',
        name: 'Design sign-off',
        amount: usd(5_000_000),
        dueDate: '2026-10-31',
        clause: 'SOW §4.2',
        state: 'awaiting_acceptance',
        blockers: [],
        approvalId: 'APR-7',
        invoiceNumber: null,
      },
      {
        key: 'ms-migration',
        name: 'Data migration',
        amount: usd(6_000_000),
        dueDate: '2026-11-30',
        clause: 'SOW §4.3',
        state: 'blocked',
        blockers: [
          {
            rule: 'deliverables_done',
            reason: "Deliverable 'Migration runbook' is not marked done in Kantata",
            fix: 'Mark the deliverable done in Kantata, or ask the engagement lead to waive it',
          },
        ],
        approvalId: null,
        invoiceNumber: null,
      },
      {
        key: 'ms-uat',
        name: 'User acceptance testing',
        amount: usd(5_000_000),
        dueDate: '2026-12-15',
        clause: null,
        state: 'ready',
        blockers: [],
        approvalId: null,
        invoiceNumber: null,
      },
      {
        key: 'ms-golive',
        name: 'Go-live',
        amount: usd(5_000_000),
        dueDate: '2027-01-31',
        clause: 'SOW §4.5',
        state: 'not_ready',
        blockers: [],
        approvalId: null,
        invoiceNumber: null,
      },
    ],
    invoices: [
      {
        id: 'inv-1',
        number: 'INV-1042',
        status: 'paid',
        total: usd(4_000_000),
        amountPaid: usd(4_000_000),
        date: '2026-10-02',
        url: null,
        description: 'Discovery',
      },
      {
        id: 'inv-2',
        number: 'INV-1057',
        status: 'sent',
        total: usd(5_850_000),
        amountPaid: usd(1_000_000),
        date: '2026-11-01',
        url: null,
        description: 'Time and expenses to 2026-10-31',
      },
    ],
    exceptions: [
      {
        id: 'exc-1',
        rule: 'rate_card_role',
        reason: "Role 'Architect II' is not on the contract's rate card",
        suggestedFix:
          "Map 'Architect II' to a rate card role in Handoff, or correct the role in Kantata and re-approve",
        owner: 'Dana Kim',
        status: 'open',
        ageSeconds: 3 * 3600 + 120,
        subject: 'Time entry 4411 · Dana Kim · 2026-11-14',
      },
      {
        id: 'exc-2',
        rule: 'travel_cap',
        reason: 'Travel would exceed the allowance by $420.00',
        suggestedFix:
          'Ask the engagement lead for a change order raising the travel allowance, or mark it non-billable',
        owner: 'Sam Ortiz',
        status: 'retrying',
        ageSeconds: 600,
        subject: 'Expense 918 · Hotel · 2026-11-12',
      },
    ],
    version: 'v1',
    generatedAt: new Date().toISOString(),
  };
}
