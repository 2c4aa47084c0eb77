import type { Context } from 'hono';
import type { EmulatorApp, Instance } from '../kit/emulator';
import {
  asId,
  boolParam,
  envelope,
  errorResponse,
  type Included,
  idParam,
  includes,
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
  EXTERNAL_REFERENCE_SUBJECT_TYPES,
  type KantataExternalReference,
  type KantataState,
  subjectTable,
} from './state';

/**
 * External references link a Kantata object to an object in another system. Kantata documents two ways to
 * write them: nested `external_reference` on the create/update of the subject (atomic with it), and
 * `POST /external_references/create_or_update`. The docs say the `service_name` must be unique among the
 * references of one object, so create_or_update is emulated as an upsert on (subject, service_name); the
 * docs do not spell out the upsert key.
 */

const STATUSES = ['pending', 'successful', 'failed'];

export interface ReferenceInput {
  service_name: string;
  service_model: string;
  service_model_ref: string;
  status?: string;
  external_link?: string;
  external_status?: string;
  external_message?: string;
  locked?: boolean;
}

/** The docs type `subject_id` as an integer; `subject_ref` only comes with `include=subject`. */
export function serializeReference(r: KantataExternalReference, withSubjectRef = false) {
  return {
    ...r,
    subject_id: Number(r.subject_id),
    ...(withSubjectRef
      ? { subject_ref: { key: SUBJECT_KEYS[r.subject_type] ?? r.subject_type, id: r.subject_id } }
      : {}),
  };
}

const SUBJECT_KEYS: Record<string, string> = {
  Workspace: 'workspaces',
  Story: 'stories',
  RateCard: 'rate_cards',
  WorkspaceResource: 'workspace_resources',
  Role: 'roles',
  User: 'users',
};

/** Validate a nested or top-level reference payload; `prefix` names fields the way Kantata reports them. */
export function parseReference(
  raw: unknown,
  prefix = 'external_reference',
): { value?: ReferenceInput; errors: KantataError[] } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    return { errors: [validation('external_reference must be an object', prefix)] };
  const r = raw as Record<string, unknown>;
  const errors: KantataError[] = [];
  for (const f of ['service_name', 'service_model', 'service_model_ref'] as const) {
    const v = r[f];
    if (typeof v !== 'string' && typeof v !== 'number')
      errors.push(validation(`${f} can't be blank`, `${prefix}.${f}`));
    else if (String(v).trim() === '') errors.push(validation(`${f} can't be blank`, `${prefix}.${f}`));
  }
  if (r.status !== undefined && r.status !== null && !STATUSES.includes(String(r.status))) {
    errors.push(validation(`status must be one of ${STATUSES.join(', ')}`, `${prefix}.status`));
  }
  if (errors.length) return { errors };
  const opt = (k: string) => (r[k] === undefined || r[k] === null ? undefined : String(r[k]));
  return {
    errors,
    value: {
      service_name: String(r.service_name),
      service_model: String(r.service_model),
      service_model_ref: String(r.service_model_ref),
      status: opt('status'),
      external_link: opt('external_link'),
      external_status: opt('external_status'),
      external_message: opt('external_message'),
      locked: r.locked === true || r.locked === 'true',
    },
  };
}

export function referencesOf(
  state: KantataState,
  subjectType: string,
  subjectId: string,
): KantataExternalReference[] {
  return Object.values(state.externalReferences).filter(
    (r) => r.subject_type === subjectType && r.subject_id === subjectId,
  );
}

/** A second reference with the same service_name on one object is refused, as the docs require. */
export function duplicateServiceName(
  state: KantataState,
  subjectType: string,
  subjectId: string,
  serviceName: string,
) {
  return referencesOf(state, subjectType, subjectId).some((r) => r.service_name === serviceName);
}

export function insertReference(
  inst: Instance<KantataState>,
  subjectType: string,
  subjectId: string,
  input: ReferenceInput,
) {
  const t = now();
  const ref: KantataExternalReference = {
    id: inst.nextId(),
    subject_type: subjectType,
    subject_id: subjectId,
    service_name: input.service_name,
    service_model: input.service_model,
    service_model_ref: input.service_model_ref,
    status: input.status ?? null,
    external_link: input.external_link ?? null,
    external_status: input.external_status ?? null,
    external_message: input.external_message ?? null,
    locked: input.locked ?? false,
    last_synced_at: t,
    created_at: t,
    updated_at: t,
  };
  inst.state.externalReferences[ref.id] = ref;
  inst.effect('external_reference.create');
  return ref;
}

/** The `external_reference_*` filters every listing of a referenceable type supports. */
export function matchesReferenceFilters(
  state: KantataState,
  c: Context,
  subjectType: string,
  subjectId: string,
): boolean {
  const q = (k: string) => c.req.query(k);
  const name = q('external_reference_service_name');
  const model = q('external_reference_service_model');
  const ref = q('external_reference_service_model_ref');
  const refs = q('external_reference_service_model_refs');
  const status = q('external_reference_status');
  const without = q('without_external_reference_service_name');
  const has = q('has_external_references');
  const own = referencesOf(state, subjectType, subjectId);
  if (without !== undefined && own.some((r) => r.service_name === without)) return false;
  if (has !== undefined && boolParam(has) !== own.length > 0) return false;
  const refList = refs
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if ([name, model, ref, refs, status].every((v) => v === undefined)) return true;
  return own.some(
    (r) =>
      (name === undefined || r.service_name === name) &&
      (model === undefined || r.service_model === model) &&
      (ref === undefined || r.service_model_ref === ref) &&
      (refList === undefined || refList.includes(r.service_model_ref)) &&
      (status === undefined || r.status === status),
  );
}

/** `include=external_references`: add `external_reference_ids` to each record and the referenced objects. */
export function withReferences(
  state: KantataState,
  c: Context,
  subjectType: string,
  serialized: Record<string, unknown>,
  included: Included,
): Record<string, unknown> {
  if (!includes(c).has('external_references')) return serialized;
  const refs = referencesOf(state, subjectType, String(serialized.id));
  included.external_references ??= {};
  for (const r of refs) included.external_references[r.id] = serializeReference(r);
  return { ...serialized, external_reference_ids: refs.map((r) => r.id) };
}

export function registerExternalReferenceRoutes(app: EmulatorApp<KantataState>) {
  const list = (c: Context) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const q = (k: string) => c.req.query(k);
    const subjectType = q('subject_type');
    if (!subjectType) return errorResponse(c, 400, [system('subject_type is required')]);
    const only = onlyIds(c);
    const refs = Object.values(inst.state.externalReferences).filter(
      (r) =>
        r.subject_type === subjectType &&
        (only === undefined || only.has(r.id)) &&
        (q('subject_id') === undefined || r.subject_id === q('subject_id')) &&
        (q('service_name') === undefined || r.service_name === q('service_name')) &&
        (q('service_model') === undefined || r.service_model === q('service_model')) &&
        (q('service_model_ref') === undefined || r.service_model_ref === q('service_model_ref')) &&
        (q('status') === undefined || r.status === q('status')) &&
        (q('external_status') === undefined || r.external_status === q('external_status')),
    );
    // Documented default order: last_synced_at:desc.
    refs.sort((a, b) => b.last_synced_at.localeCompare(a.last_synced_at) || Number(b.id) - Number(a.id));
    const withSubject = includes(c).has('subject');
    return c.json(
      listEnvelope('external_references', refs, readPage(c), (r) => serializeReference(r, withSubject)),
    );
  };
  app.get('/api/v1/external_references', list);
  app.get('/api/v1/external_references.json', list);

  const upsert = async (c: Context) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const body = await jsonBody(c);
    const raw = body?.external_reference;
    if (!raw || typeof raw !== 'object')
      return errorResponse(c, 400, [system('param is missing or the value is empty: external_reference')]);
    const r = raw as Record<string, unknown>;
    const errors: KantataError[] = [];
    const subjectType = typeof r.subject_type === 'string' ? r.subject_type : undefined;
    const subjectId = asId(r.subject_id);
    if (!subjectType || !(EXTERNAL_REFERENCE_SUBJECT_TYPES as readonly string[]).includes(subjectType)) {
      errors.push(
        validation(
          `subject_type must be one of ${EXTERNAL_REFERENCE_SUBJECT_TYPES.join(', ')}`,
          'subject_type',
        ),
      );
    }
    if (!subjectId) errors.push(validation("subject_id can't be blank", 'subject_id'));
    const parsed = parseReference(r, 'external_reference');
    errors.push(
      ...parsed.errors.map((e) => ({ ...e, field: e.field?.replace(/^external_reference\./, '') })),
    );
    if (errors.length || !parsed.value || !subjectType || !subjectId) return errorResponse(c, 422, errors);
    const table = subjectTable(inst.state, subjectType);
    if (table && !table[subjectId])
      return errorResponse(c, 404, [system(`${subjectType} ${subjectId} not found`)]);
    const existing = referencesOf(inst.state, subjectType, subjectId).find(
      (x) => x.service_name === parsed.value!.service_name,
    );
    let ref: KantataExternalReference;
    if (existing) {
      const v = parsed.value;
      Object.assign(existing, {
        service_model: v.service_model,
        service_model_ref: v.service_model_ref,
        ...(v.status !== undefined ? { status: v.status } : {}),
        ...(v.external_link !== undefined ? { external_link: v.external_link } : {}),
        ...(v.external_status !== undefined ? { external_status: v.external_status } : {}),
        ...(v.external_message !== undefined ? { external_message: v.external_message } : {}),
        ...(r.locked !== undefined ? { locked: v.locked } : {}),
        last_synced_at: now(),
        updated_at: now(),
      });
      inst.effect('external_reference.update');
      ref = existing;
    } else {
      ref = insertReference(inst, subjectType, subjectId, parsed.value);
    }
    return c.json(envelope('external_references', [serializeReference(ref)], 1));
  };
  app.post('/api/v1/external_references/create_or_update', upsert);
  app.post('/api/v1/external_references/create_or_update.json', upsert);

  app.delete('/api/v1/external_references/:id{[0-9]+(?:\\.json)?}', (c) => {
    const inst = c.get('instance');
    const id = idParam(c);
    if (!inst.state.externalReferences[id])
      return errorResponse(c, 404, [system('External reference not found')]);
    delete inst.state.externalReferences[id];
    inst.effect('external_reference.delete');
    return c.body(null, 204);
  });
}
