import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Handoff's own state: tenants and their connections, the links between systems, workflow state,
 * idempotency records, the audit trail, exceptions and the outbox. Every row carries its tenant and
 * every query filters on it. Business data stays in the systems that own it.
 */

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

export const tenantsTable = sqliteTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  salesforceOrgId: text('salesforce_org_id').unique(),
  /** The firm's Microsoft Entra tenant (Teams): its tid maps to this tenant. */
  teamsTenantId: text('teams_tenant_id').unique(),
  createdAt: text('created_at').notNull().default(now),
});

export const apiKeysTable = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantsTable.id),
    /** Which surface the key may call: crm (the Salesforce package), psa (the PSA host minting sidebar tokens), admin. */
    scope: text('scope', { enum: ['crm', 'psa', 'admin'] }).notNull(),
    keyHash: text('key_hash').notNull(),
    prefix: text('prefix').notNull(),
    label: text('label').notNull(),
    createdAt: text('created_at').notNull().default(now),
    /** Refused from this instant (now at once when revoked). */
    revokedAt: text('revoked_at'),
    /** Set when the key is rotated: it keeps working until then (the overlap), and is refused after. */
    expiresAt: text('expires_at'),
    /** The key that replaced this one in a rotation. */
    replacedBy: text('replaced_by'),
    /** Last successful authentication, to the hour (written at most once an hour per key). */
    lastUsedAt: text('last_used_at'),
  },
  (t) => [uniqueIndex('api_keys_hash_idx').on(t.keyHash), index('api_keys_tenant_idx').on(t.tenantId)],
);

export const connectionsTable = sqliteTable(
  'connections',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantsTable.id),
    role: text('role', { enum: ['crm', 'psa', 'erp', 'clm'] }).notNull(),
    system: text('system').notNull(),
    /** Non-secret settings (URLs, account ids, id maps) as JSON. */
    config: text('config', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
    /** Secrets (tokens, keys) AES-GCM encrypted with the data key, as `{keyId}:{base64}`; never returned by the API. */
    secretCiphertext: text('secret_ciphertext').notNull(),
    /** ERP concurrency limit shared with every other integration on the account. */
    concurrencyLimit: integer('concurrency_limit').notNull().default(5),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.role] })],
);

export const activationsTable = sqliteTable(
  'activations',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantsTable.id),
    /** The CRM opportunity: one activation per opportunity, however often anyone clicks. */
    opportunityId: text('opportunity_id').notNull(),
    crmRecordId: text('crm_record_id').notNull(),
    status: text('status', {
      enum: ['queued', 'running', 'retrying', 'active', 'needs_fixes', 'failed'],
    }).notNull(),
    attempt: integer('attempt').notNull().default(1),
    workflowInstanceId: text('workflow_instance_id').notNull(),
    workflowStarted: integer('workflow_started', { mode: 'boolean' }).notNull().default(false),
    correlationId: text('correlation_id').notNull(),
    contractNumber: text('contract_number'),
    message: text('message'),
    problems: text('problems', { mode: 'json' }).$type<unknown[]>(),
    exceptionId: text('exception_id'),
    requestedBy: text('requested_by'),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
    completedAt: text('completed_at'),
  },
  (t) => [
    uniqueIndex('activations_opportunity_idx').on(t.tenantId, t.opportunityId),
    index('activations_status_idx').on(t.status, t.updatedAt),
  ],
);

export const activationStepsTable = sqliteTable(
  'activation_steps',
  {
    tenantId: text('tenant_id').notNull(),
    activationId: text('activation_id')
      .notNull()
      .references(() => activationsTable.id),
    name: text('name').notNull(),
    status: text('status', {
      enum: ['pending', 'running', 'retrying', 'done', 'failed', 'skipped'],
    }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    message: text('message'),
    startedAt: text('started_at'),
    finishedAt: text('finished_at'),
  },
  (t) => [primaryKey({ columns: [t.activationId, t.name] })],
);

export const linksTable = sqliteTable(
  'links',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantsTable.id),
    /** The canonical contract id: the CRM opportunity id. */
    contractKey: text('contract_key').notNull(),
    role: text('role', { enum: ['crm', 'clm', 'psa', 'erp'] }).notNull(),
    system: text('system').notNull(),
    kind: text('kind').notNull(),
    /** Distinguishes many links of one kind (a milestone's canonical key); '' for singletons. */
    localKey: text('local_key').notNull().default(''),
    externalId: text('external_id').notNull(),
    url: text('url'),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.contractKey, t.system, t.kind, t.localKey] }),
    index('links_external_idx').on(t.tenantId, t.system, t.externalId),
  ],
);

export const idempotencyKeysTable = sqliteTable(
  'idempotency_keys',
  {
    tenantId: text('tenant_id').notNull(),
    principal: text('principal').notNull(),
    route: text('route').notNull(),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    state: text('state', { enum: ['running', 'done'] }).notNull(),
    statusCode: integer('status_code'),
    responseBody: text('response_body'),
    createdAt: text('created_at').notNull().default(now),
    expiresAt: text('expires_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.principal, t.route, t.key] }),
    index('idem_expiry_idx').on(t.expiresAt),
  ],
);

export const auditLogTable = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tenantId: text('tenant_id').notNull(),
    correlationId: text('correlation_id').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>(),
    at: text('at').notNull().default(now),
  },
  (t) => [
    index('audit_tenant_idx').on(t.tenantId, t.at),
    index('audit_correlation_idx').on(t.correlationId),
    // The history of one record (an exception's detail page): its rows in order.
    index('audit_subject_idx').on(t.tenantId, t.subjectType, t.subjectId, t.id),
  ],
);

export const exceptionsTable = sqliteTable(
  'exceptions',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    correlationId: text('correlation_id').notNull(),
    source: text('source').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    projectKey: text('project_key'),
    code: text('code').notNull(),
    reason: text('reason').notNull(),
    owner: text('owner').notNull(),
    suggestedFix: text('suggested_fix').notNull(),
    status: text('status', { enum: ['open', 'retrying', 'resolved', 'skipped'] })
      .notNull()
      .default('open'),
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>(),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
    resolvedBy: text('resolved_by'),
    resolutionNote: text('resolution_note'),
    /**
     * The vendor system the failure concerns, as the firm connected it (`netsuite`, `kantata`, `salesforce`,
     * `docusign`), the role when nothing is connected in it, or `handoff` for Handoff's own.
     */
    system: text('system').notNull().default('handoff'),
    /** A human title: the person, date, hours or amount the exception is about (null: derived on read). */
    title: text('title'),
    /** The person working on it (a free id: a console member, an Entra object id, an email). */
    assignee: text('assignee'),
    /** The bulk job that last acted on it. */
    jobId: text('job_id'),
  },
  (t) => [
    // The workbench lists newest first with a keyset cursor (created_at, id) under any one filter: one
    // index per filter a firm of 100,000 exceptions narrows by, each ending in the order of the list.
    index('exceptions_tenant_idx').on(t.tenantId, t.status, t.createdAt),
    index('exceptions_project_idx').on(t.tenantId, t.projectKey, t.createdAt),
    index('exceptions_created_idx').on(t.tenantId, t.createdAt, t.id),
    index('exceptions_owner_idx').on(t.tenantId, t.owner, t.createdAt, t.id),
    index('exceptions_code_idx').on(t.tenantId, t.code, t.createdAt, t.id),
    index('exceptions_system_idx').on(t.tenantId, t.system, t.createdAt, t.id),
    index('exceptions_assignee_idx').on(t.tenantId, t.assignee, t.createdAt, t.id),
  ],
);

/** Labels people put on exceptions to work them in groups. */
export const exceptionTagsTable = sqliteTable(
  'exception_tags',
  {
    tenantId: text('tenant_id').notNull(),
    exceptionId: text('exception_id').notNull(),
    tag: text('tag').notNull(),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.exceptionId, t.tag] }),
    index('exception_tags_tag_idx').on(t.tenantId, t.tag, t.exceptionId),
  ],
);

/** How long each owner queue has to act on an exception before it is overdue, per firm (hours). */
export const slaPoliciesTable = sqliteTable('sla_policies', {
  tenantId: text('tenant_id').primaryKey(),
  policy: text('policy', { mode: 'json' })
    .notNull()
    .$type<{ owners: Record<string, number>; defaultHours: number }>(),
  updatedAt: text('updated_at').notNull().default(now),
});

/**
 * A bulk action on exceptions (retry, skip, assign, tag), run as a tracked job: its selection is frozen into
 * `exception_job_items` when it starts, then worked through page by page with `cursor` (the last item's seq).
 * Each page is one atomic batch that also advances the cursor, so a page re-run after a crash acts on nothing
 * twice.
 */
export const exceptionJobsTable = sqliteTable(
  'exception_jobs',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    action: text('action', { enum: ['retry', 'skip', 'assign', 'tag'] }).notNull(),
    /** What the action needs: the reason (skip), the assignee (assign), the tags to add and remove (tag). */
    params: text('params', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
    /** What was asked for: `{ids}` or `{filter}`, as sent. */
    selection: text('selection', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
    state: text('state', { enum: ['queued', 'running', 'cancelled', 'done', 'failed'] }).notNull(),
    total: integer('total').notNull(),
    cursor: integer('cursor').notNull().default(0),
    processed: integer('processed').notNull().default(0),
    succeeded: integer('succeeded').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    /** Consecutive failed attempts at the current page (reset by a page that commits). */
    attempts: integer('attempts').notNull().default(0),
    message: text('message'),
    /** The audited actor who started it, and the principal's details. */
    createdBy: text('created_by').notNull(),
    principal: text('principal', { mode: 'json' }).notNull().$type<Record<string, string>>(),
    correlationId: text('correlation_id').notNull(),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
    finishedAt: text('finished_at'),
  },
  (t) => [
    index('exception_jobs_tenant_idx').on(t.tenantId, t.createdAt),
    index('exception_jobs_state_idx').on(t.state, t.updatedAt),
  ],
);

/** The frozen selection of a job, in the order it is worked, and what became of each item. */
export const exceptionJobItemsTable = sqliteTable(
  'exception_job_items',
  {
    jobId: text('job_id').notNull(),
    seq: integer('seq').notNull(),
    tenantId: text('tenant_id').notNull(),
    exceptionId: text('exception_id').notNull(),
    /** null until its page commits; then succeeded, failed (message says why) or unchanged (nothing to do). */
    outcome: text('outcome', { enum: ['succeeded', 'failed', 'unchanged'] }),
    message: text('message'),
  },
  (t) => [
    primaryKey({ columns: [t.jobId, t.seq] }),
    index('exception_job_items_outcome_idx').on(t.jobId, t.outcome, t.seq),
  ],
);

export const outboxTable = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    topic: text('topic').notNull(),
    payload: text('payload', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
    createdAt: text('created_at').notNull().default(now),
    dispatchedAt: text('dispatched_at'),
  },
  (t) => [index('outbox_pending_idx').on(t.dispatchedAt, t.createdAt)],
);

// ---- delivery to billing -------------------------------------------------------------------------

/** The contract terms each project is checked against, versioned (activation is version 1). */
export const contractVersionsTable = sqliteTable(
  'contract_versions',
  {
    tenantId: text('tenant_id').notNull(),
    contractKey: text('contract_key').notNull(),
    version: integer('version').notNull(),
    contract: text('contract', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
    source: text('source').notNull(),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.contractKey, t.version] })],
);

/**
 * One approved time entry or expense from the PSA and what became of it. The id is the PSA's, so an
 * entry announced twice (webhook and poll, or a redelivery) is one row.
 */
export const deliveryItemsTable = sqliteTable(
  'delivery_items',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    kind: text('kind', { enum: ['time', 'expense'] }).notNull(),
    contractKey: text('contract_key').notNull(),
    psaProjectId: text('psa_project_id').notNull(),
    entry: text('entry', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
    state: text('state', { enum: ['queued', 'posted', 'held', 'skipped'] }).notNull(),
    billable: integer('billable', { mode: 'boolean' }).notNull(),
    isTravel: integer('is_travel', { mode: 'boolean' }).notNull().default(false),
    amountMinor: integer('amount_minor').notNull(),
    currency: text('currency').notNull(),
    rateMinor: integer('rate_minor'),
    rule: text('rule'),
    note: text('note'),
    erpId: text('erp_id'),
    exceptionId: text('exception_id'),
    correlationId: text('correlation_id').notNull(),
    psaUpdatedAt: text('psa_updated_at').notNull(),
    postedAt: text('posted_at'),
    /**
     * Set while a queued item waits for a system that is offline (outage mode, e.g. `erp`): its message was
     * acked, and the cron's re-test sends it again, once, when the system is back.
     */
    waitingFor: text('waiting_for', { enum: ['erp'] }),
    /** Delivery attempts of its posting message so far (for a dead letter: how many it took). */
    postAttempts: integer('post_attempts').notNull().default(0),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('delivery_waiting_idx').on(t.waitingFor, t.tenantId),
    // The console's backlog: how many are queued and since when.
    index('delivery_state_idx').on(t.tenantId, t.state, t.createdAt),
    index('delivery_project_idx').on(t.tenantId, t.psaProjectId, t.state),
    // Covers the sums readiness and the caps are counted from, without reading the entries themselves.
    index('delivery_contract_totals_idx').on(
      t.tenantId,
      t.contractKey,
      t.kind,
      t.state,
      t.billable,
      t.isTravel,
      t.amountMinor,
    ),
  ],
);

/** Acceptance of a completed milestone: requested, then accepted or rejected by an approver. */
export const approvalsTable = sqliteTable(
  'approvals',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    kind: text('kind', { enum: ['milestone', 'change_order'] }).notNull(),
    contractKey: text('contract_key').notNull(),
    subjectKey: text('subject_key').notNull(),
    psaSubjectId: text('psa_subject_id'),
    state: text('state', { enum: ['requested', 'accepted', 'rejected'] }).notNull(),
    approver: text('approver'),
    decidedBy: text('decided_by'),
    decidedAt: text('decided_at'),
    comment: text('comment'),
    evidence: text('evidence', { mode: 'json' }).$type<Record<string, unknown>>(),
    correlationId: text('correlation_id').notNull(),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('approvals_subject_idx').on(t.tenantId, t.kind, t.contractKey, t.subjectKey)],
);

/** Invoices the ERP holds for a project, as last read (the ERP owns them; this is for readiness). */
export const invoicesTable = sqliteTable(
  'invoices',
  {
    tenantId: text('tenant_id').notNull(),
    erpId: text('erp_id').notNull(),
    contractKey: text('contract_key').notNull(),
    number: text('number').notNull(),
    status: text('status', { enum: ['created', 'posted', 'sent', 'paid', 'voided'] }).notNull(),
    totalMinor: integer('total_minor').notNull(),
    paidMinor: integer('paid_minor').notNull(),
    currency: text('currency').notNull(),
    date: text('date').notNull(),
    url: text('url'),
    description: text('description').notNull(),
    milestoneKey: text('milestone_key'),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.erpId] }),
    index('invoices_contract_idx').on(t.tenantId, t.contractKey),
  ],
);

/** Webhook deliveries already taken (dedupe on the sender's delivery id). */
export const webhookReceiptsTable = sqliteTable(
  'webhook_receipts',
  {
    tenantId: text('tenant_id').notNull(),
    source: text('source').notNull(),
    deliveryId: text('delivery_id').notNull(),
    receivedAt: text('received_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.source, t.deliveryId] })],
);

/** Where each poll left off. */
export const syncCursorsTable = sqliteTable(
  'sync_cursors',
  {
    tenantId: text('tenant_id').notNull(),
    name: text('name').notNull(),
    value: text('value').notNull(),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.name] })],
);

/** Last known delivery state of each milestone in the PSA, and what blocks billing it. */
export const milestoneStatusTable = sqliteTable(
  'milestone_status',
  {
    tenantId: text('tenant_id').notNull(),
    contractKey: text('contract_key').notNull(),
    milestoneKey: text('milestone_key').notNull(),
    psaId: text('psa_id').notNull(),
    psaState: text('psa_state', { enum: ['not_started', 'in_progress', 'completed'] }).notNull(),
    blockers: text('blockers', { mode: 'json' })
      .notNull()
      .$type<{ rule: string; reason: string; fix: string }[]>(),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.contractKey, t.milestoneKey] })],
);

// ---- approvals in Teams and amendments -----------------------------------------------------------

/** Who decides what, per tenant: the assigned approvers (Entra object ids) and when a change order needs one. */
export const approvalPoliciesTable = sqliteTable('approval_policies', {
  tenantId: text('tenant_id').primaryKey(),
  policy: text('policy', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  updatedAt: text('updated_at').notNull().default(now),
});

/** Where a Teams user can be reached proactively (a 1:1 conversation with the bot). */
export const teamsConversationsTable = sqliteTable(
  'teams_conversations',
  {
    tenantId: text('tenant_id').notNull(),
    aadObjectId: text('aad_object_id').notNull(),
    serviceUrl: text('service_url').notNull(),
    conversationId: text('conversation_id').notNull(),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.aadObjectId] })],
);

/** Cards sent for a subject, so a decision can update every copy. */
export const teamsCardsTable = sqliteTable(
  'teams_cards',
  {
    tenantId: text('tenant_id').notNull(),
    subjectType: text('subject_type', { enum: ['approval', 'exception'] }).notNull(),
    subjectId: text('subject_id').notNull(),
    conversationId: text('conversation_id').notNull(),
    activityId: text('activity_id').notNull(),
    serviceUrl: text('service_url').notNull(),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.subjectType, t.subjectId, t.conversationId] })],
);

/** A signed amendment: a new version of the contract, applied in order, once. */
export const amendmentsTable = sqliteTable(
  'amendments',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    contractKey: text('contract_key').notNull(),
    number: integer('number').notNull(),
    source: text('source', { enum: ['docusign', 'crm'] }).notNull(),
    sourceRef: text('source_ref').notNull(),
    effectiveDate: text('effective_date').notNull(),
    signedBy: text('signed_by', { mode: 'json' }).$type<unknown[]>(),
    changes: text('changes', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
    diff: text('diff', { mode: 'json' }).$type<Record<string, unknown>>(),
    state: text('state', {
      enum: ['received', 'awaiting_approval', 'approved', 'applied', 'rejected', 'failed'],
    }).notNull(),
    contractVersion: integer('contract_version'),
    approvalId: text('approval_id'),
    correlationId: text('correlation_id').notNull(),
    message: text('message'),
    createdAt: text('created_at').notNull().default(now),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('amendments_number_idx').on(t.tenantId, t.contractKey, t.number),
    uniqueIndex('amendments_source_idx').on(t.tenantId, t.source, t.sourceRef),
  ],
);

// ---- identity proofs ------------------------------------------------------------------------------

/**
 * A sign-in started by a tenant's admin to prove an identity claim (today: that the firm is the Microsoft 365
 * organisation it connects), bound to that tenant. One-time and short-lived: the callback consumes it with a
 * conditional update, so a state is redeemed at most once. The state itself is stored only as its hash; the
 * PKCE verifier and the nonce stay server side and never reach the browser.
 */
export const identityClaimsTable = sqliteTable(
  'identity_claims',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantsTable.id),
    provider: text('provider', { enum: ['microsoft'] }).notNull(),
    purpose: text('purpose', { enum: ['teams_tenant'] }).notNull(),
    stateHash: text('state_hash').notNull(),
    nonce: text('nonce').notNull(),
    codeVerifier: text('code_verifier').notNull(),
    redirectUri: text('redirect_uri').notNull(),
    /** Who started it (the audited principal of the admin key). */
    startedBy: text('started_by', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
    expiresAt: text('expires_at').notNull(),
    consumedAt: text('consumed_at'),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('identity_claims_state_idx').on(t.stateHash),
    index('identity_claims_tenant_idx').on(t.tenantId, t.createdAt),
  ],
);

// ---- install and connect (the console) ----------------------------------------------------------------

/**
 * An OAuth 2.0 authorization a firm's admin started to connect a system (Salesforce web-server flow with PKCE,
 * Kantata's authorization-code flow), bound to that firm. One-time, 10 minutes: the callback consumes it with
 * a conditional update. The state is stored only as its hash; the PKCE verifier never leaves the server.
 */
export const connectionAuthorizationsTable = sqliteTable(
  'connection_authorizations',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantsTable.id),
    role: text('role', { enum: ['crm', 'psa'] }).notNull(),
    system: text('system').notNull(),
    stateHash: text('state_hash').notNull(),
    /** PKCE (RFC 7636) verifier, when the provider takes one. */
    codeVerifier: text('code_verifier'),
    redirectUri: text('redirect_uri').notNull(),
    /** Where the provider lives for this firm (login URL, API and UI URLs): never secret. */
    endpoints: text('endpoints', { mode: 'json' }).notNull().$type<Record<string, string>>(),
    /** The audited principal who started it: the connection is saved in their name. */
    startedBy: text('started_by', { mode: 'json' }).notNull().$type<{
      actor: string;
      principal: Record<string, string>;
    }>(),
    expiresAt: text('expires_at').notNull(),
    consumedAt: text('consumed_at'),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('connection_authorizations_state_idx').on(t.stateHash),
    index('connection_authorizations_tenant_idx').on(t.tenantId, t.createdAt),
  ],
);

/**
 * When something last showed that a firm's integration is in use: a sidebar embed token minted, a DocuSign
 * Connect message verified. One row per (firm, signal), written at most once a minute.
 */
export const integrationSignalsTable = sqliteTable(
  'integration_signals',
  {
    tenantId: text('tenant_id').notNull(),
    signal: text('signal', { enum: ['sidebar.embed_token', 'docusign.connect_verified'] }).notNull(),
    lastAt: text('last_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.signal] })],
);

// ---- operations: dead letters, connection health, outage mode ------------------------------------

/**
 * A message that exhausted its retries and reached a dead-letter queue: what it was, whose, why it failed,
 * the exception it opened, and what a person did with it. One row per subject (the delivery item) and queue:
 * the same item dead-lettered again is the same letter, seen again.
 */
export const deadLettersTable = sqliteTable(
  'dead_letters',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    /** The queue the message was meant for (a replay sends it there again), e.g. `handoff-posting`. */
    queue: text('queue').notNull(),
    /** What the message was about: the delivery item id, or the queue's message id when unreadable. */
    subjectKey: text('subject_key').notNull(),
    messageId: text('message_id').notNull(),
    /** The message body as it arrived (at most 16 KB of it). */
    message: text('message', { mode: 'json' }).notNull().$type<unknown>(),
    itemId: text('item_id'),
    correlationId: text('correlation_id').notNull(),
    attempts: integer('attempts').notNull(),
    /** How often this subject reached the dead-letter queue. */
    times: integer('times').notNull().default(1),
    reason: text('reason').notNull(),
    exceptionId: text('exception_id'),
    state: text('state', { enum: ['waiting', 'replayed', 'discarded'] }).notNull(),
    /** What the last replay did: sent, already-posted, entry-held, entry-skipped, not-replayable. */
    outcome: text('outcome'),
    firstSeenAt: text('first_seen_at').notNull(),
    lastSeenAt: text('last_seen_at').notNull(),
    /** The audited actor of the last replay or discard, when, and (for a discard) why. */
    handledBy: text('handled_by'),
    handledAt: text('handled_at'),
    note: text('note'),
  },
  (t) => [
    uniqueIndex('dead_letters_subject_idx').on(t.tenantId, t.queue, t.subjectKey),
    index('dead_letters_list_idx').on(t.tenantId, t.state, t.firstSeenAt, t.id),
  ],
);

/**
 * Outage mode: a firm's connection marked offline after repeated unavailable answers, until the cron's re-test
 * reads from it again. Written on a change of state only (the counting lives in the ConnectionMonitor object).
 */
export const connectionStatusTable = sqliteTable(
  'connection_status',
  {
    tenantId: text('tenant_id').notNull(),
    role: text('role', { enum: ['crm', 'psa', 'erp', 'clm', 'teams'] }).notNull(),
    system: text('system').notNull(),
    state: text('state', { enum: ['online', 'offline'] }).notNull(),
    since: text('since').notNull(),
    reason: text('reason'),
    /** The cron's last re-test of an offline connection, and what it answered. */
    lastCheckedAt: text('last_checked_at'),
    lastCheckError: text('last_check_error'),
    updatedAt: text('updated_at').notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.role] }),
    index('connection_status_state_idx').on(t.state, t.lastCheckedAt),
  ],
);

/**
 * A workflow step waiting for a connection to come back: the cron sends `eventType` to the instance when the
 * re-test passes (one event per waiting step: parallel branches may wait at once).
 */
export const outageWaitersTable = sqliteTable(
  'outage_waiters',
  {
    tenantId: text('tenant_id').notNull(),
    role: text('role', { enum: ['crm', 'psa', 'erp'] }).notNull(),
    workflow: text('workflow', { enum: ['activation', 'amendment'] }).notNull(),
    instanceId: text('instance_id').notNull(),
    eventType: text('event_type').notNull(),
    since: text('since').notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.workflow, t.instanceId, t.eventType] }),
    index('outage_waiters_role_idx').on(t.tenantId, t.role),
  ],
);

// ---- the console: members, invitations, sessions -------------------------------------------------

/**
 * A person who may sign in to a firm's console: bound at their first sign-in (through an invitation) to one
 * identity at one provider, `(provider, organization_id, subject)`, which is globally unique, so a returning
 * sign-in finds exactly one firm. `roles` are the roles assigned in Handoff; roles mapped from the
 * provider's groups are added at each sign-in (they live on the session).
 */
export const consoleMembersTable = sqliteTable(
  'console_members',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantsTable.id),
    provider: text('provider', { enum: ['entra', 'salesforce'] }).notNull(),
    /** The Entra tenant (tid) or the Salesforce org id (18 characters) the person signed in from. */
    organizationId: text('organization_id').notNull(),
    /** Their Entra object id (oid) or Salesforce user id (18 characters). */
    subject: text('subject').notNull(),
    name: text('name').notNull(),
    email: text('email'),
    roles: text('roles', { mode: 'json' }).notNull().$type<string[]>(),
    state: text('state', { enum: ['active', 'disabled'] })
      .notNull()
      .default('active'),
    /** The invitation it was made from. */
    invitationId: text('invitation_id'),
    createdAt: text('created_at').notNull().default(now),
    lastSignInAt: text('last_sign_in_at'),
  },
  (t) => [
    uniqueIndex('console_members_identity_idx').on(t.provider, t.organizationId, t.subject),
    index('console_members_tenant_idx').on(t.tenantId),
  ],
);

/** A one-time invitation to a firm's console with its roles; only the token's hash is kept. */
export const consoleInvitationsTable = sqliteTable(
  'console_invitations',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantsTable.id),
    tokenHash: text('token_hash').notNull(),
    roles: text('roles', { mode: 'json' }).notNull().$type<string[]>(),
    /** Who it is meant for (shown, and compared with the signed-in email when set). */
    email: text('email'),
    expiresAt: text('expires_at').notNull(),
    redeemedAt: text('redeemed_at'),
    redeemedBy: text('redeemed_by'),
    /** The audited actor who created it (`operator`, `key:…`, `person:…`). */
    createdBy: text('created_by').notNull(),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('console_invitations_token_idx').on(t.tokenHash),
    index('console_invitations_tenant_idx').on(t.tenantId, t.createdAt),
  ],
);

/**
 * A signed-in console session. The cookie carries a random secret of which only the hash is kept; `id` is a
 * public handle (audit, logs). Idle expiry slides with use (30 minutes); the absolute expiry does not (12 h).
 */
export const consoleSessionsTable = sqliteTable(
  'console_sessions',
  {
    id: text('id').primaryKey(),
    tokenHash: text('token_hash').notNull(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantsTable.id),
    memberId: text('member_id')
      .notNull()
      .references(() => consoleMembersTable.id),
    /** The roles of this sign-in: assigned roles plus those mapped from the provider's groups. */
    roles: text('roles', { mode: 'json' }).notNull().$type<string[]>(),
    csrfToken: text('csrf_token').notNull(),
    createdAt: text('created_at').notNull().default(now),
    lastSeenAt: text('last_seen_at').notNull(),
    idleExpiresAt: text('idle_expires_at').notNull(),
    absoluteExpiresAt: text('absolute_expires_at').notNull(),
    revokedAt: text('revoked_at'),
    revokedReason: text('revoked_reason'),
  },
  (t) => [
    uniqueIndex('console_sessions_token_idx').on(t.tokenHash),
    index('console_sessions_member_idx').on(t.memberId),
    index('console_sessions_expiry_idx').on(t.absoluteExpiresAt),
  ],
);

/** Roles granted to everyone in an identity-provider group (Entra security group object id). */
export const consoleGroupMappingsTable = sqliteTable(
  'console_group_mappings',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantsTable.id),
    provider: text('provider', { enum: ['entra', 'salesforce'] }).notNull(),
    groupId: text('group_id').notNull(),
    role: text('role').notNull(),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.provider, t.groupId, t.role] })],
);

/**
 * A console sign-in on its way through the identity provider: state (hashed), nonce and PKCE verifier kept
 * server side, 10 minutes, consumed once by the callback (as the Microsoft claim's sign-in is).
 */
export const consoleSignInsTable = sqliteTable(
  'console_sign_ins',
  {
    id: text('id').primaryKey(),
    provider: text('provider', { enum: ['entra', 'salesforce'] }).notNull(),
    stateHash: text('state_hash').notNull(),
    /** The hash of the browser's sign-in cookie: only the browser that started may finish (no login CSRF). */
    browserHash: text('browser_hash').notNull(),
    nonce: text('nonce').notNull(),
    codeVerifier: text('code_verifier').notNull(),
    redirectUri: text('redirect_uri').notNull(),
    invitationId: text('invitation_id'),
    returnTo: text('return_to').notNull(),
    expiresAt: text('expires_at').notNull(),
    consumedAt: text('consumed_at'),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('console_sign_ins_state_idx').on(t.stateHash),
    index('console_sign_ins_expiry_idx').on(t.expiresAt),
  ],
);
