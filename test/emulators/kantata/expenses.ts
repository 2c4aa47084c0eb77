import type { Context } from 'hono';
import type { EmulatorApp, Instance } from '../kit/emulator';
import {
  asId,
  asInt,
  envelope,
  errorResponse,
  type Included,
  idParam,
  include,
  includes,
  isIsoDate,
  jsonBody,
  type KantataError,
  now,
  onlyIds,
  readPage,
  system,
  validation,
} from './envelope';
import { recordEvent } from './events';
import { matchesReferenceFilters, withReferences } from './external-references';
import { exponentOf } from './money';
import { indexAdd, participantRoleId } from './people';
import type { KantataExpense, KantataState } from './state';

/**
 * Expenses (`/expenses`). They must be approved through an expense report submission before they can be
 * invoiced; the `approved` filter returns expenses on approved reports. As documented, `workspace_id` and
 * `user_id` appear on an expense only when `workspace` / `user` are included. Built-in categories: Travel,
 * Mileage, Lodging, Food, Entertainment, Other (any string is accepted).
 */

const MAX_BULK = 100;

export function serializeExpense(e: KantataExpense, inc: Set<string> = new Set()) {
  return {
    id: e.id,
    date: e.date,
    category: e.category,
    notes: e.notes,
    amount_in_cents: e.amount_in_cents,
    currency: e.currency,
    currency_symbol: e.currency,
    currency_base_unit: 10 ** (exponentOf(e.currency) ?? 2),
    is_billable: e.is_billable,
    is_invoiced: e.is_invoiced,
    reimbursable: e.reimbursable,
    taxable: false,
    user_can_edit: !e.approved && !e.is_invoiced,
    active_submission_id: e.active_submission_id,
    created_at: e.created_at,
    updated_at: e.updated_at,
    ...(inc.has('workspace') ? { workspace_id: e.workspace_id } : {}),
    ...(inc.has('user') ? { user_id: e.user_id } : {}),
  };
}

/** The full record, for events (a subscriber needs the workspace whatever it included). */
export const eventPayload = (e: KantataExpense) => serializeExpense(e, new Set(['workspace', 'user']));

function withIncludes(s: KantataState, c: Context, e: KantataExpense, included: Included) {
  const inc = includes(c);
  if (inc.has('user') && s.users[e.user_id])
    include(included, 'users', e.user_id, { ...s.users[e.user_id]! });
  if (inc.has('workspace') && s.workspaces[e.workspace_id])
    include(included, 'workspaces', e.workspace_id, {
      id: e.workspace_id,
      title: s.workspaces[e.workspace_id]!.title,
      currency: s.workspaces[e.workspace_id]!.currency,
    });
  return withReferences(s, c, 'Expense', serializeExpense(e, inc), included);
}

function readExpense(inst: Instance<KantataState>, raw: Record<string, unknown>, prefix: string) {
  const s = inst.state;
  const errors: KantataError[] = [];
  const f = (n: string) => `${prefix}${n}`;
  const workspaceId = asId(raw.workspace_id);
  const workspace = workspaceId ? s.workspaces[workspaceId] : undefined;
  if (!workspace)
    errors.push(
      validation(
        workspaceId ? 'Workspace could not be found' : "Workspace can't be blank",
        f('workspace_id'),
      ),
    );
  if (!isIsoDate(raw.date)) errors.push(validation('Date must be a date (YYYY-MM-DD)', f('date')));
  if (typeof raw.category !== 'string' || raw.category.trim() === '')
    errors.push(validation("Category can't be blank", f('category')));
  const amount = asInt(raw.amount_in_cents);
  if (amount === undefined || amount <= 0)
    errors.push(validation('Amount must be a positive whole number of cents', f('amount_in_cents')));
  const currency = raw.currency == null ? workspace?.currency : String(raw.currency);
  if (workspace && currency !== workspace.currency)
    errors.push(validation(`Currency must be the project currency (${workspace.currency})`, f('currency')));
  const userId = raw.user_id == null ? s.apiUserId : asId(raw.user_id);
  if (!userId || !s.users[userId]) errors.push(validation('User could not be found', f('user_id')));
  else if (workspace && participantRoleId(s, workspace.id, userId) === undefined)
    errors.push(validation('User must be a participant in the project', f('user_id')));
  if (errors.length || !workspace || !userId || amount === undefined) return { errors };
  const t = now();
  const bool = (v: unknown, d: boolean) => (v === undefined ? d : v === true || v === 'true');
  const expense: KantataExpense = {
    id: '',
    workspace_id: workspace.id,
    user_id: userId,
    date: raw.date as string,
    category: String(raw.category).trim(),
    notes: raw.notes == null ? '' : String(raw.notes),
    amount_in_cents: amount,
    currency: workspace.currency,
    is_billable: bool(raw.is_billable ?? raw.billable, true),
    is_invoiced: false,
    reimbursable: bool(raw.reimbursable, true),
    active_submission_id: null,
    approved: false,
    created_at: t,
    updated_at: t,
  };
  return { errors, expense };
}

export function registerExpenseRoutes(app: EmulatorApp<KantataState>) {
  const list = (c: Context) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const s = inst.state;
    const q = (k: string) => c.req.query(k);
    for (const k of ['updated_after', 'updated_before', 'created_after', 'created_before']) {
      if (q(k) !== undefined && Number.isNaN(Date.parse(q(k)!)))
        return errorResponse(c, 422, [validation(`${k} must be an ISO 8601 datetime`, k)]);
    }
    const iso = (v: string | undefined) => (v ? new Date(v).toISOString() : undefined);
    const [ua, ub] = [iso(q('updated_after')), iso(q('updated_before'))];
    const between = q('date_expensed_between')?.split(':');
    const only = onlyIds(c);
    const workspaceIds = q('workspace_id')
      ?.split(',')
      .map((x) => x.trim());
    const candidates = workspaceIds
      ? workspaceIds.flatMap((w) => s.expensesByWorkspace[w] ?? [])
      : only
        ? [...only]
        : Object.keys(s.expenses);
    const rows: KantataExpense[] = [];
    for (const id of candidates) {
      const e = s.expenses[id];
      if (!e) continue;
      if (only && !only.has(e.id)) continue;
      if (q('approved') !== undefined && !e.approved) continue;
      if (q('is_billable') !== undefined && e.is_billable !== (q('is_billable') === 'true')) continue;
      if (ua && !(e.updated_at > ua)) continue;
      if (ub && !(e.updated_at < ub)) continue;
      if (between?.[0] && e.date < between[0]) continue;
      if (between?.[1] && e.date > between[1]) continue;
      if (!matchesReferenceFilters(s, c, 'Expense', e.id)) continue;
      rows.push(e);
    }
    // Documented default: sorted by date, descending.
    rows.sort((a, b) => b.date.localeCompare(a.date) || Number(b.id) - Number(a.id));
    const page = readPage(c);
    const included: Included = {};
    const slice = rows
      .slice(page.offset, page.offset + page.size)
      .map((e) => withIncludes(s, c, e, included));
    return c.json(envelope('expenses', slice, rows.length, page, included));
  };
  app.get('/api/v1/expenses', list);
  app.get('/api/v1/expenses.json', list);

  app.get('/api/v1/expenses/:id{[0-9]+(?:\\.json)?}', (c) => {
    const s = c.get('instance').state;
    const e = s.expenses[idParam(c)];
    if (!e) return errorResponse(c, 404, [system('Expense not found')]);
    const included: Included = {};
    return c.json(envelope('expenses', [withIncludes(s, c, e, included)], 1, undefined, included));
  });

  const create = async (c: Context) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const body = await jsonBody(c);
    const bulk = Array.isArray(body?.expenses);
    const raws = bulk ? (body!.expenses as unknown[]) : [body?.expense];
    if (!raws.length || raws.some((r) => !r || typeof r !== 'object' || Array.isArray(r)))
      return errorResponse(c, 400, [system('param is missing or the value is empty: expense')]);
    if (raws.length > MAX_BULK)
      return errorResponse(c, 422, [validation(`Bulk create accepts at most ${MAX_BULK} expenses`)]);
    const parsed = raws.map((r, i) => readExpense(inst, r as Record<string, unknown>, bulk ? `${i}.` : ''));
    const errors = parsed.flatMap((p) => p.errors);
    if (errors.length) return errorResponse(c, 422, errors);
    const created = parsed.map((p) => {
      const e = { ...p.expense!, id: inst.nextId() };
      inst.state.expenses[e.id] = e;
      indexAdd(inst.state.expensesByWorkspace, e.workspace_id, e.id);
      inst.effect('expense.create');
      recordEvent(inst, 'created', 'Expense', eventPayload(e));
      return e;
    });
    const included: Included = {};
    return c.json(
      envelope(
        'expenses',
        created.map((e) => withIncludes(inst.state, c, e, included)),
        created.length,
        undefined,
        included,
      ),
    );
  };
  app.post('/api/v1/expenses', create);
  app.post('/api/v1/expenses.json', create);
}
