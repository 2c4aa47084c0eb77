/**
 * Inputs of the Adaptive Card builders. Plain TypeScript (no zod) so the builders stay pure and cheap to
 * call from the worker's bot handler and from tests. Money is always integer minor units + ISO 4217 code.
 */

export interface CardMoney {
  amountMinor: number;
  currency: string;
}

/** A Teams user as the bot knows them. `mri` is the Teams user id ("29:…") that `refresh.userIds` takes. */
export interface CardPerson {
  name: string;
  mri: string;
  email?: string;
}

/** Who is looking decides the variant: the approver gets actions, everyone else a read-only view. */
export type CardViewer = 'approver' | 'viewer';

export interface MilestoneAcceptanceInput {
  approvalId: string;
  project: { name: string; code?: string; url?: string };
  milestone: { name: string; amount: CardMoney; dueDate?: string };
  /** The contract clause the milestone bills under, e.g. "SOW §4.2: acceptance within 10 business days". */
  contractClause: string;
  evidence: { completedAt: string; deliverables: string[] };
  approver: CardPerson;
  viewer: CardViewer;
  decision?: {
    outcome: 'accepted' | 'rejected';
    by: string;
    at: string;
    comment?: string;
    invoiceNumber?: string;
  };
}

export interface Change<T> {
  before: T;
  after: T;
}

export interface RateChange {
  role: string;
  before: CardMoney | null;
  after: CardMoney | null;
  unit?: string;
}

export interface MilestoneChange {
  name: string;
  kind: 'added' | 'removed' | 'changed';
  before?: { amount: CardMoney; date?: string };
  after?: { amount: CardMoney; date?: string };
}

export interface BillingScheduleLine {
  label: string;
  amount: CardMoney;
  date?: string;
}

export interface ChangeOrderInput {
  changeOrderId: string;
  project: { name: string; code?: string };
  amendmentNumber: string;
  effectiveDate: string;
  signedBy: { name: string; at?: string };
  scope: Change<string>;
  rates: RateChange[];
  budget: Change<CardMoney>;
  milestones: MilestoneChange[];
  billingSchedule: Change<BillingScheduleLine[]>;
  /** Time logged on or after the effective date at the rates this amendment supersedes. */
  supersededTime: { entries: number; hours: number; amount: CardMoney };
  approver: CardPerson;
  viewer: CardViewer;
  decision?: { outcome: 'approved' | 'rejected'; by: string; at: string; comment?: string };
}

export interface ExceptionCardInput {
  exceptionId: string;
  rule: string;
  reason: string;
  owner: CardPerson;
  suggestedFix?: string;
  /** When it was raised: the card shows its age relative to `now`. */
  raisedAt: string;
  now: string;
  subject?: { kind: string; name: string; url?: string };
  /** People the exception can be reassigned to (value = Teams MRI or Handoff user id). */
  assignees: { name: string; id: string }[];
  viewer: CardViewer;
  resolution?: {
    outcome: 'retried' | 'skipped' | 'reassigned' | 'resolved';
    by: string;
    at: string;
    note?: string;
  };
}
