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
  listEnvelope,
  now,
  onlyIds,
  readPage,
  system,
  validation,
} from './envelope';
import {
  insertReference,
  matchesReferenceFilters,
  parseReference,
  withReferences,
} from './external-references';
import { exponentOf } from './money';
import type {
  KantataRateCard,
  KantataRateCardRole,
  KantataRateCardSet,
  KantataRateCardSetVersion,
  KantataRateCardVersion,
  KantataState,
} from './state';

/**
 * Kantata's rate cards: a Rate Card Set (a named group) has Set Versions (effective dates, published or
 * not) and Rate Cards (one per currency); each Rate Card has a Rate Card Version per Set Version, and a
 * Rate Card Version holds Rate Card Roles (an hourly bill rate in subunits per account role). A workspace
 * points at one Rate Card (`rate_card_id`) whose currency must match the project's.
 */

const versionsOfCard = (s: KantataState, cardId: string) =>
  Object.values(s.rateCardVersions).filter((v) => v.rate_card_id === cardId);
const versionsOfSetVersion = (s: KantataState, setVersionId: string) =>
  Object.values(s.rateCardVersions).filter((v) => v.rate_card_set_version_id === setVersionId);
const setVersionsOf = (s: KantataState, setId: string) =>
  Object.values(s.rateCardSetVersions).filter((v) => v.rate_card_set_id === setId);
const cardsOf = (s: KantataState, setId: string) =>
  Object.values(s.rateCards).filter((r) => r.rate_card_set_id === setId);

function serializeCardVersion(v: KantataRateCardVersion) {
  return { id: v.id, default_rate: v.default_rate, created_at: v.created_at, updated_at: v.updated_at };
}

function serializeSetVersion(s: KantataState, v: KantataRateCardSetVersion, c: Context, included: Included) {
  const out: Record<string, unknown> = {
    id: v.id,
    active: v.active,
    effective_date: v.effective_date,
    used_currencies: versionsOfSetVersion(s, v.id)
      .map((x) => s.rateCards[x.rate_card_id]?.currency)
      .filter(Boolean),
    created_at: v.created_at,
    updated_at: v.updated_at,
  };
  const inc = includes(c);
  if (inc.has('rate_card_versions')) {
    const versions = versionsOfSetVersion(s, v.id);
    out.rate_card_version_ids = versions.map((x) => x.id);
    for (const x of versions) include(included, 'rate_card_versions', x.id, serializeCardVersion(x));
  }
  if (inc.has('rate_card_set')) out.rate_card_set_id = v.rate_card_set_id;
  return out;
}

function serializeCard(s: KantataState, r: KantataRateCard, c: Context, included: Included) {
  const set = s.rateCardSets[r.rate_card_set_id];
  const out: Record<string, unknown> = {
    id: r.id,
    currency: r.currency,
    rate_card_set_title: `${set?.title ?? ''} (${r.currency})`,
    removable: !Object.values(s.workspaces).some((w) => w.rate_card_id === r.id),
    uses: Object.values(s.workspaces).filter((w) => w.rate_card_id === r.id).length,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
  const inc = includes(c);
  if (inc.has('rate_card_versions')) {
    const versions = versionsOfCard(s, r.id);
    out.rate_card_version_ids = versions.map((x) => x.id);
    for (const x of versions) include(included, 'rate_card_versions', x.id, serializeCardVersion(x));
  }
  if (inc.has('rate_card_set')) out.rate_card_set_id = r.rate_card_set_id;
  return withReferences(s, c, 'RateCard', out, included);
}

function serializeSet(s: KantataState, set: KantataRateCardSet, c: Context, included: Included) {
  const active = setVersionsOf(s, set.id).filter((v) => v.active);
  const out: Record<string, unknown> = {
    id: set.id,
    title: set.title,
    account_default: set.account_default,
    active_currencies: [
      ...new Set(
        active.flatMap((v) =>
          versionsOfSetVersion(s, v.id).map((x) => s.rateCards[x.rate_card_id]?.currency),
        ),
      ),
    ].filter(Boolean),
    destroyable: !cardsOf(s, set.id).some((r) =>
      Object.values(s.workspaces).some((w) => w.rate_card_id === r.id),
    ),
    created_at: set.created_at,
    updated_at: set.updated_at,
  };
  const inc = includes(c);
  if (inc.has('rate_cards')) {
    const cards = cardsOf(s, set.id);
    out.rate_card_ids = cards.map((r) => r.id);
    for (const r of cards) include(included, 'rate_cards', r.id, serializeCard(s, r, c, included));
  }
  if (inc.has('rate_card_set_versions')) {
    const versions = setVersionsOf(s, set.id);
    out.rate_card_set_version_ids = versions.map((v) => v.id);
    for (const v of versions)
      include(included, 'rate_card_set_versions', v.id, serializeSetVersion(s, v, c, included));
  }
  return out;
}

function serializeRole(s: KantataState, r: KantataRateCardRole, c: Context, included: Included) {
  const out: Record<string, unknown> = {
    id: r.id,
    rate: r.rate,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
  const inc = includes(c);
  if (inc.has('role')) {
    out.role_id = r.role_id;
    const role = s.roles[r.role_id];
    if (role) include(included, 'roles', role.id, { ...role });
  }
  if (inc.has('rate_card_version')) out.rate_card_version_id = r.rate_card_version_id;
  return out;
}

function newCardVersion(inst: Instance<KantataState>, cardId: string, setVersionId: string) {
  const t = now();
  const v: KantataRateCardVersion = {
    id: inst.nextId(),
    rate_card_id: cardId,
    rate_card_set_version_id: setVersionId,
    default_rate: 0,
    created_at: t,
    updated_at: t,
  };
  inst.state.rateCardVersions[v.id] = v;
  return v;
}

function newSetVersion(inst: Instance<KantataState>, setId: string, effectiveDate: string) {
  const t = now();
  const v: KantataRateCardSetVersion = {
    id: inst.nextId(),
    rate_card_set_id: setId,
    effective_date: effectiveDate,
    active: false,
    created_at: t,
    updated_at: t,
  };
  inst.state.rateCardSetVersions[v.id] = v;
  inst.effect('rate_card_set_version.create');
  return v;
}

const collection = (
  app: EmulatorApp<KantataState>,
  method: 'get' | 'post',
  path: string,
  handler: (c: Context) => unknown,
) => {
  app[method](path, handler as never);
  app[method](`${path}.json`, handler as never);
};

export function registerRateCardRoutes(app: EmulatorApp<KantataState>) {
  collection(app, 'get', '/api/v1/rate_card_sets', (c) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const only = onlyIds(c);
    const matching = c.req.query('matching')?.toLowerCase();
    const hasCurrency = c.req.query('has_currency');
    const rows = Object.values(inst.state.rateCardSets)
      .filter(
        (s) =>
          (only === undefined || only.has(s.id)) &&
          (matching === undefined || s.title.toLowerCase().includes(matching)) &&
          (hasCurrency === undefined || cardsOf(inst.state, s.id).some((r) => r.currency === hasCurrency)),
      )
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || Number(a.id) - Number(b.id));
    const included: Included = {};
    return c.json(
      listEnvelope(
        'rate_card_sets',
        rows,
        readPage(c),
        (s) => serializeSet(inst.state, s, c, included),
        included,
      ),
    );
  });

  collection(app, 'post', '/api/v1/rate_card_sets', async (c) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const raw = (await jsonBody(c))?.rate_card_set as Record<string, unknown> | undefined;
    if (!raw || typeof raw !== 'object')
      return errorResponse(c, 400, [system('param is missing or the value is empty: rate_card_set')]);
    if (typeof raw.title !== 'string' || raw.title.trim() === '')
      return errorResponse(c, 422, [validation("Title can't be blank", 'title')]);
    const t = now();
    const set: KantataRateCardSet = {
      id: inst.nextId(),
      title: raw.title,
      account_default: false,
      created_at: t,
      updated_at: t,
    };
    inst.state.rateCardSets[set.id] = set;
    inst.effect('rate_card_set.create');
    const included: Included = {};
    return c.json(
      envelope('rate_card_sets', [serializeSet(inst.state, set, c, included)], 1, undefined, included),
    );
  });

  collection(app, 'get', '/api/v1/rate_card_set_versions', (c) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const only = onlyIds(c);
    const setId = c.req.query('rate_card_set_id');
    const rows = Object.values(inst.state.rateCardSetVersions)
      .filter(
        (v) =>
          (only === undefined || only.has(v.id)) && (setId === undefined || v.rate_card_set_id === setId),
      )
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || Number(a.id) - Number(b.id));
    const included: Included = {};
    return c.json(
      listEnvelope(
        'rate_card_set_versions',
        rows,
        readPage(c),
        (v) => serializeSetVersion(inst.state, v, c, included),
        included,
      ),
    );
  });

  collection(app, 'post', '/api/v1/rate_card_set_versions', async (c) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const raw = (await jsonBody(c))?.rate_card_set_version as Record<string, unknown> | undefined;
    if (!raw || typeof raw !== 'object')
      return errorResponse(c, 400, [system('param is missing or the value is empty: rate_card_set_version')]);
    const errors: KantataError[] = [];
    const setId = asId(raw.rate_card_set_id);
    if (!setId || !inst.state.rateCardSets[setId])
      errors.push(validation('Rate card set could not be found', 'rate_card_set_id'));
    if (raw.effective_date != null && !isIsoDate(raw.effective_date))
      errors.push(validation('effective_date must be an ISO 8601 date', 'effective_date'));
    if (errors.length) return errorResponse(c, 422, errors);
    const version = newSetVersion(
      inst,
      setId!,
      isIsoDate(raw.effective_date) ? raw.effective_date : now().slice(0, 10),
    );
    // The docs: creating a set version creates a Rate Card Version for each Rate Card of the set.
    for (const card of cardsOf(inst.state, setId!)) newCardVersion(inst, card.id, version.id);
    const included: Included = {};
    return c.json(
      envelope(
        'rate_card_set_versions',
        [serializeSetVersion(inst.state, version, c, included)],
        1,
        undefined,
        included,
      ),
    );
  });

  app.put('/api/v1/rate_card_set_versions/:id{[0-9]+}/publish', (c) => {
    const inst = c.get('instance');
    const version = inst.state.rateCardSetVersions[idParam(c)];
    if (!version) return errorResponse(c, 404, [system('Rate card set version not found')]);
    const clash = setVersionsOf(inst.state, version.rate_card_set_id).some(
      (v) => v.id !== version.id && v.active && v.effective_date === version.effective_date,
    );
    if (clash)
      return errorResponse(c, 422, [
        validation(
          'Another published version of this rate card set has the same effective date',
          'effective_date',
        ),
      ]);
    if (!version.active) {
      version.active = true;
      version.updated_at = now();
      inst.effect('rate_card_set_version.publish');
    }
    const included: Included = {};
    return c.json(
      envelope(
        'rate_card_set_versions',
        [serializeSetVersion(inst.state, version, c, included)],
        1,
        undefined,
        included,
      ),
    );
  });

  collection(app, 'get', '/api/v1/rate_cards', (c) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const only = onlyIds(c);
    const setId = c.req.query('rate_card_set_id');
    const matching = c.req.query('matching')?.toLowerCase();
    const rows = Object.values(inst.state.rateCards)
      .filter(
        (r) =>
          (only === undefined || only.has(r.id)) &&
          (setId === undefined || r.rate_card_set_id === setId) &&
          (matching === undefined ||
            (inst.state.rateCardSets[r.rate_card_set_id]?.title ?? '').toLowerCase().includes(matching)) &&
          matchesReferenceFilters(inst.state, c, 'RateCard', r.id),
      )
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || Number(b.id) - Number(a.id));
    const included: Included = {};
    return c.json(
      listEnvelope(
        'rate_cards',
        rows,
        readPage(c),
        (r) => serializeCard(inst.state, r, c, included),
        included,
      ),
    );
  });

  collection(app, 'post', '/api/v1/rate_cards', async (c) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const raw = (await jsonBody(c))?.rate_card as Record<string, unknown> | undefined;
    if (!raw || typeof raw !== 'object')
      return errorResponse(c, 400, [system('param is missing or the value is empty: rate_card')]);
    const errors: KantataError[] = [];
    const setId = asId(raw.rate_card_set_id);
    if (!setId || !inst.state.rateCardSets[setId])
      errors.push(validation('Rate card set could not be found', 'rate_card_set_id'));
    const currency = typeof raw.currency === 'string' ? raw.currency : '';
    if (exponentOf(currency) === undefined) errors.push(validation('Currency is not supported', 'currency'));
    let setVersionId: string | undefined;
    if (raw.rate_card_set_version_id != null) {
      setVersionId = asId(raw.rate_card_set_version_id);
      const v = setVersionId ? inst.state.rateCardSetVersions[setVersionId] : undefined;
      if (!v || v.rate_card_set_id !== setId)
        errors.push(
          validation('Rate card set version could not be found on this set', 'rate_card_set_version_id'),
        );
    }
    if (setId && cardsOf(inst.state, setId).some((r) => r.currency === currency))
      errors.push(validation('Currency has already been taken', 'currency'));
    // The docs: a new currency on a custom set must be added to the account default set first.
    const defaultSet = Object.values(inst.state.rateCardSets).find((x) => x.account_default);
    if (
      setId &&
      defaultSet &&
      setId !== defaultSet.id &&
      !cardsOf(inst.state, defaultSet.id).some((r) => r.currency === currency)
    ) {
      errors.push(
        validation(`Add a ${currency} rate card to the account default rate card set first`, 'currency'),
      );
    }
    const ref = raw.external_reference != null ? parseReference(raw.external_reference) : undefined;
    if (ref) errors.push(...ref.errors);
    if (errors.length) return errorResponse(c, 422, errors);
    const t = now();
    const card: KantataRateCard = {
      id: inst.nextId(),
      rate_card_set_id: setId!,
      currency,
      created_at: t,
      updated_at: t,
    };
    inst.state.rateCards[card.id] = card;
    inst.effect('rate_card.create');
    // A card gets a version in every set version of its set (the docs' cloning rule); a set without
    // versions gets its first one, effective today.
    const setVersions = setVersionsOf(inst.state, setId!);
    if (setVersions.length === 0) setVersions.push(newSetVersion(inst, setId!, t.slice(0, 10)));
    for (const v of setVersions) newCardVersion(inst, card.id, v.id);
    if (ref?.value) insertReference(inst, 'RateCard', card.id, ref.value);
    const included: Included = {};
    return c.json(
      envelope('rate_cards', [serializeCard(inst.state, card, c, included)], 1, undefined, included),
    );
  });

  collection(app, 'get', '/api/v1/rate_card_roles', (c) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const only = onlyIds(c);
    const versionId = c.req.query('rate_card_version_id');
    const roleIds = [
      ...(c.req.queries('with_role_ids') ?? []),
      ...(c.req.queries('with_role_ids[]') ?? []),
    ].flatMap((s) => s.split(','));
    const rows = Object.values(inst.state.rateCardRoles)
      .filter(
        (r) =>
          (only === undefined || only.has(r.id)) &&
          (versionId === undefined || r.rate_card_version_id === versionId) &&
          (roleIds.length === 0 || roleIds.includes(r.role_id)),
      )
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || Number(a.id) - Number(b.id));
    const included: Included = {};
    return c.json(
      listEnvelope(
        'rate_card_roles',
        rows,
        readPage(c),
        (r) => serializeRole(inst.state, r, c, included),
        included,
      ),
    );
  });

  collection(app, 'post', '/api/v1/rate_card_roles', async (c) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const raw = (await jsonBody(c))?.rate_card_role as Record<string, unknown> | undefined;
    if (!raw || typeof raw !== 'object')
      return errorResponse(c, 400, [system('param is missing or the value is empty: rate_card_role')]);
    const errors: KantataError[] = [];
    const versionId = asId(raw.rate_card_version_id);
    if (!versionId || !inst.state.rateCardVersions[versionId])
      errors.push(validation('Rate card version could not be found', 'rate_card_version_id'));
    const roleId = asId(raw.role_id);
    if (!roleId || !inst.state.roles[roleId]) errors.push(validation('Role could not be found', 'role_id'));
    const rate = asInt(raw.rate);
    if (rate === undefined || rate < 0)
      errors.push(validation('Rate must be a whole number of cents per hour', 'rate'));
    if (
      versionId &&
      roleId &&
      Object.values(inst.state.rateCardRoles).some(
        (r) => r.rate_card_version_id === versionId && r.role_id === roleId,
      )
    ) {
      errors.push(validation('Role already has a rate on this rate card version', 'role_id'));
    }
    if (errors.length) return errorResponse(c, 422, errors);
    const t = now();
    const role: KantataRateCardRole = {
      id: inst.nextId(),
      rate_card_version_id: versionId!,
      role_id: roleId!,
      rate: rate!,
      created_at: t,
      updated_at: t,
    };
    inst.state.rateCardRoles[role.id] = role;
    inst.effect('rate_card_role.create');
    const included: Included = {};
    return c.json(
      envelope('rate_card_roles', [serializeRole(inst.state, role, c, included)], 1, undefined, included),
    );
  });
}
