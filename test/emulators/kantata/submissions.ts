import type { Context } from 'hono';
import type { EmulatorApp, Instance } from '../kit/emulator';
import {
  asId,
  envelope,
  errorResponse,
  type Included,
  idParam,
  include,
  includes,
  jsonBody,
  type KantataError,
  now,
  system,
  validation,
} from './envelope';
import { recordEvent } from './events';
import { eventPayload, serializeExpense } from './expenses';
import type { KantataState, KantataSubmission } from './state';
import { serializeTimeEntry } from './time-entries';

/**
 * How Kantata approves delivery: time entries go on a Timesheet Submission (`POST /timesheet_submissions`
 * with `workspace_id`, `title`, `line_item_ids`; one project per submission), expenses on an Expense Report
 * Submission (`POST /expense_report_submissions` with `line_item_ids`; all in one project). An approver
 * then `PUT /…/{id}/approve` (optional `resolution.description`), which approves every line item on it.
 */

interface Kind {
  kind: KantataSubmission['kind'];
  path: string;
  key: string;
  param: string;
  subject: string;
  itemKey: string;
  itemSubject: string;
}
const TIMESHEET: Kind = {
  kind: 'timesheet',
  path: '/api/v1/timesheet_submissions',
  key: 'timesheet_submissions',
  param: 'timesheet_submission',
  subject: 'TimesheetSubmission',
  itemKey: 'time_entries',
  itemSubject: 'TimeEntry',
};
const EXPENSE_REPORT: Kind = {
  kind: 'expense_report',
  path: '/api/v1/expense_report_submissions',
  key: 'expense_report_submissions',
  param: 'expense_report_submission',
  subject: 'ExpenseReportSubmission',
  itemKey: 'expenses',
  itemSubject: 'Expense',
};

const items = (s: KantataState, k: Kind) => (k.kind === 'timesheet' ? s.timeEntries : s.expenses);
const itemPayload = (s: KantataState, k: Kind, id: string) =>
  k.kind === 'timesheet' ? serializeTimeEntry(s.timeEntries[id]!) : eventPayload(s.expenses[id]!);

function serialize(s: KantataState, c: Context, k: Kind, sub: KantataSubmission, included: Included) {
  const inc = includes(c);
  const out: Record<string, unknown> = {
    id: sub.id,
    title: sub.title,
    status: sub.status,
    workspace_id: sub.workspace_id,
    user_id: sub.user_id,
    submitted_at: sub.submitted_at,
    resolution_description: sub.resolution_description,
    created_at: sub.created_at,
    updated_at: sub.updated_at,
  };
  if (inc.has(k.itemKey)) {
    out[`${k.itemKey === 'time_entries' ? 'time_entry' : 'expense'}_ids`] = sub.line_item_ids;
    for (const id of sub.line_item_ids) {
      const rec =
        k.kind === 'timesheet' ? serializeTimeEntry(s.timeEntries[id]!) : serializeExpense(s.expenses[id]!);
      include(included, k.itemKey, id, rec);
    }
  }
  return out;
}

function registerKind(app: EmulatorApp<KantataState>, k: Kind) {
  const create = async (c: Context) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const s = inst.state;
    const raw = (await jsonBody(c))?.[k.param] as Record<string, unknown> | undefined;
    if (!raw || typeof raw !== 'object')
      return errorResponse(c, 400, [system(`param is missing or the value is empty: ${k.param}`)]);
    const errors: KantataError[] = [];
    const ids = Array.isArray(raw.line_item_ids) ? raw.line_item_ids.map(asId) : undefined;
    if (!ids || ids.length === 0 || ids.some((i) => !i))
      errors.push(validation('line_item_ids must list at least one id', 'line_item_ids'));
    const table = items(s, k);
    const records = (ids ?? []).map((i) => (i ? table[i] : undefined));
    if (ids && records.some((r) => !r))
      errors.push(validation(`Some ${k.itemKey.replace('_', ' ')} could not be found`, 'line_item_ids'));
    const workspaceId = k.kind === 'timesheet' ? asId(raw.workspace_id) : records[0]?.workspace_id;
    if (k.kind === 'timesheet') {
      if (!workspaceId || !s.workspaces[workspaceId])
        errors.push(validation('Workspace could not be found', 'workspace_id'));
      if (typeof raw.title !== 'string' || raw.title.trim() === '')
        errors.push(validation("Title can't be blank", 'title'));
    }
    if (records.every(Boolean)) {
      if (records.some((r) => r!.workspace_id !== workspaceId))
        errors.push(validation('All line items must belong to the same project', 'line_item_ids'));
      if (records.some((r) => r!.active_submission_id !== null))
        errors.push(validation('Some line items are already submitted', 'line_item_ids'));
    }
    if (errors.length || !workspaceId) return errorResponse(c, 422, errors);
    const t = now();
    const sub: KantataSubmission = {
      id: inst.nextId(),
      kind: k.kind,
      workspace_id: workspaceId,
      user_id: asId(raw.user_id) ?? records[0]!.user_id,
      title: typeof raw.title === 'string' ? raw.title : `Expense report ${t.slice(0, 10)}`,
      line_item_ids: ids as string[],
      status: 'pending',
      resolution_description: null,
      submitted_at: t,
      created_at: t,
      updated_at: t,
    };
    s.submissions[sub.id] = sub;
    for (const r of records) {
      const before = itemPayload(s, k, r!.id);
      r!.active_submission_id = sub.id;
      r!.updated_at = t;
      recordEvent(inst, 'updated', k.itemSubject, itemPayload(s, k, r!.id), before);
    }
    inst.effect(`${k.param}.create`);
    const included: Included = {};
    const body = serialize(s, c, k, sub, included);
    recordEvent(inst, 'created', k.subject, body);
    return c.json(envelope(k.key, [body], 1, undefined, included));
  };
  app.post(k.path, create);
  app.post(`${k.path}.json`, create);

  app.get(`${k.path}/:id{[0-9]+(?:\\.json)?}`, (c) => {
    const s = c.get('instance').state;
    const sub = s.submissions[idParam(c)];
    if (!sub || sub.kind !== k.kind) return errorResponse(c, 404, [system('Submission not found')]);
    const included: Included = {};
    return c.json(envelope(k.key, [serialize(s, c, k, sub, included)], 1, undefined, included));
  });

  app.put(`${k.path}/:id{[0-9]+}/approve`, async (c) => {
    const inst = c.get('instance');
    const s = inst.state;
    const sub = s.submissions[idParam(c)];
    if (!sub || sub.kind !== k.kind) return errorResponse(c, 404, [system('Submission not found')]);
    if (sub.status !== 'pending')
      return errorResponse(c, 422, [
        validation(`Only a pending submission can be approved (this one is ${sub.status})`),
      ]);
    const raw = (await jsonBody(c))?.resolution as Record<string, unknown> | undefined;
    const t = now();
    const before = { ...sub };
    sub.status = 'approved';
    sub.resolution_description = raw?.description == null ? null : String(raw.description);
    sub.updated_at = t;
    const table = items(s, k);
    for (const id of sub.line_item_ids) {
      const r = table[id];
      if (!r) continue;
      const prev = itemPayload(s, k, id);
      r.approved = true;
      r.updated_at = t;
      inst.effect(`${k.kind === 'timesheet' ? 'time_entry' : 'expense'}.approve`);
      recordEvent(inst, 'updated', k.itemSubject, itemPayload(s, k, id), prev);
    }
    inst.effect(`${k.param}.approve`);
    const included: Included = {};
    const body = serialize(s, c, k, sub, included);
    recordEvent(inst, 'updated', k.subject, body, { ...before });
    return c.json(envelope(k.key, [body], 1, undefined, included));
  });
}

export function registerSubmissionRoutes(app: EmulatorApp<KantataState>) {
  registerKind(app, TIMESHEET);
  registerKind(app, EXPENSE_REPORT);
}
