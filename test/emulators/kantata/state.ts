/**
 * The state of one emulated Kantata OX (Mavenlink) account. Records are stored the way the API shows them
 * (ids as numeric strings, money in the currency's subunits) so routes can serialise them with little
 * translation. Only the resources Handoff touches are modelled.
 */

export interface KantataUser {
  id: string;
  full_name: string;
  email_address: string;
  headline?: string;
}

export interface KantataRole {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export interface TemplateTask {
  title: string;
  story_type: 'task' | 'deliverable' | 'milestone';
  /** Days after the template start date. */
  offset_days: number;
}

export interface KantataProjectTemplate {
  id: string;
  title: string;
  description: string;
  currency: string;
  is_budgeted: boolean;
  tasks: TemplateTask[];
  created_at: string;
  updated_at: string;
}

export interface KantataWorkspace {
  id: string;
  title: string;
  description: string;
  start_date: string | null;
  due_date: string | null;
  budgeted: boolean;
  price_in_cents: number | null;
  currency: string;
  rate_card_id: string | null;
  project_tracker_template_id: string | null;
  creator_role: 'consultant' | 'client';
  creator_id: string;
  archived: boolean;
  created_at: string;
  updated_at: string;
}

export type StoryType = 'task' | 'deliverable' | 'milestone' | 'issue';

export interface KantataStory {
  id: string;
  workspace_id: string;
  title: string;
  description: string;
  story_type: StoryType;
  parent_id: string | null;
  root_id: string | null;
  ancestry_depth: number;
  start_date: string | null;
  due_date: string | null;
  budget_estimate_in_cents: number | null;
  state: string;
  position: number;
  archived: boolean;
  deleted_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface KantataWorkspaceResource {
  id: string;
  workspace_id: string;
  user_id: string | null;
  role_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface KantataExternalReference {
  id: string;
  subject_type: string;
  subject_id: string;
  service_name: string;
  service_model: string;
  service_model_ref: string;
  status: string | null;
  external_link: string | null;
  external_status: string | null;
  external_message: string | null;
  locked: boolean;
  last_synced_at: string;
  created_at: string;
  updated_at: string;
}

export interface KantataRateCardSet {
  id: string;
  title: string;
  account_default: boolean;
  created_at: string;
  updated_at: string;
}

export interface KantataRateCardSetVersion {
  id: string;
  rate_card_set_id: string;
  effective_date: string;
  active: boolean;
  created_at: string;
  updated_at: string;
}

export interface KantataRateCard {
  id: string;
  rate_card_set_id: string;
  currency: string;
  created_at: string;
  updated_at: string;
}

export interface KantataRateCardVersion {
  id: string;
  rate_card_id: string;
  rate_card_set_version_id: string;
  default_rate: number;
  created_at: string;
  updated_at: string;
}

export interface KantataRateCardRole {
  id: string;
  rate_card_version_id: string;
  role_id: string;
  /** Bill rate in the currency's subunits per hour, as the API documents it. */
  rate: number;
  created_at: string;
  updated_at: string;
}

export interface KantataTimeEntry {
  id: string;
  workspace_id: string;
  user_id: string;
  story_id: string | null;
  date_performed: string;
  time_in_minutes: number;
  billable: boolean;
  notes: string;
  /** Bill rate in the currency's subunits per hour. */
  rate_in_cents: number;
  currency: string;
  is_invoiced: boolean;
  /** The timesheet submission the entry is on while pending or approved (Kantata: `active_submission_id`). */
  active_submission_id: string | null;
  approved: boolean;
  created_at: string;
  updated_at: string;
}

export interface KantataExpense {
  id: string;
  workspace_id: string;
  user_id: string;
  date: string;
  category: string;
  notes: string;
  amount_in_cents: number;
  currency: string;
  is_billable: boolean;
  is_invoiced: boolean;
  reimbursable: boolean;
  active_submission_id: string | null;
  approved: boolean;
  created_at: string;
  updated_at: string;
}

/** Timesheet submissions (time) and expense report submissions (expenses) share one shape. */
export interface KantataSubmission {
  id: string;
  kind: 'timesheet' | 'expense_report';
  workspace_id: string;
  user_id: string;
  title: string;
  line_item_ids: string[];
  status: 'pending' | 'approved' | 'rejected' | 'canceled';
  resolution_description: string | null;
  submitted_at: string;
  created_at: string;
  updated_at: string;
}

/** One Subscribed Event (`GET /subscribed_events`): a change to a subject, with its before/after payloads. */
export interface KantataSubscribedEvent {
  id: string;
  event_type: string;
  subject_type: string;
  subject_id: string;
  subject_key: string;
  user_id: string;
  workspace_id: string | null;
  current_payload: Record<string, unknown> | null;
  previous_payload: Record<string, unknown> | null;
  subject_changed_at: string;
  created_at: string;
}

/**
 * EMULATOR STAND-IN, not a Kantata API: Kantata documents no push webhooks (only the pull-based Subscribed
 * Events API). The emulator pushes each subscribed event to these subscribers, signed per Standard Webhooks.
 */
export interface WebhookSubscription {
  id: string;
  url: string;
  event_types: string[];
  /** `whsec_` + base64 key. */
  secret: string;
  created_at: string;
}

export interface WebhookDelivery {
  id: string;
  subscription_id: string;
  event_id: string;
  status: number | 'error';
  attempts: number;
  delivered_at: string;
}

export interface KantataState {
  accountName: string;
  accountCurrency: string;
  /** The user the access tokens act as. */
  apiUserId: string;
  users: Record<string, KantataUser>;
  roles: Record<string, KantataRole>;
  projectTemplates: Record<string, KantataProjectTemplate>;
  workspaces: Record<string, KantataWorkspace>;
  stories: Record<string, KantataStory>;
  workspaceResources: Record<string, KantataWorkspaceResource>;
  externalReferences: Record<string, KantataExternalReference>;
  rateCardSets: Record<string, KantataRateCardSet>;
  rateCardSetVersions: Record<string, KantataRateCardSetVersion>;
  rateCards: Record<string, KantataRateCard>;
  rateCardVersions: Record<string, KantataRateCardVersion>;
  rateCardRoles: Record<string, KantataRateCardRole>;
  timeEntries: Record<string, KantataTimeEntry>;
  expenses: Record<string, KantataExpense>;
  submissions: Record<string, KantataSubmission>;
  /** Ids of time entries / expenses by workspace, so a project's thousands of entries list without a full scan. */
  timeEntriesByWorkspace: Record<string, string[]>;
  expensesByWorkspace: Record<string, string[]>;
  /** Most recent last; trimmed to the retention Kantata documents (9 days). */
  subscribedEvents: KantataSubscribedEvent[];
  webhookSubscriptions: Record<string, WebhookSubscription>;
  webhookDeliveries: WebhookDelivery[];
}

export function initialKantataState(): KantataState {
  return {
    accountName: 'Kantata account',
    accountCurrency: 'USD',
    apiUserId: '0',
    users: {},
    roles: {},
    projectTemplates: {},
    workspaces: {},
    stories: {},
    workspaceResources: {},
    externalReferences: {},
    rateCardSets: {},
    rateCardSetVersions: {},
    rateCards: {},
    rateCardVersions: {},
    rateCardRoles: {},
    ...emptyDeliveryState(),
  };
}

export function emptyDeliveryState() {
  return {
    timeEntries: {},
    expenses: {},
    submissions: {},
    timeEntriesByWorkspace: {},
    expensesByWorkspace: {},
    subscribedEvents: [],
    webhookSubscriptions: {},
    webhookDeliveries: [],
  } satisfies Partial<KantataState>;
}

/** A sandbox snapshot saved before issue 3 lacks the delivery tables: add them empty. */
export function withDeliveryState(state: KantataState): KantataState {
  const empty = emptyDeliveryState();
  for (const [k, v] of Object.entries(empty)) {
    const key = k as keyof typeof empty;
    if ((state as unknown as Record<string, unknown>)[key] === undefined)
      (state as unknown as Record<string, unknown>)[key] = v;
  }
  return state;
}

/** The object types the external references API accepts as `subject_type` (from the API reference). */
export const EXTERNAL_REFERENCE_SUBJECT_TYPES = [
  'Assignment',
  'BillingMilestone',
  'CustomField',
  'CustomFieldChoice',
  'CustomFieldSet',
  'CustomFieldValue',
  'Estimate',
  'EstimateScenario',
  'EstimateScenarioResource',
  'Expense',
  'ExpenseBudget',
  'Invoice',
  'Participation',
  'Post',
  'RateCard',
  'Role',
  'Skill',
  'StatusReport',
  'Story',
  'StoryAllocationDay',
  'Submission',
  'SurveyAnswer',
  'SurveyQuestion',
  'SurveyResponse',
  'SurveyTemplate',
  'TimeEntry',
  'TimeOffEntry',
  'User',
  'Vendor',
  'Workspace',
  'WorkspaceAllocation',
  'WorkspaceGroup',
  'WorkspaceResource',
] as const;

/** Where the emulator keeps the subjects it models, so references to them can be checked. */
export function subjectTable(state: KantataState, subjectType: string): Record<string, unknown> | undefined {
  switch (subjectType) {
    case 'Workspace':
      return state.workspaces;
    case 'Story':
      return state.stories;
    case 'WorkspaceResource':
      return state.workspaceResources;
    case 'RateCard':
      return state.rateCards;
    case 'Role':
      return state.roles;
    case 'User':
      return state.users;
    case 'TimeEntry':
      return state.timeEntries;
    case 'Expense':
      return state.expenses;
    default:
      return undefined;
  }
}
