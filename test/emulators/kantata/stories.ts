import type { Context } from 'hono';
import type { EmulatorApp, Instance } from '../kit/emulator';
import {
  asId,
  asInt,
  boolParam,
  envelope,
  errorResponse,
  type Included,
  idParam,
  isIsoDate,
  jsonBody,
  type KantataError,
  listEnvelope,
  now,
  onlyIds,
  readPage,
  system,
  validation,
} from './envelope';
import { recordEvent } from './events';
import {
  insertReference,
  matchesReferenceFilters,
  parseReference,
  withReferences,
} from './external-references';
import type { KantataState, KantataStory, StoryType } from './state';

/** Stories are Kantata's tasks, deliverables, milestones and issues; `parent_id` nests them (WBS). */

const STORY_TYPES: StoryType[] = ['task', 'deliverable', 'milestone', 'issue'];
/** The task statuses Kantata's `state` takes. */
export const STORY_STATES = ['not started', 'started', 'needs feedback', 'blocked', 'completed'] as const;
/** "Subtasks can be nested up to 4 levels from the top-level task" (stories `with_ancestry_depth` filter). */
const MAX_ANCESTRY_DEPTH = 4;

export function serializeStory(s: KantataStory) {
  return {
    id: s.id,
    title: s.title,
    description: s.description,
    story_type: s.story_type,
    workspace_id: s.workspace_id,
    parent_id: s.parent_id,
    root_id: s.root_id,
    ancestry_depth: s.ancestry_depth,
    start_date: s.start_date,
    due_date: s.due_date,
    budget_estimate_in_cents: s.budget_estimate_in_cents,
    state: s.state,
    status: s.state,
    position: s.position,
    archived: s.archived,
    created_at: s.created_at,
    updated_at: s.updated_at,
  };
}

function order(c: Context, rows: KantataStory[]) {
  const o = c.req.query('order') ?? 'updated_at:desc';
  const byId = (a: KantataStory, b: KantataStory) => Number(a.id) - Number(b.id);
  const sorters: Record<string, (a: KantataStory, b: KantataStory) => number> = {
    'created_at:asc': (a, b) => a.created_at.localeCompare(b.created_at) || byId(a, b),
    'created_at:desc': (a, b) => b.created_at.localeCompare(a.created_at) || byId(b, a),
    'updated_at:asc': (a, b) => a.updated_at.localeCompare(b.updated_at) || byId(a, b),
    'updated_at:desc': (a, b) => b.updated_at.localeCompare(a.updated_at) || byId(b, a),
    position: (a, b) => a.position - b.position || byId(a, b),
    parent_and_position: (a, b) =>
      (a.parent_id ?? '').localeCompare(b.parent_id ?? '') || a.position - b.position || byId(a, b),
    'due_date:asc': (a, b) => (a.due_date ?? '').localeCompare(b.due_date ?? '') || byId(a, b),
    'due_date:desc': (a, b) => (b.due_date ?? '').localeCompare(a.due_date ?? '') || byId(b, a),
  };
  return rows.sort(sorters[o] ?? sorters['updated_at:desc']!);
}

function readStory(inst: Instance<KantataState>, raw: Record<string, unknown>) {
  const state = inst.state;
  const errors: KantataError[] = [];
  const workspaceId = asId(raw.workspace_id);
  const workspace = workspaceId ? state.workspaces[workspaceId] : undefined;
  if (!workspace)
    errors.push(
      validation(workspaceId ? 'Workspace could not be found' : "Workspace can't be blank", 'workspace_id'),
    );
  if (typeof raw.title !== 'string' || raw.title.trim() === '')
    errors.push(validation("Title can't be blank", 'title'));
  const storyType = (raw.story_type ?? 'task') as StoryType;
  if (!STORY_TYPES.includes(storyType))
    errors.push(validation(`Story type must be one of: ${STORY_TYPES.join(', ')}`, 'story_type'));
  const description = raw.description == null ? '' : String(raw.description);
  if (description.length >= 1000)
    errors.push(validation('Description must be less than 1000 characters', 'description'));
  for (const f of ['start_date', 'due_date'] as const) {
    if (raw[f] != null && !isIsoDate(raw[f])) errors.push(validation(`${f} must be an ISO 8601 date`, f));
  }
  const start = isIsoDate(raw.start_date) ? raw.start_date : null;
  const due = isIsoDate(raw.due_date) ? raw.due_date : null;
  if (start && due && due < start)
    errors.push(validation('Due date must be on or after the start date', 'due_date'));
  let parent: KantataStory | undefined;
  if (raw.parent_id != null) {
    const pid = asId(raw.parent_id);
    parent = pid ? state.stories[pid] : undefined;
    if (!parent || parent.deleted_at) errors.push(validation('Parent could not be found', 'parent_id'));
    else if (workspace && parent.workspace_id !== workspace.id)
      errors.push(validation('Parent must belong to the same project', 'parent_id'));
    else if (parent.ancestry_depth + 1 > MAX_ANCESTRY_DEPTH) {
      errors.push(
        validation(
          `Tasks can only be nested ${MAX_ANCESTRY_DEPTH} levels below a top-level task`,
          'parent_id',
        ),
      );
    }
  }
  let budget: number | null = null;
  if (raw.budget_estimate_in_cents != null) {
    const b = asInt(raw.budget_estimate_in_cents);
    if (b === undefined || b < 0)
      errors.push(validation('Budget estimate must be a whole number of cents', 'budget_estimate_in_cents'));
    else if (workspace && !workspace.budgeted)
      errors.push(
        validation('Budget estimate can only be set on a budgeted project', 'budget_estimate_in_cents'),
      );
    else budget = b;
  }
  const parsedRef = raw.external_reference != null ? parseReference(raw.external_reference) : undefined;
  if (parsedRef) errors.push(...parsedRef.errors);
  return {
    errors,
    workspace,
    storyType,
    description,
    start,
    due,
    parent,
    budget,
    reference: parsedRef?.value,
    title: String(raw.title ?? ''),
  };
}

/** Kantata's documented bulk-create limit for stories. */
const MAX_STORY_BULK = 300;

export function registerStoryRoutes(app: EmulatorApp<KantataState>) {
  const list = (c: Context) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const q = (k: string) => c.req.query(k);
    const only = onlyIds(c);
    const projects = q('with_projects')
      ?.split(',')
      .map((s) => s.trim());
    const types = (q('story_types') ?? q('story_type'))?.split(',').map((s) => s.trim());
    const rows = Object.values(inst.state.stories).filter(
      (s) =>
        (only === undefined || only.has(s.id)) &&
        (boolParam(q('show_deleted')) || boolParam(q('only_deleted')) ? true : s.deleted_at === null) &&
        (boolParam(q('show_archived')) || q('archived') === 'include'
          ? true
          : q('archived') === 'only'
            ? s.archived
            : !s.archived) &&
        (q('workspace_id') === undefined || s.workspace_id === q('workspace_id')) &&
        (projects === undefined || projects.includes(s.workspace_id)) &&
        (q('with_parent_id') === undefined || s.parent_id === q('with_parent_id')) &&
        (q('with_root_id') === undefined || s.root_id === q('with_root_id')) &&
        (!boolParam(q('parents_only')) || s.parent_id === null) &&
        (types === undefined || types.includes(s.story_type)) &&
        matchesReferenceFilters(inst.state, c, 'Story', s.id),
    );
    const included: Included = {};
    return c.json(
      listEnvelope(
        'stories',
        order(c, rows),
        readPage(c),
        (s) => withReferences(inst.state, c, 'Story', serializeStory(s), included),
        included,
      ),
    );
  };
  app.get('/api/v1/stories', list);
  app.get('/api/v1/stories.json', list);

  app.get('/api/v1/stories/:id{[0-9]+(?:\\.json)?}', (c) => {
    const inst = c.get('instance');
    const s = inst.state.stories[idParam(c)];
    if (!s || (s.deleted_at && !boolParam(c.req.query('show_deleted'))))
      return errorResponse(c, 404, [system('Story not found')]);
    const included: Included = {};
    return c.json(
      envelope(
        'stories',
        [withReferences(inst.state, c, 'Story', serializeStory(s), included)],
        1,
        undefined,
        included,
      ),
    );
  });

  // One story, or up to MAX_STORY_BULK under the plural key (Kantata's bulk create): every object is
  // validated first, so a bad one creates nothing.
  const create = async (c: Context) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const body = await jsonBody(c);
    const bulk = Array.isArray(body?.stories);
    const raws = bulk ? (body!.stories as unknown[]) : [body?.story];
    if (!raws.length || raws.some((r) => !r || typeof r !== 'object' || Array.isArray(r)))
      return errorResponse(c, 400, [system('param is missing or the value is empty: story')]);
    if (raws.length > MAX_STORY_BULK)
      return errorResponse(c, 422, [validation(`Bulk create accepts at most ${MAX_STORY_BULK} stories`)]);
    const inputs = raws.map((r) => readStory(inst, r as Record<string, unknown>));
    const errors = inputs.flatMap((i) => i.errors);
    if (errors.length || inputs.some((i) => !i.workspace)) return errorResponse(c, 422, errors);
    const t = now();
    const created = inputs.map((input) => {
      const siblings = Object.values(inst.state.stories).filter(
        (s) => s.workspace_id === input.workspace!.id && s.parent_id === (input.parent?.id ?? null),
      );
      const story: KantataStory = {
        id: inst.nextId(),
        workspace_id: input.workspace!.id,
        title: input.title,
        description: input.description,
        story_type: input.storyType,
        parent_id: input.parent?.id ?? null,
        root_id: input.parent ? (input.parent.root_id ?? input.parent.id) : null,
        ancestry_depth: input.parent ? input.parent.ancestry_depth + 1 : 0,
        start_date: input.start,
        due_date: input.due,
        budget_estimate_in_cents: input.budget,
        state: 'not started',
        position: siblings.reduce((m, s) => Math.max(m, s.position), 0) + 1,
        archived: false,
        deleted_at: null,
        created_at: t,
        updated_at: t,
      };
      inst.state.stories[story.id] = story;
      inst.effect('story.create');
      if (input.reference) insertReference(inst, 'Story', story.id, input.reference);
      return story;
    });
    const included: Included = {};
    return c.json(
      envelope(
        'stories',
        created.map((story) => withReferences(inst.state, c, 'Story', serializeStory(story), included)),
        created.length,
        undefined,
        included,
      ),
    );
  };
  app.post('/api/v1/stories', create);
  app.post('/api/v1/stories.json', create);

  app.put('/api/v1/stories/:id{[0-9]+(?:\\.json)?}', async (c) => {
    const inst = c.get('instance');
    const story = inst.state.stories[idParam(c)];
    if (!story || story.deleted_at) return errorResponse(c, 404, [system('Story not found')]);
    const raw = (await jsonBody(c))?.story as Record<string, unknown> | undefined;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw))
      return errorResponse(c, 400, [system('param is missing or the value is empty: story')]);
    const errors: KantataError[] = [];
    if ('state' in raw && !(STORY_STATES as readonly string[]).includes(String(raw.state)))
      errors.push(validation(`State must be one of: ${STORY_STATES.join(', ')}`, 'state'));
    if ('title' in raw && (typeof raw.title !== 'string' || raw.title.trim() === ''))
      errors.push(validation("Title can't be blank", 'title'));
    if ('due_date' in raw && raw.due_date !== null && !isIsoDate(raw.due_date))
      errors.push(validation('due_date must be an ISO 8601 date', 'due_date'));
    let budget: number | undefined;
    if ('budget_estimate_in_cents' in raw && raw.budget_estimate_in_cents !== null) {
      budget = asInt(raw.budget_estimate_in_cents);
      if (budget === undefined || budget < 0)
        errors.push(
          validation('Budget estimate must be a whole number of cents', 'budget_estimate_in_cents'),
        );
    }
    if (errors.length) return errorResponse(c, 422, errors);
    const before = serializeStory(story);
    if (budget !== undefined) story.budget_estimate_in_cents = budget;
    if ('state' in raw) story.state = String(raw.state);
    if ('title' in raw) story.title = String(raw.title);
    if ('due_date' in raw) story.due_date = (raw.due_date as string | null) ?? null;
    story.updated_at = now();
    inst.effect('story.update');
    recordEvent(inst, 'updated', 'Story', serializeStory(story), before);
    const included: Included = {};
    return c.json(
      envelope(
        'stories',
        [withReferences(inst.state, c, 'Story', serializeStory(story), included)],
        1,
        undefined,
        included,
      ),
    );
  });
}
