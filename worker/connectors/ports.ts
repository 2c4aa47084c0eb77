import type { Contract, Customer, Milestone, RateCard, TeamRole } from '../../shared/model/contract';
import type { BillingSchedule, ProjectSpec } from '../../shared/model/project';

/**
 * Ports: what the sync needs from each kind of system. A connector implements one port for one
 * vendor; another CRM/PSA/ERP is added by writing another implementation, not by touching the sync.
 * Every method either succeeds or throws ConnectorError (see ./errors) saying whether a retry helps.
 * Every write is idempotent under its `key`: calling it again with the same key after a timeout or a
 * dropped response finds the record it created instead of creating another.
 */

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
}

export interface ExternalRecord {
  id: string;
  url?: string;
  /** True when this call created the record, false when it found or updated an existing one. */
  created: boolean;
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
  upsertBillingSchedule(
    input: { projectId: string; customerId: string; schedule: BillingSchedule; name: string },
    key: string,
  ): Promise<ExternalRecord>;
  recordUrl(type: 'customer' | 'project' | 'billing_schedule', id: string): string;
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
}

export type { Milestone };
