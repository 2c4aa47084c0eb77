/**
 * Example requests and responses of the API document, typed by the schemas they illustrate so the compiler
 * catches a drift; Redocly's no-invalid-media-type-examples checks them against the published schemas.
 * One consulting firm throughout: Globex's data platform (opportunity 006000000000002AAA, USD, T&M).
 */

import type { ActivationView } from '../../shared/api/activation';
import { ACTIVATION_STEPS } from '../../shared/api/activation-steps';
import type { ExceptionJob, ExceptionView } from '../../shared/api/exceptions';
import type { Readiness } from '../../shared/api/readiness';

export const OPPORTUNITY = '006000000000002AAA';
const CORRELATION = 'c0a8012e-5b1d-4c1f-9f4e-2d6a7b8c9d01';
const AT = '2026-11-16T15:04:05.000Z';
const DONE_AT = '2026-11-16T15:04:19.000Z';

export const activationExample: ActivationView = {
  id: 'act_Q2xH7vN1pR4s',
  status: 'active',
  correlationId: CORRELATION,
  crmRecordId: OPPORTUNITY,
  contractNumber: 'SOW-2026-0042',
  attempt: 1,
  createdAt: AT,
  updatedAt: DONE_AT,
  completedAt: DONE_AT,
  message: null,
  steps: ACTIVATION_STEPS.map((s) => ({
    name: s.name,
    label: s.label,
    status: 'done' as const,
    attempts: 1,
    message: null,
    startedAt: AT,
    finishedAt: DONE_AT,
  })),
  links: [
    {
      role: 'psa',
      system: 'kantata',
      kind: 'project',
      externalId: '2041877',
      url: 'https://globex.mavenlink.com/workspaces/2041877',
    },
    {
      role: 'erp',
      system: 'netsuite',
      kind: 'customer',
      externalId: '8812',
      url: 'https://1234567.app.netsuite.com/app/common/entity/custjob.nl?id=8812',
    },
  ],
  problems: [],
  exception: null,
};

const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' as const });

export const readinessExample: Readiness = {
  project: {
    psaProjectId: '2041877',
    name: 'Globex data platform',
    contractNumber: 'SOW-2026-0042',
    billingModel: 'time_and_materials',
    currency: 'USD',
  },
  totals: {
    contractValue: usd(25_000_000),
    billed: usd(4_950_000),
    unbilledTime: usd(1_237_500),
    unbilledExpenses: usd(48_200),
    held: usd(123_750),
    remaining: usd(18_640_550),
    notToExceed: usd(25_000_000),
    travelAllowance: usd(1_500_000),
    travelUsed: usd(48_200),
  },
  counts: { timeEntries: 42, expenses: 3, posted: 40, pending: 4, held: 1 },
  milestones: [],
  invoices: [
    {
      id: '9120',
      number: 'INV-10231',
      status: 'paid',
      total: usd(4_950_000),
      amountPaid: usd(4_950_000),
      date: '2026-10-31',
      url: 'https://1234567.app.netsuite.com/app/accounting/transactions/custinvc.nl?id=9120',
      description: 'Time and expenses to 2026-10-31',
    },
  ],
  exceptions: [
    {
      id: 'exc_M8kq2Zr0tY1w',
      rule: 'rate-card',
      reason:
        'Ben Okafor, 7.5 h on 2026-11-18 as Senior Consultant at USD 195.00; the rate card says USD 180.00',
      suggestedFix: 'Correct the rate in Kantata, or post at the contract rate',
      owner: 'finance-ops',
      status: 'open',
      ageSeconds: 3600,
      subject: 'time entry 88123451',
    },
  ],
  version: 'r-5f3a9c1e',
  generatedAt: AT,
};

export const exceptionExample: ExceptionView = {
  id: 'exc_M8kq2Zr0tY1w',
  correlationId: CORRELATION,
  source: 'delivery',
  subjectType: 'time_entry',
  subjectId: '88123451',
  projectKey: OPPORTUNITY,
  code: 'rate-mismatch',
  reason:
    "Ben Okafor, 7.5 h on 2026-11-18 as Senior Consultant: Billed at USD 195.00/h but the contract's Senior Consultant rate on 2026-11-18 is USD 180.00/h",
  owner: 'delivery-ops',
  suggestedFix:
    "Update the Senior Consultant rate in the PSA project's rate card to USD 180.00/h, or edit and retry to post at the contract rate.",
  status: 'open' as const,
  ageSeconds: 3600,
  createdAt: AT,
  updatedAt: AT,
  title: 'Ben Okafor, 7.5 h on 2026-11-18 as Senior Consultant',
  system: 'kantata',
  assignee: 'emma.lindqvist@handoff-consulting.example',
  tags: ['month-end'],
  slaDueAt: '2026-11-18T15:04:05.000Z',
  overdue: false,
  resolvedBy: null,
  resolutionNote: null,
};

export const exceptionJobExample: ExceptionJob = {
  id: 'xjob_P4wR9sK2mT7v',
  action: 'retry',
  state: 'running',
  total: 300,
  processed: 120,
  succeeded: 118,
  failed: 2,
  unchanged: 0,
  params: {},
  selection: { filter: { code: 'POSTING_RETRIES_EXHAUSTED', system: 'netsuite' } },
  message: null,
  createdBy: 'key:key_8Hq2Lm5Rt1Vw',
  createdAt: AT,
  updatedAt: DONE_AT,
  finishedAt: null,
};

export const approvalExample = {
  id: 'apr_T3nB8wC5xK2m',
  kind: 'milestone' as const,
  contractKey: '006000000000001AAA',
  subjectKey: 'a0B5g00000Discov',
  state: 'accepted' as const,
  decidedBy: 'ava.reyes@handoff-consulting.example',
  decidedAt: DONE_AT,
  comment: 'Discovery deliverables received',
  evidence: { milestone: 'Discovery', completedAt: AT },
  createdAt: AT,
};
