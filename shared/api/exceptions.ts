import { z } from 'zod';

/**
 * The exceptions workbench: the list and its filters, an exception as the console shows it, bulk jobs and
 * the SLA policy. Shared by the worker (which enforces it) and the console UI (which codes against it).
 */

export const EXCEPTION_STATUSES = ['open', 'retrying', 'resolved', 'skipped'] as const;
export const ExceptionStatusSchema = z.enum(EXCEPTION_STATUSES);
export type ExceptionStatus = z.infer<typeof ExceptionStatusSchema>;

/** A tag: a short label, letters, digits and `._:-`, compared as written. */
export const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,39}$/;
export const TagSchema = z
  .string()
  .regex(TAG_PATTERN, 'A tag is 1-40 letters, digits or . _ : - (starting with a letter or digit)');

/** A person an exception is assigned to: a free id (a console member id, an Entra object id, an email). */
export const AssigneeSchema = z
  .string()
  .trim()
  .regex(/^[\w.@:+-]{1,120}$/, 'An assignee is 1-120 letters, digits or . _ @ : + -');

/**
 * The workbench's filters, the same in the list's query string and a bulk job's `selection.filter`. A list
 * filter (status, owner, code, system) takes several values comma-separated (or, in a job, as an array): an
 * exception matches any of them. Filters combine with AND.
 */
export const ExceptionFilterFields = {
  status: 'open, retrying, resolved or skipped',
  owner: 'an owner queue (finance-ops, delivery-ops, sales-ops, integration-admin) or a person',
  code: 'the rule or error code (over-not-to-exceed, POSTING_RETRIES_EXHAUSTED...)',
  system: 'the system the failure concerns (netsuite, kantata, salesforce, docusign, handoff)',
  projectKey: 'the contract (CRM opportunity id)',
  assignee: 'the person assigned, or "none" for nobody',
  tag: 'a tag the exception carries',
  olderThanHours: 'raised at least this many hours ago',
  overdue: 'true: open and past its SLA due time; false: the others',
  q: 'words in the title or reason, or an exact exception or subject id',
} as const;

export interface ExceptionFilter {
  status?: ExceptionStatus[];
  owner?: string[];
  code?: string[];
  system?: string[];
  projectKey?: string;
  /** A person, or null for "assigned to nobody". */
  assignee?: string | null;
  tag?: string;
  olderThanHours?: number;
  overdue?: boolean;
  q?: string;
}

export const ExceptionViewSchema = z
  .object({
    id: z.string(),
    correlationId: z.string(),
    source: z.string(),
    subjectType: z.string(),
    subjectId: z.string(),
    projectKey: z.string().nullable(),
    code: z.string(),
    reason: z.string(),
    owner: z.string(),
    suggestedFix: z.string(),
    status: ExceptionStatusSchema,
    ageSeconds: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    /** What it is about, for people: the person, date, hours or amount. */
    title: z.string(),
    /** The system the failure concerns. */
    system: z.string(),
    assignee: z.string().nullable(),
    tags: z.array(z.string()),
    /** When its owner's SLA runs out (raised + the owner's hours). */
    slaDueAt: z.string(),
    /** Still open and past slaDueAt. */
    overdue: z.boolean(),
    resolvedBy: z.string().nullable(),
    resolutionNote: z.string().nullable(),
  })
  .meta({
    id: 'ExceptionView',
    description: 'An exception: what failed, why, whose it is, and how to fix it.',
  });
export type ExceptionView = z.infer<typeof ExceptionViewSchema>;

export const ExceptionFacetsSchema = z
  .object({
    byOwner: z.record(z.string(), z.number().int()),
    byCode: z.record(z.string(), z.number().int()),
    bySystem: z.record(z.string(), z.number().int()),
    byStatus: z.record(z.string(), z.number().int()),
  })
  .meta({
    id: 'ExceptionFacets',
    description: 'How many exceptions match the filters, counted by each field.',
  });
export type ExceptionFacets = z.infer<typeof ExceptionFacetsSchema>;

export const SlaPolicySchema = z
  .object({
    /** Hours each owner queue (or person) has before an open exception is overdue. */
    owners: z.record(
      z.string().regex(/^[\w.@:+-]{1,120}$/),
      z
        .number()
        .int()
        .min(1)
        .max(24 * 90),
    ),
    /** Hours for owners the policy does not name. */
    defaultHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 90),
  })
  .meta({ id: 'SlaPolicy', description: "The firm's SLA per owner queue, in hours." });
export type SlaPolicy = z.infer<typeof SlaPolicySchema>;

/** Finance waits on money (a day); delivery fixes come from project managers' weekly rhythm (two days). */
export const DEFAULT_SLA: SlaPolicy = {
  owners: { 'finance-ops': 24, 'delivery-ops': 48, 'sales-ops': 48, 'integration-admin': 24 },
  defaultHours: 48,
};

export const EXCEPTION_JOB_ACTIONS = ['retry', 'skip', 'assign', 'tag'] as const;
export const EXCEPTION_JOB_STATES = ['queued', 'running', 'cancelled', 'done', 'failed'] as const;

export const ExceptionJobSchema = z
  .object({
    id: z.string(),
    action: z.enum(EXCEPTION_JOB_ACTIONS),
    state: z.enum(EXCEPTION_JOB_STATES),
    /** Items frozen into the job when it started. */
    total: z.number().int(),
    processed: z.number().int(),
    /** Items the action changed. */
    succeeded: z.number().int(),
    /** Items it could not act on (failures lists the first ones with why). */
    failed: z.number().int(),
    /** Items with nothing to do (already resolved, already assigned...). */
    unchanged: z.number().int(),
    params: z.record(z.string(), z.unknown()),
    selection: z.record(z.string(), z.unknown()),
    message: z.string().nullable(),
    /** Who started it, as audited: `person:{memberId}`, `key:{apiKeyId}`, or the Teams user. */
    createdBy: z.string(),
    /** The console person's name when a person started it (null for a key). */
    createdByName: z.string().nullable().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'ExceptionJob', description: 'A bulk action on exceptions and how far it got.' });
export type ExceptionJob = z.infer<typeof ExceptionJobSchema>;
