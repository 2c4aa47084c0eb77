import type { z } from 'zod';
import type { Rate, RateCard } from '../../../shared/model/contract';
import { ConnectorError } from '../errors';
import type { ExternalRecord } from '../ports';
import { type KantataContext, kantataId, keyMarker, SERVICE_MODEL, validationError } from './context';
import { SYSTEM } from './errors';
import { includedOf, singleOf } from './http';
import { findMarked, markerReference } from './references';
import { resolveRoles } from './roles';
import {
  RateCardRoleSchema,
  RateCardSchema,
  RateCardSetSchema,
  RateCardSetVersionSchema,
  WorkspaceSchema,
} from './schemas';

/**
 * ensureRateCard gives the workspace the contract's rates. Kantata's model: a Rate Card Set (named group)
 * → Set Version (effective date, published or not) → Rate Card (one per currency) → Rate Card Version
 * (one per set version) → Rate Card Roles (hourly bill rate per role, in subunits). The workspace points at
 * the Rate Card. Every step is check-before-act, so a re-run after any failure resumes where it stopped:
 *  - the Rate Card carries Handoff's external reference (nested in its create, saved with it);
 *  - the Set has no external references in Kantata, so its title carries the key's marker;
 *  - versions and role rates are found by their parent; the publish and the workspace update are
 *    naturally idempotent.
 * Kantata requires a currency to be on the account default set before a custom set can use it; the
 * default set gets the currency first when it lacks it.
 * Left out: one set version per contract (rate history with several effective dates is not modelled; each
 * role takes the rate in effect on the set's effective date) and rate changes to an existing card.
 */

export function checkRates(card: RateCard) {
  for (const r of card.rates) {
    if (r.unit !== 'hour') {
      throw validationError(
        `The ${r.role} rate is per ${r.unit}; Kantata rate cards hold hourly rates`,
        'rateCard.rates.unit',
        `Give the ${r.role} rate per hour in the contract's rate card.`,
      );
    }
    if (r.rate.currency !== card.currency) {
      throw validationError(
        `The ${r.role} rate is in ${r.rate.currency}, the rate card in ${card.currency}`,
        'rateCard.rates.rate',
        'Use one currency for the whole rate card.',
      );
    }
  }
}

/** Per role, the rate in effect on `date` (or, if none is yet, the earliest one). */
export function ratesOn(rates: Rate[], date: string): Map<string, Rate> {
  const out = new Map<string, Rate>();
  for (const r of [...rates].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom))) {
    const current = out.get(r.role);
    const inEffect = r.effectiveFrom <= date && (!r.effectiveTo || r.effectiveTo >= date);
    if (!current || inEffect) out.set(r.role, r);
  }
  return out;
}

async function ensureDefaultSetHasCurrency(ctx: KantataContext, currency: string) {
  const { records, envelope } = await ctx.http.list('/rate_card_sets', 'rate_card_sets', RateCardSetSchema, {
    include: 'rate_cards',
  });
  const defaultSet = records.find((s) => s.account_default);
  if (!defaultSet) return;
  const cards = includedOf(envelope, 'rate_cards', RateCardSchema);
  const has = (defaultSet.rate_card_ids ?? []).some((id) => cards.get(id)?.currency === currency);
  if (has) return;
  await ctx.http.request('POST', '/rate_cards', {
    body: { rate_card: { rate_card_set_id: kantataId(defaultSet.id, 'rate card set id'), currency } },
  });
}

async function findOrCreateSet(ctx: KantataContext, title: string, marker: string): Promise<string> {
  const { records } = await ctx.http.list('/rate_card_sets', 'rate_card_sets', RateCardSetSchema, {
    matching: marker,
  });
  const found = records.find((s) => s.title === title);
  if (found) return found.id;
  const envelope = await ctx.http.request('POST', '/rate_card_sets', { body: { rate_card_set: { title } } });
  return singleOf(envelope, 'rate_card_sets', RateCardSetSchema, 'POST', '/rate_card_sets').id;
}

export async function setVersionsOf(ctx: KantataContext, setId: string) {
  const { records } = await ctx.http.list(
    '/rate_card_set_versions',
    'rate_card_set_versions',
    RateCardSetVersionSchema,
    {
      rate_card_set_id: setId,
      include: 'rate_card_versions',
    },
  );
  return records;
}

async function cardOfSet(ctx: KantataContext, setId: string, currency: string) {
  const { records } = await ctx.http.list('/rate_cards', 'rate_cards', RateCardSchema, {
    rate_card_set_id: setId,
    include: 'rate_card_versions',
  });
  return records.find((c) => c.currency === currency);
}

export async function ensureRateCard(
  ctx: KantataContext,
  projectId: string,
  rateCard: RateCard,
  key: string,
): Promise<ExternalRecord> {
  const workspaceId = kantataId(projectId, 'project id');
  checkRates(rateCard);
  const roles = await resolveRoles(
    ctx,
    rateCard.rates.map((r) => r.role),
  );
  const earliest = rateCard.rates.map((r) => r.effectiveFrom).sort()[0]!;
  // The first version takes effect when the contract's rates do (Kantata accepts past effective dates), so
  // a later amendment can add a version from its own date and time is priced by the rate of its day.
  const effectiveDate = earliest;

  let created = false;
  let setId: string | undefined;
  let card: z.output<typeof RateCardSchema> | undefined;
  const markedId = await findMarked(ctx, 'RateCard', SERVICE_MODEL.rateCard, key);
  if (markedId) {
    const { records } = await ctx.http.list('/rate_cards', 'rate_cards', RateCardSchema, {
      only: markedId,
      include: 'rate_card_versions,rate_card_set',
    });
    card = records[0];
    setId = card?.rate_card_set_id ?? undefined;
  }
  if (!card || !setId) {
    await ensureDefaultSetHasCurrency(ctx, rateCard.currency);
    const marker = await keyMarker(key);
    setId = await findOrCreateSet(ctx, `${rateCard.name} [${marker}]`, marker);
    let versions = await setVersionsOf(ctx, setId);
    if (versions.length === 0) {
      await ctx.http.request('POST', '/rate_card_set_versions', {
        body: {
          rate_card_set_version: {
            rate_card_set_id: kantataId(setId, 'rate card set id'),
            effective_date: effectiveDate,
          },
        },
      });
      versions = await setVersionsOf(ctx, setId);
    }
    card = await cardOfSet(ctx, setId, rateCard.currency);
    if (!card) {
      const envelope = await ctx.http.request('POST', '/rate_cards', {
        query: { include: 'rate_card_versions' },
        body: {
          rate_card: {
            rate_card_set_id: kantataId(setId, 'rate card set id'),
            rate_card_set_version_id: kantataId(versions[0]!.id, 'rate card set version id'),
            currency: rateCard.currency,
            external_reference: markerReference(ctx, SERVICE_MODEL.rateCard, key),
          },
        },
      });
      card = singleOf(envelope, 'rate_cards', RateCardSchema, 'POST', '/rate_cards');
      created = true;
    }
  }

  const versions = await setVersionsOf(ctx, setId);
  const cardVersionIds = new Set(card.rate_card_version_ids ?? []);
  const setVersion = versions.find((v) =>
    (v.rate_card_version_ids ?? []).some((id) => cardVersionIds.has(id)),
  );
  const cardVersionId = setVersion?.rate_card_version_ids?.find((id) => cardVersionIds.has(id));
  if (!setVersion || !cardVersionId) {
    throw new ConnectorError({
      system: SYSTEM,
      message: `Kantata rate card ${card.id} has no version in its rate card set ${setId}`,
      retryable: false,
      code: 'RATE_CARD_INCOMPLETE',
      fix: `Open the rate card set in Kantata (Settings → Rate Cards) and add a version for ${rateCard.currency}, then retry.`,
    });
  }

  const { records: existingRates } = await ctx.http.list(
    '/rate_card_roles',
    'rate_card_roles',
    RateCardRoleSchema,
    {
      rate_card_version_id: cardVersionId,
      include: 'role',
    },
  );
  const priced = new Set(existingRates.map((r) => r.role_id));
  const missing = new Map<string, number>();
  for (const [roleName, rate] of ratesOn(rateCard.rates, effectiveDate)) {
    const roleId = roles.get(roleName)!;
    if (!priced.has(roleId)) missing.set(roleId, rate.rate.amountMinor);
  }
  // One rate per role, independent of each other: sent side by side.
  await Promise.all(
    [...missing].map(([roleId, amountMinor]) =>
      ctx.http.request('POST', '/rate_card_roles', {
        body: {
          rate_card_role: {
            rate_card_version_id: kantataId(cardVersionId, 'rate card version id'),
            role_id: kantataId(roleId, 'role id'),
            rate: amountMinor,
          },
        },
      }),
    ),
  );

  if (!setVersion.active)
    await ctx.http.request(
      'PUT',
      `/rate_card_set_versions/${kantataId(setVersion.id, 'rate card set version id')}/publish`,
    );

  const workspace = singleOf(
    await ctx.http.request('GET', `/workspaces/${workspaceId}`),
    'workspaces',
    WorkspaceSchema,
    'GET',
    '/workspaces/{id}',
  );
  if (workspace.rate_card_id !== card.id) {
    await ctx.http.request('PUT', `/workspaces/${workspaceId}`, {
      body: { workspace: { rate_card_id: kantataId(card.id, 'rate card id') } },
    });
  }
  return { id: card.id, created };
}
