import type { Contract, Customer, Milestone, RateCard, TeamRole } from '../../shared/model/contract';
import type { ErpInvoice, Expense, PsaMilestoneState, TimeEntry } from '../../shared/model/delivery';
import type { Money } from '../../shared/model/money';
import type { BillingSchedule, ProjectSpec } from '../../shared/model/project';

/** A record of a listing the vendor sent in a shape Handoff cannot read: which one, which field, why. */
export interface RejectedRecord {
  id: string;
  /** The vendor's field that did not parse (e.g. `expenses.amount_in_cents`), when known. */
  field?: string;
  reason: string;
}

/** What a listing read: the records, and those it could not (each one on its own, never the whole page). */
export interface Listing<T> {
  items: T[];
  rejected: RejectedRecord[];
}

/**
 * Ports: what the sync needs from each kind of system. A connector implements one port for one
 * vendor; another CRM/PSA/ERP is added by writing another implementation, not by touching the sync.
 * Every method either succeeds or throws ConnectorError (see ./errors) saying whether a retry helps.
 * Every write is idempotent under its `key`: calling it again with the same key after a timeout or a
 * dropped response finds the record it created instead of creating another.
 */

/**
 * One thing the console's "Test connection" read in a system with the connection's own credentials: whether it
 * holds, what was found, and what to do when it does not.
 */
export interface SetupCheck {
  name: string;
  ok: boolean;
  message: string;
  fix?: string;
}

/** Whether a Handoff plugin is installed in the vendor's system, as the vendor answers. */
export interface PluginPresence {
  installed: boolean;
  message: string;
  fix?: string;
}

export type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

/** Where a canonical field came from in the CRM, so a validation error can say what to fix and where. */
export interface FieldSource {
  /** e.g. "Account.BillingPostalCode" */
  field: string;
  /** e.g. "Billing Zip/Postal Code on the account Acme Corp" */
  label: string;
  recordId?: string;
}

export interface DealSnapshot {
  /** The contract as far as the CRM holds it; validation reports what is missing or inconsistent. */
  contract: unknown;
  /** Canonical path ("customer.billingAddress.postalCode") → where to fix it in the CRM. */
  sources: Record<string, FieldSource>;
  accountId: string;
  opportunityId: string;
  contractId?: string;
}

export type ActivationCrmStatus = 'Queued' | 'Activating' | 'Retrying' | 'Active' | 'Needs fixes' | 'Failed';

export interface CrmWriteBack {
  status: ActivationCrmStatus;
  activationId: string;
  message?: string;
  psaProjectUrl?: string;
  erpProjectUrl?: string;
  erpCustomerId?: string;
  erpProjectId?: string;
  psaProjectId?: string;
  /** Billing status (issue 3): what has been invoiced and paid, in the contract currency. */
  billedAmount?: Money;
  paidAmount?: Money;
  unbilledAmount?: Money;
  lastInvoiceNumber?: string;
  lastInvoiceStatus?: string;
}

export interface CrmPort {
  readonly system: string;
  /** Read the opportunity, its account, contract, milestones and rates in as few calls as the API allows. */
  loadDeal(opportunityId: string): Promise<DealSnapshot>;
  /** The opportunity a record belongs to: itself for an opportunity, Opportunity.ContractId's owner for a contract. */
  resolveOpportunityId(recordId: string): Promise<string>;
  /** Write activation status and links onto the opportunity (and its contract, if any). */
  writeBack(opportunityId: string, update: CrmWriteBack, key: string): Promise<void>;
  recordUrl(id: string): string;
  /**
   * Which org these credentials reach, as the CRM itself answers (a live read): the proof of which org a
   * firm connects, never taken from what the firm says.
   */
  whoAmI(): Promise<{ orgId: string; orgName: string }>;
}

export interface ExternalRecord {
  id: string;
  url?: string;
  /**
   * True when this call created the record, false when it found or updated an existing one; absent when
   * the vendor's upsert does not say (NetSuite's PUT by external id answers 204 either way).
   */
  created?: boolean;
}

export interface ErpProjectInput {
  name: string;
  customerId: string;
  contract: Contract;
  psaProjectId?: string;
  psaProjectUrl?: string;
}

export interface ErpPort {
  readonly system: string;
  upsertCustomer(customer: Customer, key: string): Promise<ExternalRecord>;
  upsertProject(input: ErpProjectInput, key: string): Promise<ExternalRecord>;
  /** Save the project's billing schedule (idempotent under `key`). It is not yet the project's: see below. */
  upsertBillingSchedule(
    input: { projectId: string; customerId: string; schedule: BillingSchedule; name: string },
    key: string,
  ): Promise<ExternalRecord>;
  /**
   * Make the saved schedule the one the project bills by. A call of its own (and a workflow step of its
   * own) so that a failure here never makes the schedule be written again; setting the same reference
   * twice is a no-op.
   */
  attachBillingSchedule(projectId: string, scheduleId: string): Promise<void>;
  recordUrl(type: 'customer' | 'project' | 'billing_schedule' | 'invoice', id: string): string;

  // ---- delivery to billing (issue 3) ----
  /**
   * Post approved time to the ERP (NetSuite: time bills against the project). Each line carries its own
   * key (its external id): posting the same line twice finds the first record. Up to `maxBatch` lines per
   * call; the result has one entry per line, in order, so one bad line does not fail the others.
   */
  postTimeEntries(lines: ErpTimeLine[]): Promise<ErpPostResult[]>;
  /** Post approved billable expenses (NetSuite: expense reports / billable charges on the project). */
  postExpenses(lines: ErpExpenseLine[]): Promise<ErpPostResult[]>;
  /** The most lines one post call takes (100 where the API allows batching). */
  readonly maxBatch: number;
  /** Create the invoice (the ERP assigns its number). Idempotent under `key`: a retry returns the same invoice. */
  createInvoice(input: ErpInvoiceInput, key: string): Promise<ErpInvoice>;
  /** Invoices of one ERP project, with their current status (created, posted, sent, paid). */
  listInvoices(projectId: string): Promise<ErpInvoice[]>;
  /** A cheap real read that proves the ERP answers (the re-test of a connection marked offline). */
  probe(): Promise<void>;
}

export interface ErpTimeLine {
  key: string;
  customerId: string;
  projectId: string;
  personName: string;
  personEmail?: string;
  role: string;
  date: string;
  minutes: number;
  /** The contract rate for the role on that date. */
  rate: Money;
  billable: boolean;
  memo: string;
}

export interface ErpExpenseLine {
  key: string;
  customerId: string;
  projectId: string;
  personName: string;
  date: string;
  category: string;
  amount: Money;
  billable: boolean;
  memo: string;
}

export type ErpPostResult =
  | { key: string; ok: true; id: string; created: boolean }
  | {
      key: string;
      ok: false;
      retryable: boolean;
      code: string;
      message: string;
      field?: string;
      fix?: string;
    };

export interface ErpInvoiceLine {
  description: string;
  amount: Money;
  /** Contract clause the line bills (e.g. "SOW §4.1"). */
  clause?: string;
  /** Delivery evidence: the milestone's PSA id and accepted-by/at. */
  evidence?: string;
  /** The ERP billing schedule milestone this invoices, when there is one. */
  milestoneKey?: string;
}

export interface ErpInvoiceInput {
  customerId: string;
  projectId: string;
  date: string;
  currency: Money['currency'];
  memo: string;
  lines: ErpInvoiceLine[];
}

export interface PsaPort {
  readonly system: string;
  /** Create the project (workspace) from a template, or return the one already created under `key`. */
  createProject(spec: ProjectSpec, key: string): Promise<ExternalRecord>;
  /** Create the WBS and milestones that don't exist yet; returns canonical key → PSA id. */
  ensureWbsAndMilestones(projectId: string, spec: ProjectSpec, key: string): Promise<Record<string, string>>;
  /** Attach the contract's rate card to the project (creating it if needed). */
  ensureRateCard(projectId: string, rateCard: RateCard, key: string): Promise<ExternalRecord>;
  /** Add the team's roles (unnamed resources / participants) that are missing. */
  ensureTeam(projectId: string, team: TeamRole[], key: string): Promise<void>;
  /** Record the ids of the same contract in other systems on the PSA project. */
  linkExternal(
    projectId: string,
    links: { system: string; kind: string; externalId: string; url?: string }[],
    key: string,
  ): Promise<void>;
  recordUrl(id: string): string;

  // ---- delivery to billing (issue 3) ----
  /**
   * Approved time entries of a project updated since `since` (ISO), all pages: the polling fallback. A
   * record the PSA sends in a shape Handoff cannot read is returned in `rejected` (with the vendor's field),
   * never failing the rest.
   */
  listApprovedTimeEntries(projectId: string, since?: string): Promise<Listing<TimeEntry>>;
  /** Approved expenses of a project updated since `since`, the same way. */
  listApprovedExpenses(projectId: string, since?: string): Promise<Listing<Expense>>;
  /** One time entry or expense, fetched fresh (webhook payloads are only a hint). */
  getTimeEntry(id: string): Promise<TimeEntry | null>;
  getExpense(id: string): Promise<Expense | null>;
  /** Milestones of a project with their delivery state and deliverables. */
  getMilestones(projectId: string): Promise<PsaMilestoneState[]>;
  /** Show billing status on the PSA project (billed, paid, invoice numbers) so delivery sees it. */
  publishBillingStatus(projectId: string, status: PsaBillingStatus, key: string): Promise<void>;
  /** A cheap real read that proves the PSA answers (the re-test of a connection marked offline). */
  probe(): Promise<void>;
}

export interface PsaBillingStatus {
  billed: Money;
  paid: Money;
  unbilled: Money;
  invoices: { number: string; status: string; total: Money; url?: string }[];
}

export type { Milestone };

// ---- amendments (issue 4) ----
/** What an amendment changes on the PSA project: the new budget, the full milestone list and rate card. */
export interface PsaAmendmentSpec {
  budget: Money;
  /** Every milestone of the amended contract; existing ones are found by their canonical key. */
  milestones: Milestone[];
  /** The amended rate card; each rate's `effectiveFrom` becomes a rate card version from that date. */
  rateCard?: RateCard;
}

export interface PsaAmendmentPort {
  /**
   * Bring the PSA project in line with an amendment: budget, milestones (added or updated by key) and a new
   * rate card version for rates from their effective date. Check-before-act: a second call changes nothing.
   */
  applyAmendment(projectId: string, spec: PsaAmendmentSpec, key: string): Promise<void>;
}

export interface ErpAmendmentInput {
  projectId: string;
  billingScheduleId: string;
  schedule: BillingSchedule;
  notToExceed?: Money;
  /** The project price milestone percentages apply to; defaults to the schedule's total. */
  price?: Money;
  endDate?: string;
}

export interface ErpAmendmentPort {
  /** Update the billing schedule and the project's price, cap and end date; writes only what differs. */
  applyAmendment(
    input: ErpAmendmentInput,
    key: string,
  ): Promise<{ scheduleUpdated: boolean; projectUpdated: boolean }>;
}

export interface PsaPort extends PsaAmendmentPort {}
export interface ErpPort extends ErpAmendmentPort {}
