import type { Context } from 'hono';
import type { EmulatorApp, Instance } from '../kit/emulator';
import {
  asId,
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
import {
  duplicateServiceName,
  insertReference,
  matchesReferenceFilters,
  parseReference,
  type ReferenceInput,
  referencesOf,
  withReferences,
} from './external-references';
import { exponentOf, priceToSubunits, subunitsToDecimal } from './money';
import type { KantataState, KantataStory, KantataWorkspace } from './state';

const STOP_WORDS = new Set(
  'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was with'.split(
    ' ',
  ),
);

export function serializeWorkspace(w: KantataWorkspace) {
  const exp = exponentOf(w.currency) ?? 2;
  return {
    id: w.id,
    title: w.title,
    description: w.description,
    start_date: w.start_date,
    due_date: w.due_date,
    effective_due_date: w.due_date,
    budgeted: w.budgeted,
    price: w.price_in_cents === null ? null : subunitsToDecimal(w.price_in_cents, w.currency),
    price_in_cents: w.price_in_cents,
    currency: w.currency,
    currency_symbol: w.currency,
    currency_base_unit: 10 ** exp,
    rate_card_id: w.rate_card_id,
    archived: w.archived,
    percentage_complete: 0,
    consultant_role_name: 'Providers',
    client_role_name: 'Clients',
    created_at: w.created_at,
    updated_at: w.updated_at,
  };
}

/** `matching`: every non-stop word of the query starts some word of the title, case-insensitively. */
function titleMatches(title: string, query: string): boolean {
  const words = title
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  const terms = query
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t && !STOP_WORDS.has(t));
  return terms.every((t) => words.some((w) => w.startsWith(t)));
}

/** `search`: `field:'keyword'` terms and bare keywords, all of which must match (substring, any case). */
function searchMatches(w: KantataWorkspace, search: string): boolean {
  const fieldTerms = [...search.matchAll(/(\w+):'([^']*)'/g)].map((m) => ({
    field: m[1]!,
    value: m[2]!.toLowerCase(),
  }));
  const bare = search
    .replace(/(\w+):'([^']*)'/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((s) => s.toLowerCase());
  const fields: Record<string, string> = {
    title: w.title.toLowerCase(),
    description: w.description.toLowerCase(),
  };
  const all = `${w.id} ${fields.title} ${fields.description}`;
  return (
    fieldTerms.every((t) => (fields[t.field] ?? '').includes(t.value)) && bare.every((b) => all.includes(b))
  );
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

interface WorkspaceInput {
  errors: KantataError[];
  fields: Partial<KantataWorkspace>;
  price?: unknown;
  reference?: ReferenceInput;
  templateStart?: string;
}

/** Validate the writable workspace fields shared by create and update. */
function readWorkspaceInput(
  state: KantataState,
  raw: Record<string, unknown>,
  creating: boolean,
): WorkspaceInput {
  const errors: KantataError[] = [];
  const fields: Partial<KantataWorkspace> = {};
  if (creating || 'title' in raw) {
    if (typeof raw.title !== 'string' || raw.title.trim() === '')
      errors.push(validation('Please give your project a title', 'title'));
    else fields.title = raw.title;
  }
  if ('description' in raw) fields.description = raw.description == null ? '' : String(raw.description);
  for (const f of ['start_date', 'due_date'] as const) {
    if (f in raw && raw[f] !== null) {
      if (!isIsoDate(raw[f])) errors.push(validation(`${f} must be an ISO 8601 date`, f));
      else fields[f] = raw[f] as string;
    }
  }
  if ('budgeted' in raw) fields.budgeted = raw.budgeted === true || raw.budgeted === 'true';
  if ('currency' in raw && raw.currency != null) {
    if (typeof raw.currency !== 'string' || exponentOf(raw.currency) === undefined)
      errors.push(validation('Currency is not supported', 'currency'));
    else fields.currency = raw.currency;
  }
  if ('creator_role' in raw && raw.creator_role != null) {
    const role = String(raw.creator_role);
    if (['maven', 'consultant'].includes(role)) fields.creator_role = 'consultant';
    else if (['buyer', 'client'].includes(role)) fields.creator_role = 'client';
    else errors.push(validation('Please select a role for this project', 'creator_role'));
  }
  if ('rate_card_id' in raw && raw.rate_card_id != null) {
    const id = asId(raw.rate_card_id);
    if (!id || !state.rateCards[id]) errors.push(validation('Rate card could not be found', 'rate_card_id'));
    else fields.rate_card_id = id;
  }
  if ('project_tracker_template_id' in raw && raw.project_tracker_template_id != null) {
    const id = asId(raw.project_tracker_template_id);
    if (!id || !state.projectTemplates[id])
      errors.push(validation('Project template could not be found', 'project_tracker_template_id'));
    else fields.project_tracker_template_id = id;
  }
  if ('archived' in raw) fields.archived = raw.archived === true || raw.archived === 'true';
  let templateStart: string | undefined;
  if (raw.project_template_start_date != null) {
    if (!isIsoDate(raw.project_template_start_date))
      errors.push(
        validation('project_template_start_date must be an ISO 8601 date', 'project_template_start_date'),
      );
    else templateStart = raw.project_template_start_date;
  }
  let reference: ReferenceInput | undefined;
  if (raw.external_reference != null) {
    const parsed = parseReference(raw.external_reference);
    errors.push(...parsed.errors);
    reference = parsed.value;
  }
  return { errors, fields, price: 'price' in raw ? raw.price : undefined, reference, templateStart };
}

function applyTemplate(inst: Instance<KantataState>, w: KantataWorkspace, start: string) {
  const template = w.project_tracker_template_id
    ? inst.state.projectTemplates[w.project_tracker_template_id]
    : undefined;
  if (!template) return;
  for (const [index, task] of template.tasks.entries()) {
    const t = now();
    const story: KantataStory = {
      id: inst.nextId(),
      workspace_id: w.id,
      title: task.title,
      description: '',
      story_type: task.story_type,
      parent_id: null,
      root_id: null,
      ancestry_depth: 0,
      start_date: start,
      due_date: addDays(start, task.offset_days),
      budget_estimate_in_cents: null,
      state: 'not started',
      position: index + 1,
      archived: false,
      deleted_at: null,
      created_at: t,
      updated_at: t,
    };
    inst.state.stories[story.id] = story;
  }
  inst.effect('template.apply');
}

function respondWith(c: Context, inst: Instance<KantataState>, w: KantataWorkspace) {
  const included: Included = {};
  const body = withReferences(inst.state, c, 'Workspace', serializeWorkspace(w), included);
  return c.json(envelope('workspaces', [body], 1, undefined, included));
}

export function registerWorkspaceRoutes(app: EmulatorApp<KantataState>) {
  const list = (c: Context) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const q = (k: string) => c.req.query(k);
    const only = onlyIds(c);
    const archived = q('archived') ?? (boolParam(q('include_archived')) ? 'include' : 'exclude');
    const rows = Object.values(inst.state.workspaces).filter(
      (w) =>
        (only === undefined || only.has(w.id)) &&
        (archived === 'include' || (archived === 'only' ? w.archived : !w.archived)) &&
        (q('matching') === undefined || titleMatches(w.title, q('matching')!)) &&
        (q('search') === undefined || searchMatches(w, q('search')!)) &&
        matchesReferenceFilters(inst.state, c, 'Workspace', w.id),
    );
    rows.sort((a, b) => b.updated_at.localeCompare(a.updated_at) || Number(b.id) - Number(a.id));
    const included: Included = {};
    return c.json(
      listEnvelope(
        'workspaces',
        rows,
        readPage(c),
        (w) => withReferences(inst.state, c, 'Workspace', serializeWorkspace(w), included),
        included,
      ),
    );
  };
  app.get('/api/v1/workspaces', list);
  app.get('/api/v1/workspaces.json', list);

  app.get('/api/v1/workspaces/:id{[0-9]+(?:\\.json)?}', (c) => {
    const inst = c.get('instance');
    const w = inst.state.workspaces[idParam(c)];
    if (!w || (w.archived && !boolParam(c.req.query('include_archived'))))
      return errorResponse(c, 404, [system('Workspace not found')]);
    return respondWith(c, inst, w);
  });

  const create = async (c: Context) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const body = await jsonBody(c);
    const raw = body?.workspace;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw))
      return errorResponse(c, 400, [system('param is missing or the value is empty: workspace')]);
    const input = readWorkspaceInput(inst.state, raw as Record<string, unknown>, true);
    const errors = [...input.errors];
    const f = input.fields;
    // The docs: "If a rate_card_id is provided, this field [currency] is ignored."
    const currency = f.rate_card_id
      ? inst.state.rateCards[f.rate_card_id]!.currency
      : (f.currency ?? inst.state.accountCurrency);
    const budgeted = f.budgeted ?? true;
    let price: number | null = null;
    if (input.price !== undefined && input.price !== null) {
      const p = priceToSubunits(input.price, currency);
      if (p === undefined) errors.push(validation(`Price must be an amount in ${currency}`, 'price'));
      else price = p;
    } else if (budgeted) {
      errors.push(validation('Please enter a budget for this budgeted project', 'price'));
    }
    if (f.start_date && f.due_date && f.due_date < f.start_date)
      errors.push(validation('Due date must be on or after the start date', 'due_date'));
    if (errors.length) return errorResponse(c, 422, errors);
    const t = now();
    const w: KantataWorkspace = {
      id: inst.nextId(),
      title: f.title!,
      description: f.description ?? '',
      start_date: f.start_date ?? null,
      due_date: f.due_date ?? null,
      budgeted,
      price_in_cents: price,
      currency,
      rate_card_id: f.rate_card_id ?? null,
      project_tracker_template_id: f.project_tracker_template_id ?? null,
      creator_role: f.creator_role ?? 'consultant',
      creator_id: inst.state.apiUserId,
      archived: false,
      created_at: t,
      updated_at: t,
    };
    inst.state.workspaces[w.id] = w;
    inst.effect('workspace.create');
    // Kantata saves a nested external reference with its subject.
    if (input.reference) insertReference(inst, 'Workspace', w.id, input.reference);
    if (w.project_tracker_template_id)
      applyTemplate(inst, w, input.templateStart ?? w.start_date ?? t.slice(0, 10));
    return respondWith(c, inst, w);
  };
  app.post('/api/v1/workspaces', create);
  app.post('/api/v1/workspaces.json', create);

  app.put('/api/v1/workspaces/:id{[0-9]+(?:\\.json)?}', async (c) => {
    const inst = c.get('instance');
    const w = inst.state.workspaces[idParam(c)];
    if (!w) return errorResponse(c, 404, [system('Workspace not found')]);
    const body = await jsonBody(c);
    const raw = body?.workspace;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw))
      return errorResponse(c, 400, [system('param is missing or the value is empty: workspace')]);
    const input = readWorkspaceInput(inst.state, raw as Record<string, unknown>, false);
    const errors = [...input.errors];
    const f = input.fields;
    if (f.rate_card_id && inst.state.rateCards[f.rate_card_id]!.currency !== (f.currency ?? w.currency)) {
      errors.push(
        validation('The currency of the rate card must match the currency of the project', 'rate_card_id'),
      );
    }
    let price: number | undefined;
    if (input.price !== undefined && input.price !== null) {
      price = priceToSubunits(input.price, f.currency ?? w.currency);
      if (price === undefined)
        errors.push(validation(`Price must be an amount in ${f.currency ?? w.currency}`, 'price'));
    }
    const start = f.start_date ?? w.start_date;
    const due = f.due_date ?? w.due_date;
    if (start && due && due < start)
      errors.push(validation('Due date must be on or after the start date', 'due_date'));
    if (errors.length) return errorResponse(c, 422, errors);
    const { project_tracker_template_id: template, ...rest } = f;
    Object.assign(w, rest, price !== undefined ? { price_in_cents: price } : {}, { updated_at: now() });
    inst.effect('workspace.update');
    if (input.reference) {
      const existing = referencesOf(inst.state, 'Workspace', w.id).find(
        (r) => r.service_name === input.reference!.service_name,
      );
      if (existing) Object.assign(existing, input.reference, { updated_at: now(), last_synced_at: now() });
      else if (!duplicateServiceName(inst.state, 'Workspace', w.id, input.reference.service_name))
        insertReference(inst, 'Workspace', w.id, input.reference);
    }
    if (template) {
      w.project_tracker_template_id = template;
      applyTemplate(inst, w, input.templateStart ?? w.start_date ?? now().slice(0, 10));
    }
    return respondWith(c, inst, w);
  });
}
