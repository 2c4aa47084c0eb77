import type { Milestone } from '../../../shared/model/contract';
import { ConnectorError } from '../errors';
import type { PsaAmendmentSpec } from '../ports';
import { type KantataContext, kantataId, priceValue, SERVICE_MODEL, validationError } from './context';
import { SYSTEM } from './errors';
import { includedOf, singleOf } from './http';
import { checkRates, ensureRateCard, ratesOn, setVersionsOf } from './rate-card';
import { markerReference } from './references';
import { resolveRoles } from './roles';
import {
  ExternalReferenceSchema,
  RateCardRoleSchema,
  RateCardSchema,
  StorySchema,
  WorkspaceSchema,
} from './schemas';

/**
 * applyAmendment brings a Kantata workspace in line with an amended contract, reading before every
 * write so a retry (or a second delivery of the same amendment) changes nothing:
 *  - workspace `price` (the budget) is updated only when it differs;
 *  - milestone stories are found by their external reference (the canonical key): missing ones are
 *    created with the reference nested, existing ones updated (`PUT /stories/{id}`) only where title,
 *    due date or `budget_estimate_in_cents` differ;
 *  - each rate effective after the rate card's first version gets a rate card set version with that
 *    effective date (created once, found by date afterwards), its role rates, and is published.
 * Milestones removed by the amendment are left in Kantata (they may carry logged time); the caller
 * reports them. A role rate already on a version with another amount is refused, not overwritten.
 */

async function milestoneStories(ctx: KantataContext, workspaceId: string) {
  const { records, envelope } = await ctx.http.list('/stories', 'stories', StorySchema, {
    workspace_id: workspaceId,
    external_reference_service_name: ctx.config.serviceName,
    include: 'external_references',
    show_archived: true,
  });
  const refs = includedOf(envelope, 'external_references', ExternalReferenceSchema);
  const byKey = new Map<string, (typeof records)[number]>();
  for (const story of records)
    for (const refId of story.external_reference_ids ?? []) {
      const ref = refs.get(refId);
      if (ref?.service_name === ctx.config.serviceName && ref.service_model === SERVICE_MODEL.milestone)
        byKey.set(ref.service_model_ref, story);
    }
  return byKey;
}

async function syncMilestones(ctx: KantataContext, workspaceId: number, milestones: Milestone[]) {
  const existing = await milestoneStories(ctx, String(workspaceId));
  for (const m of milestones) {
    const story = existing.get(m.key) as Record<string, unknown> | undefined;
    if (!story) {
      await ctx.http.request('POST', '/stories', {
        body: {
          story: {
            workspace_id: workspaceId,
            title: m.name,
            story_type: 'milestone',
            due_date: m.dueDate,
            budget_estimate_in_cents: m.amount.amountMinor,
            external_reference: markerReference(ctx, SERVICE_MODEL.milestone, m.key),
          },
        },
      });
      continue;
    }
    const change: Record<string, unknown> = {};
    if (story.title !== m.name) change.title = m.name;
    if (story.due_date !== m.dueDate) change.due_date = m.dueDate;
    if (story.budget_estimate_in_cents !== m.amount.amountMinor)
      change.budget_estimate_in_cents = m.amount.amountMinor;
    if (Object.keys(change).length)
      await ctx.http.request('PUT', `/stories/${kantataId(String(story.id), 'story id')}`, {
        body: { story: change },
      });
  }
}

async function syncRateVersions(
  ctx: KantataContext,
  workspaceId: number,
  rateCard: NonNullable<PsaAmendmentSpec['rateCard']>,
  cardId: string,
) {
  checkRates(rateCard);
  const cardOf = async () => {
    const { records } = await ctx.http.list('/rate_cards', 'rate_cards', RateCardSchema, {
      only: cardId,
      // Kantata returns an association's id only when the association is included.
      include: 'rate_card_versions,rate_card_set',
    });
    const card = records[0];
    if (!card?.rate_card_set_id)
      throw new ConnectorError({
        system: SYSTEM,
        message: `Kantata rate card ${cardId} of workspace ${workspaceId} was not found`,
        retryable: false,
        code: 'RATE_CARD_NOT_FOUND',
      });
    return card;
  };
  let card = await cardOf();
  if (card.currency !== rateCard.currency)
    throw validationError(
      `The workspace's rate card is in ${card.currency}, the amendment in ${rateCard.currency}`,
      'rateCard.currency',
      'Amend rates in the contract currency.',
    );
  const setId = card.rate_card_set_id!;
  let versions = await setVersionsOf(ctx, setId);
  const first = versions.map((v) => String(v.effective_date ?? '')).sort()[0] ?? '';
  const dates = [...new Set(rateCard.rates.map((r) => r.effectiveFrom))].filter((d) => d > first).sort();
  if (dates.length === 0) return;
  const roles = await resolveRoles(
    ctx,
    rateCard.rates.map((r) => r.role),
  );
  for (const date of dates) {
    if (!versions.some((v) => v.effective_date === date)) {
      await ctx.http.request('POST', '/rate_card_set_versions', {
        body: {
          rate_card_set_version: {
            rate_card_set_id: kantataId(setId, 'rate card set id'),
            effective_date: date,
          },
        },
      });
      versions = await setVersionsOf(ctx, setId);
      card = await cardOf();
    }
    const version = versions.find((v) => v.effective_date === date)!;
    const cardVersionId = version.rate_card_version_ids?.find((id) =>
      (card.rate_card_version_ids ?? []).includes(id),
    );
    if (!cardVersionId)
      throw new ConnectorError({
        system: SYSTEM,
        message: `Rate card set version ${version.id} has no ${rateCard.currency} version`,
        retryable: false,
        code: 'RATE_CARD_INCOMPLETE',
      });
    const { records: priced } = await ctx.http.list(
      '/rate_card_roles',
      'rate_card_roles',
      RateCardRoleSchema,
      // role_id comes back only with the role included.
      { rate_card_version_id: cardVersionId, include: 'role' },
    );
    for (const [roleName, rate] of ratesOn(rateCard.rates, date)) {
      const roleId = roles.get(roleName)!;
      const have = priced.find((p) => p.role_id === roleId);
      if (have) {
        if (Number((have as Record<string, unknown>).rate) !== rate.rate.amountMinor)
          throw validationError(
            `Kantata already has another ${roleName} rate on the version effective ${date}`,
            'rateCard.rates',
            `Check the ${roleName} rate in Kantata (Settings → Rate Cards, version of ${date}) against the amendment.`,
          );
        continue;
      }
      await ctx.http.request('POST', '/rate_card_roles', {
        body: {
          rate_card_role: {
            rate_card_version_id: kantataId(cardVersionId, 'rate card version id'),
            role_id: kantataId(roleId, 'role id'),
            rate: rate.rate.amountMinor,
          },
        },
      });
    }
    if (!version.active)
      await ctx.http.request(
        'PUT',
        `/rate_card_set_versions/${kantataId(version.id, 'rate card set version id')}/publish`,
      );
  }
}

export async function applyAmendment(
  ctx: KantataContext,
  projectId: string,
  spec: PsaAmendmentSpec,
  key: string,
): Promise<void> {
  const workspaceId = kantataId(projectId, 'project id');
  for (const m of spec.milestones)
    if (m.amount.currency !== spec.budget.currency)
      throw validationError(
        `Milestone "${m.name}" is in ${m.amount.currency}, the budget in ${spec.budget.currency}`,
        `milestones.${m.key}.amount`,
        'Give every milestone the contract currency.',
      );
  const workspace = singleOf(
    await ctx.http.request('GET', `/workspaces/${workspaceId}`),
    'workspaces',
    WorkspaceSchema,
    'GET',
    '/workspaces/{id}',
  );
  if (workspace.currency && workspace.currency !== spec.budget.currency)
    throw validationError(
      `Workspace ${workspaceId} is in ${workspace.currency}, the amendment in ${spec.budget.currency}`,
      'budget',
      'Amend in the project currency.',
    );
  if (workspace.price_in_cents !== spec.budget.amountMinor)
    await ctx.http.request('PUT', `/workspaces/${workspaceId}`, {
      body: { workspace: { price: priceValue(spec.budget) } },
    });
  await syncMilestones(ctx, workspaceId, spec.milestones);
  if (spec.rateCard) {
    if (workspace.rate_card_id)
      await syncRateVersions(ctx, workspaceId, spec.rateCard, workspace.rate_card_id);
    else await ensureRateCard(ctx, projectId, spec.rateCard, key);
  }
}
