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
import { billRate, indexAdd, participantRoleId } from './people';
import type { KantataState, KantataTimeEntry } from './state';

/**
 * Time entries (`/time_entries`). Approval is Kantata's: an entry is approved when the timesheet submission
 * it is on is approved (see submissions.ts); the `approved` list filter returns entries on approved
 * timesheets (every emulated workspace requires time approval). Listing is served from a per-workspace
 * index so a project with thousands of entries pages without scanning the account.
 */

const MAX_BULK = 100;
const MAX_MINUTES_PER_ENTRY = 24 * 60;

export function serializeTimeEntry(t: KantataTimeEntry) {
  return {
    id: t.id,
    workspace_id: t.workspace_id,
    user_id: t.user_id,
    story_id: t.story_id,
    date_performed: t.date_performed,
    time_in_minutes: t.time_in_minutes,
    billable: t.billable,
    notes: t.notes,
    rate_in_cents: t.rate_in_cents,
    cost_rate_in_cents: null,
    currency: t.currency,
    currency_symbol: t.currency,
    currency_base_unit: 10 ** (exponentOf(t.currency) ?? 2),
    user_can_edit: !t.approved && !t.is_invoiced,
    approved: t.approved,
    taxable: false,
    is_invoiced: t.is_invoiced,
    active_submission_id: t.active_submission_id,
    created_at: t.created_at,
    updated_at: t.updated_at,
  };
}

/** `include=user,workspace,story`: add the associations to the envelope. */
function withIncludes(s: KantataState, c: Context, t: KantataTimeEntry, included: Included) {
  const inc = includes(c);
  if (inc.has('user') && s.users[t.user_id])
    include(included, 'users', t.user_id, { ...s.users[t.user_id]! });
  if (inc.has('workspace') && s.workspaces[t.workspace_id])
    include(included, 'workspaces', t.workspace_id, {
      id: t.workspace_id,
      title: s.workspaces[t.workspace_id]!.title,
      currency: s.workspaces[t.workspace_id]!.currency,
    });
  if (inc.has('story') && t.story_id && s.stories[t.story_id]) {
    const st = s.stories[t.story_id]!;
    include(included, 'stories', st.id, {
      id: st.id,
      title: st.title,
      story_type: st.story_type,
      state: st.state,
    });
  }
  return withReferences(s, c, 'TimeEntry', serializeTimeEntry(t), included);
}

const ISO_DATETIME = (v: string) => !Number.isNaN(Date.parse(v));

type Sorter = (a: KantataTimeEntry, b: KantataTimeEntry) => number;
const byId: Sorter = (a, b) => Number(a.id) - Number(b.id);
const SORTERS: Record<string, Sorter> = {
  'date_performed:asc': (a, b) => a.date_performed.localeCompare(b.date_performed) || byId(a, b),
  'date_performed:desc': (a, b) => b.date_performed.localeCompare(a.date_performed) || byId(b, a),
  'created_at:asc': (a, b) => a.created_at.localeCompare(b.created_at) || byId(a, b),
  'created_at:desc': (a, b) => b.created_at.localeCompare(a.created_at) || byId(b, a),
  'updated_at:asc': (a, b) => a.updated_at.localeCompare(b.updated_at) || byId(a, b),
  'updated_at:desc': (a, b) => b.updated_at.localeCompare(a.updated_at) || byId(b, a),
  'id:asc': byId,
  'id:desc': (a, b) => byId(b, a),
};

function readEntry(
  inst: Instance<KantataState>,
  raw: Record<string, unknown>,
  prefix: string,
): { errors: KantataError[]; entry?: KantataTimeEntry } {
  const s = inst.state;
  const errors: KantataError[] = [];
  const f = (name: string) => `${prefix}${name}`;
  const workspaceId = asId(raw.workspace_id);
  const workspace = workspaceId ? s.workspaces[workspaceId] : undefined;
  if (!workspace)
    errors.push(
      validation(
        workspaceId ? 'Workspace could not be found' : "Workspace can't be blank",
        f('workspace_id'),
      ),
    );
  else if (workspace.archived)
    errors.push(validation('Time cannot be logged on an archived project', f('workspace_id')));
  if (!isIsoDate(raw.date_performed))
    errors.push(validation('Date performed must be a date (YYYY-MM-DD)', f('date_performed')));
  const minutes = asInt(raw.time_in_minutes);
  if (minutes === undefined || minutes <= 0)
    errors.push(validation('Time in minutes must be greater than 0', f('time_in_minutes')));
  else if (minutes > MAX_MINUTES_PER_ENTRY)
    errors.push(validation('Time in minutes cannot exceed 24 hours', f('time_in_minutes')));
  const userId = raw.user_id == null ? s.apiUserId : asId(raw.user_id);
  if (!userId || !s.users[userId]) errors.push(validation('User could not be found', f('user_id')));
  let roleId: string | null | undefined = null;
  if (workspace && userId && s.users[userId]) {
    roleId = participantRoleId(s, workspace.id, userId);
    if (roleId === undefined)
      errors.push(validation('User must be a participant in the project', f('user_id')));
  }
  let storyId: string | null = null;
  if (raw.story_id != null) {
    const id = asId(raw.story_id);
    const story = id ? s.stories[id] : undefined;
    if (!story || story.deleted_at) errors.push(validation('Task could not be found', f('story_id')));
    else if (workspace && story.workspace_id !== workspace.id)
      errors.push(validation('Task must belong to the same project', f('story_id')));
    else storyId = story.id;
  }
  let rate: number | undefined;
  if (raw.rate_in_cents != null) {
    rate = asInt(raw.rate_in_cents);
    if (rate === undefined || rate < 0)
      errors.push(validation('Rate must be a whole number of cents', f('rate_in_cents')));
  }
  if (errors.length || !workspace || !userId || minutes === undefined) return { errors };
  const t = now();
  const date = raw.date_performed as string;
  return {
    errors,
    entry: {
      id: '',
      workspace_id: workspace.id,
      user_id: userId,
      story_id: storyId,
      date_performed: date,
      time_in_minutes: minutes,
      billable: raw.billable === undefined ? true : raw.billable === true || raw.billable === 'true',
      notes: raw.notes == null ? '' : String(raw.notes),
      rate_in_cents: rate ?? billRate(s, workspace.id, roleId ?? null, date),
      currency: workspace.currency,
      is_invoiced: false,
      active_submission_id: null,
      approved: false,
      created_at: t,
      updated_at: t,
    },
  };
}

export function registerTimeEntryRoutes(app: EmulatorApp<KantataState>) {
  const list = (c: Context) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const s = inst.state;
    const q = (k: string) => c.req.query(k);
    for (const k of ['updated_after', 'updated_before', 'created_after', 'created_before']) {
      if (q(k) !== undefined && !ISO_DATETIME(q(k)!))
        return errorResponse(c, 422, [validation(`${k} must be an ISO 8601 datetime`, k)]);
    }
    const between = q('date_performed_between')?.split(':');
    const only = onlyIds(c);
    const workspaceIds = q('workspace_id')
      ?.split(',')
      .map((x) => x.trim());
    // The index answers a project's listing without touching the rest of the account.
    const candidates = workspaceIds
      ? workspaceIds.flatMap((w) => s.timeEntriesByWorkspace[w] ?? [])
      : only
        ? [...only]
        : Object.keys(s.timeEntries);
    const iso = (v: string | undefined) => (v ? new Date(v).toISOString() : undefined);
    const [ua, ub, ca, cb] = [
      iso(q('updated_after')),
      iso(q('updated_before')),
      iso(q('created_after')),
      iso(q('created_before')),
    ];
    const rows: KantataTimeEntry[] = [];
    for (const id of candidates) {
      const t = s.timeEntries[id];
      if (!t) continue;
      if (only && !only.has(t.id)) continue;
      // Kantata: "When included in your request, this filter is always processed as true".
      if (q('approved') !== undefined && !t.approved) continue;
      if (q('billable') !== undefined && t.billable !== (q('billable') === 'true')) continue;
      if (q('is_invoiced') !== undefined && t.is_invoiced !== (q('is_invoiced') === 'true')) continue;
      if (q('user_id') !== undefined && t.user_id !== q('user_id')) continue;
      if (q('story_id') !== undefined && t.story_id !== q('story_id')) continue;
      if (ua && !(t.updated_at > ua)) continue;
      if (ub && !(t.updated_at < ub)) continue;
      if (ca && !(t.created_at > ca)) continue;
      if (cb && !(t.created_at < cb)) continue;
      if (between?.[0] && t.date_performed < between[0]) continue;
      if (between?.[1] && t.date_performed > between[1]) continue;
      if (!matchesReferenceFilters(s, c, 'TimeEntry', t.id)) continue;
      rows.push(t);
    }
    rows.sort(SORTERS[q('order') ?? 'date_performed:desc'] ?? SORTERS['date_performed:desc']!);
    const page = readPage(c);
    const included: Included = {};
    const slice = rows
      .slice(page.offset, page.offset + page.size)
      .map((t) => withIncludes(s, c, t, included));
    return c.json(envelope('time_entries', slice, rows.length, page, included));
  };
  app.get('/api/v1/time_entries', list);
  app.get('/api/v1/time_entries.json', list);

  app.get('/api/v1/time_entries/:id{[0-9]+(?:\\.json)?}', (c) => {
    const s = c.get('instance').state;
    const t = s.timeEntries[idParam(c)];
    if (!t) return errorResponse(c, 404, [system('Time entry not found')]);
    const included: Included = {};
    return c.json(envelope('time_entries', [withIncludes(s, c, t, included)], 1, undefined, included));
  });

  const create = async (c: Context) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const body = await jsonBody(c);
    const bulk = Array.isArray(body?.time_entries);
    const raws = bulk ? (body!.time_entries as unknown[]) : [body?.time_entry];
    if (!raws.length || raws.some((r) => !r || typeof r !== 'object' || Array.isArray(r)))
      return errorResponse(c, 400, [system('param is missing or the value is empty: time_entry')]);
    if (raws.length > MAX_BULK)
      return errorResponse(c, 422, [validation(`Bulk create accepts at most ${MAX_BULK} time entries`)]);
    const parsed = raws.map((r, i) => readEntry(inst, r as Record<string, unknown>, bulk ? `${i}.` : ''));
    const errors = parsed.flatMap((p) => p.errors);
    if (errors.length) return errorResponse(c, 422, errors);
    const created = parsed.map((p) => {
      const entry = { ...p.entry!, id: inst.nextId() };
      inst.state.timeEntries[entry.id] = entry;
      indexAdd(inst.state.timeEntriesByWorkspace, entry.workspace_id, entry.id);
      inst.effect('time_entry.create');
      recordEvent(inst, 'created', 'TimeEntry', serializeTimeEntry(entry));
      return entry;
    });
    const included: Included = {};
    return c.json(
      envelope(
        'time_entries',
        created.map((t) => withIncludes(inst.state, c, t, included)),
        created.length,
        undefined,
        included,
      ),
    );
  };
  app.post('/api/v1/time_entries', create);
  app.post('/api/v1/time_entries.json', create);

  app.put('/api/v1/time_entries/:id{[0-9]+(?:\\.json)?}', async (c) => {
    const inst = c.get('instance');
    const t = inst.state.timeEntries[idParam(c)];
    if (!t) return errorResponse(c, 404, [system('Time entry not found')]);
    const raw = (await jsonBody(c))?.time_entry as Record<string, unknown> | undefined;
    if (!raw || typeof raw !== 'object')
      return errorResponse(c, 400, [system('param is missing or the value is empty: time_entry')]);
    if (t.approved || t.active_submission_id || t.is_invoiced)
      return errorResponse(c, 422, [validation('Submitted, approved or invoiced time cannot be edited')]);
    const merged = readEntry(
      inst,
      { ...serializeTimeEntry(t), ...raw, workspace_id: t.workspace_id, user_id: t.user_id },
      '',
    );
    if (merged.errors.length) return errorResponse(c, 422, merged.errors);
    const before = serializeTimeEntry(t);
    const e = merged.entry!;
    Object.assign(t, {
      date_performed: e.date_performed,
      time_in_minutes: e.time_in_minutes,
      billable: e.billable,
      notes: e.notes,
      story_id: e.story_id,
      rate_in_cents: raw.rate_in_cents != null ? e.rate_in_cents : t.rate_in_cents,
      updated_at: now(),
    });
    inst.effect('time_entry.update');
    recordEvent(inst, 'updated', 'TimeEntry', serializeTimeEntry(t), before);
    const included: Included = {};
    return c.json(
      envelope('time_entries', [withIncludes(inst.state, c, t, included)], 1, undefined, included),
    );
  });
}
