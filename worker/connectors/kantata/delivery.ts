import { type CurrencyCode, CurrencyCodeSchema } from '../../../shared/model/currency';
import type { Expense, TimeEntry } from '../../../shared/model/delivery';
import { money } from '../../../shared/model/money';
import { ConnectorError } from '../errors';
import type { Listing, RejectedRecord } from '../ports';
import { type KantataContext, kantataId } from './context';
import { SYSTEM, unexpectedResponse } from './errors';
import { singleOf } from './http';
import { listAll } from './paging';
import {
  ExpenseSchema,
  type KantataExpense,
  type KantataTimeEntry,
  TimeEntrySchema,
  UserSchema,
  WorkspaceResourceSchema,
  WorkspaceSchema,
} from './schemas';

/**
 * Approved time and expenses, in canonical form. Kantata approves through timesheet submissions and expense
 * report submissions; the `approved` list filter returns what sits on approved ones (or on projects that
 * need no approval). `updated_after` narrows a listing to what changed since the last sync (approval
 * updates the entry). A person's role is their role on the project (their workspace resource), which is
 * what the contract's rate card is keyed by; amounts are the currency's subunits in the project currency.
 */

const TRAVEL_CATEGORIES = new Set(['travel', 'lodging', 'mileage', 'airfare', 'hotel', 'accommodation']);
/** Kantata needs a role to pick a rate; a person not staffed in one is reported as this, and held downstream. */
export const NO_ROLE = 'No project role';

interface Person {
  name: string;
  email?: string;
  role: string;
}

interface ProjectContext {
  currency: CurrencyCode;
  people: Map<string, Person>;
}

function currencyOf(value: string | null | undefined, where: string, field: string): CurrencyCode {
  const parsed = CurrencyCodeSchema.safeParse(value);
  if (!parsed.success)
    throw unexpectedResponse(
      'GET',
      where,
      `${field} "${value}" is not an ISO 4217 code Handoff supports`,
      undefined,
      field,
    );
  return parsed.data;
}

async function projectContext(ctx: KantataContext, workspaceId: string): Promise<ProjectContext> {
  const env = await ctx.http.request('GET', `/workspaces/${kantataId(workspaceId, 'project id')}`);
  const workspace = singleOf(env, 'workspaces', WorkspaceSchema, 'GET', '/workspaces/{id}');
  const { records, included } = await listAll(
    ctx,
    '/workspace_resources',
    'workspace_resources',
    WorkspaceResourceSchema,
    {
      workspace_id: workspaceId,
      include: 'role,user',
    },
  );
  const users = included.users ?? {};
  const people = new Map<string, Person>();
  for (const r of records) {
    if (!r.user_id) continue;
    const u = UserSchema.safeParse(users[r.user_id]);
    if (people.has(r.user_id) && !r.role_name) continue;
    people.set(r.user_id, {
      name: u.success ? u.data.full_name : `Kantata user ${r.user_id}`,
      email: u.success ? (u.data.email_address ?? undefined) : undefined,
      role: r.role_name?.trim() || NO_ROLE,
    });
  }
  return { currency: currencyOf(workspace.currency, '/workspaces/{id}', 'workspaces.currency'), people };
}

function person(
  p: ProjectContext,
  userId: string,
  included: Record<string, Record<string, unknown>>,
): Person {
  const known = p.people.get(userId);
  if (known) return known;
  const u = UserSchema.safeParse(included.users?.[userId]);
  return {
    name: u.success ? u.data.full_name : `Kantata user ${userId}`,
    email: u.success ? (u.data.email_address ?? undefined) : undefined,
    role: NO_ROLE,
  };
}

function toTimeEntry(
  t: KantataTimeEntry,
  p: ProjectContext,
  included: Record<string, Record<string, unknown>>,
): TimeEntry {
  const who = person(p, t.user_id, included);
  const currency = t.currency ? currencyOf(t.currency, '/time_entries', 'time_entries.currency') : p.currency;
  if (currency !== p.currency)
    throw new ConnectorError({
      system: SYSTEM,
      message: `Kantata time entry ${t.id} is in ${currency} but its project is in ${p.currency}`,
      retryable: false,
      code: 'CURRENCY_MISMATCH',
      field: 'time_entries.currency',
      fix: 'Correct the time entry or the project currency in Kantata.',
    });
  return {
    psaId: t.id,
    psaProjectId: t.workspace_id,
    ...(t.story_id ? { psaStoryId: t.story_id } : {}),
    personName: who.name,
    ...(who.email ? { personEmail: who.email } : {}),
    role: who.role,
    date: t.date_performed,
    minutes: t.time_in_minutes,
    billable: t.billable,
    approved: t.approved ?? false,
    ...(t.rate_in_cents != null ? { psaRate: money(t.rate_in_cents, currency) } : {}),
    ...(t.notes ? { notes: t.notes } : {}),
    updatedAt: t.updated_at,
  };
}

function toExpense(
  e: KantataExpense,
  approved: boolean,
  p: ProjectContext,
  included: Record<string, Record<string, unknown>>,
): Expense {
  const currency = e.currency ? currencyOf(e.currency, '/expenses', 'expenses.currency') : p.currency;
  return {
    psaId: e.id,
    psaProjectId: e.workspace_id,
    date: e.date,
    category: e.category,
    isTravel: TRAVEL_CATEGORIES.has(e.category.trim().toLowerCase()),
    amount: money(e.amount_in_cents, currency),
    billable: e.is_billable,
    approved,
    personName: person(p, e.user_id, included).name,
    ...(e.notes ? { notes: e.notes } : {}),
    updatedAt: e.updated_at,
  };
}

function sinceQuery(since: string | undefined) {
  if (since === undefined) return {};
  if (Number.isNaN(Date.parse(since)))
    throw new ConnectorError({
      system: SYSTEM,
      message: `"${since}" is not an ISO 8601 datetime`,
      retryable: false,
      code: 'VALIDATION',
      field: 'since',
    });
  return { updated_after: new Date(since).toISOString() };
}

/** Maps each record on its own: one that cannot be turned into the canonical form joins `rejected`. */
function mapEach<R extends { id: string }, T>(
  records: R[],
  rejected: RejectedRecord[],
  map: (r: R) => T,
): Listing<T> {
  const items: T[] = [];
  const refused = [...rejected];
  for (const r of records) {
    try {
      items.push(map(r));
    } catch (e) {
      if (!(e instanceof ConnectorError)) throw e;
      refused.push({ id: r.id, ...(e.field ? { field: e.field } : {}), reason: e.message });
    }
  }
  return { items, rejected: refused };
}

export async function listApprovedTimeEntries(
  ctx: KantataContext,
  projectId: string,
  since?: string,
): Promise<Listing<TimeEntry>> {
  kantataId(projectId, 'project id');
  const query = { workspace_id: projectId, approved: true, include: 'user', ...sinceQuery(since) };
  const [p, { records, included, rejected }] = await Promise.all([
    projectContext(ctx, projectId),
    listAll(ctx, '/time_entries', 'time_entries', TimeEntrySchema, query, { lenient: true }),
  ]);
  // Filter again: a listing that silently ignored `approved` must not let unapproved time through.
  const mine = records.filter((t) => t.approved !== false && t.workspace_id === projectId);
  return mapEach(mine, rejected, (t) => toTimeEntry(t, p, included));
}

export async function listApprovedExpenses(
  ctx: KantataContext,
  projectId: string,
  since?: string,
): Promise<Listing<Expense>> {
  kantataId(projectId, 'project id');
  const query = { workspace_id: projectId, approved: true, include: 'workspace,user', ...sinceQuery(since) };
  const [p, { records, included, rejected }] = await Promise.all([
    projectContext(ctx, projectId),
    listAll(ctx, '/expenses', 'expenses', ExpenseSchema, query, { lenient: true }),
  ]);
  const mine = records.filter((e) => e.workspace_id === projectId);
  return mapEach(mine, rejected, (e) => toExpense(e, true, p, included));
}

async function orUndefinedOnNotFound<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ConnectorError && e.code === 'NOT_FOUND') return undefined;
    throw e;
  }
}

export async function getTimeEntry(ctx: KantataContext, id: string): Promise<TimeEntry | null> {
  const env = await orUndefinedOnNotFound(
    ctx.http.request('GET', `/time_entries/${kantataId(id, 'time entry id')}`, {
      query: { include: 'user' },
    }),
  );
  if (!env) return null;
  const t = singleOf(env, 'time_entries', TimeEntrySchema, 'GET', '/time_entries/{id}');
  const included = env as unknown as Record<string, Record<string, unknown>>;
  return toTimeEntry(t, await projectContext(ctx, t.workspace_id), included);
}

export async function getExpense(ctx: KantataContext, id: string): Promise<Expense | null> {
  const path = `/expenses/${kantataId(id, 'expense id')}`;
  const env = await orUndefinedOnNotFound(
    ctx.http.request('GET', path, { query: { include: 'workspace,user' } }),
  );
  if (!env) return null;
  const e = singleOf(env, 'expenses', ExpenseSchema, 'GET', '/expenses/{id}');
  // An expense carries no approval flag; the documented `approved` filter answers whether it is approved.
  const approvedEnv = await ctx.http.request('GET', '/expenses', {
    query: { only: e.id, approved: true, workspace_id: e.workspace_id, include: 'workspace' },
  });
  const approved = approvedEnv.results.some((r) => r.key === 'expenses' && String(r.id) === e.id);
  const included = env as unknown as Record<string, Record<string, unknown>>;
  return toExpense(e, approved, await projectContext(ctx, e.workspace_id), included);
}
