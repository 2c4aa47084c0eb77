import type { Milestone } from '../../../shared/model/contract';
import type { ProjectSpec, WbsNode } from '../../../shared/model/project';
import { ConnectorError } from '../errors';
import { type KantataContext, kantataId, SERVICE_MODEL, validationError } from './context';
import { SYSTEM } from './errors';
import { includedOf } from './http';
import { markerReference } from './references';
import { ExternalReferenceSchema, StorySchema } from './schemas';

/**
 * WBS nodes become stories nested with `parent_id` (top level: `deliverable`, below: `task`); milestones
 * become `milestone` stories with their due date and amount (`budget_estimate_in_cents`, in the currency's
 * subunits). Each story is created with a nested external reference whose `service_model_ref` is the
 * canonical key, saved together with the story, so a re-run lists what exists and creates only the rest.
 */

/** Kantata nests subtasks at most 4 levels below a top-level task. */
const MAX_DEPTH = 4;
const DESCRIPTION_LIMIT = 999;

function deepest(nodes: WbsNode[], depth = 0): number {
  return nodes.reduce(
    (max, n) => Math.max(max, n.children?.length ? deepest(n.children, depth + 1) : depth),
    depth,
  );
}

function milestoneDescription(m: Milestone): string {
  const parts = [
    m.clause ? `Contract clause: ${m.clause}` : '',
    m.deliverables.length ? `Deliverables: ${m.deliverables.join('; ')}` : '',
  ];
  const text = parts.filter(Boolean).join('\n');
  return text.length > DESCRIPTION_LIMIT ? `${text.slice(0, DESCRIPTION_LIMIT - 1)}…` : text;
}

/** Stories Handoff already created in the workspace, by `${service_model}:${service_model_ref}`. */
async function existingStories(ctx: KantataContext, workspaceId: string): Promise<Map<string, string>> {
  const { records, envelope } = await ctx.http.list('/stories', 'stories', StorySchema, {
    workspace_id: workspaceId,
    external_reference_service_name: ctx.config.serviceName,
    include: 'external_references',
    show_archived: true,
  });
  const refs = includedOf(envelope, 'external_references', ExternalReferenceSchema);
  const found = new Map<string, string>();
  for (const story of records) {
    for (const refId of story.external_reference_ids ?? []) {
      const ref = refs.get(refId);
      if (ref && ref.service_name === ctx.config.serviceName)
        found.set(`${ref.service_model}:${ref.service_model_ref}`, story.id);
    }
  }
  return found;
}

/** Kantata's bulk create takes up to 300 stories under the plural key. */
const BULK_LIMIT = 300;

interface NewStory {
  story: Record<string, unknown>;
  serviceModel: string;
  key: string;
}

/**
 * Creates stories with bulk `POST /stories` ({"stories": [...]}), each with its nested external
 * reference. Which id each got is read back from the references (a re-list), not from the order of the
 * answer, which Kantata does not promise.
 */
async function createStories(ctx: KantataContext, stories: NewStory[]): Promise<void> {
  for (let i = 0; i < stories.length; i += BULK_LIMIT) {
    const chunk = stories.slice(i, i + BULK_LIMIT);
    await ctx.http.request('POST', '/stories', {
      body: {
        stories: chunk.map((s) => ({
          ...s.story,
          external_reference: markerReference(ctx, s.serviceModel, s.key),
        })),
      },
    });
  }
}

export async function ensureWbsAndMilestones(
  ctx: KantataContext,
  projectId: string,
  spec: ProjectSpec,
): Promise<Record<string, string>> {
  const workspaceId = kantataId(projectId, 'project id');
  if (deepest(spec.wbs) > MAX_DEPTH) {
    throw validationError(
      `The work breakdown is ${deepest(spec.wbs) + 1} levels deep; Kantata allows ${MAX_DEPTH + 1}`,
      'wbs',
      `Flatten the work breakdown to at most ${MAX_DEPTH + 1} levels.`,
    );
  }
  for (const m of spec.milestones) {
    if (m.amount.currency !== spec.budget.currency) {
      throw validationError(
        `Milestone "${m.name}" is in ${m.amount.currency} but the project budget is in ${spec.budget.currency}`,
        `milestones.${m.key}.amount`,
        'Give every milestone the contract currency.',
      );
    }
  }

  // Level by level (a child needs its parent's id): one bulk create per level, then one list to learn
  // the new ids. Milestones go with the top level. What exists already (a re-run) is not created again.
  let existing = await existingStories(ctx, projectId);
  const ids: Record<string, string> = {};
  const idOf = (model: string, key: string) => existing.get(`${model}:${key}`);

  let level: { node: WbsNode; parentKey?: string }[] = spec.wbs.map((node) => ({ node }));
  for (let depth = 0; level.length || depth === 0; depth++) {
    const missing: NewStory[] = [];
    for (const { node, parentKey } of level) {
      if (idOf(SERVICE_MODEL.wbsNode, node.key)) continue;
      const parentId = parentKey ? idOf(SERVICE_MODEL.wbsNode, parentKey) : undefined;
      missing.push({
        story: {
          workspace_id: workspaceId,
          title: node.name,
          story_type: depth === 0 ? 'deliverable' : 'task',
          ...(parentId ? { parent_id: kantataId(parentId, 'parent story id') } : {}),
        },
        serviceModel: SERVICE_MODEL.wbsNode,
        key: node.key,
      });
    }
    if (depth === 0) {
      for (const m of spec.milestones) {
        if (idOf(SERVICE_MODEL.milestone, m.key)) continue;
        const description = milestoneDescription(m);
        missing.push({
          story: {
            workspace_id: workspaceId,
            title: m.name,
            story_type: 'milestone',
            due_date: m.dueDate,
            budget_estimate_in_cents: m.amount.amountMinor,
            ...(description ? { description } : {}),
          },
          serviceModel: SERVICE_MODEL.milestone,
          key: m.key,
        });
      }
    }
    if (missing.length) {
      await createStories(ctx, missing);
      existing = await existingStories(ctx, projectId);
      for (const n of missing) {
        if (!idOf(n.serviceModel, n.key))
          throw new ConnectorError({
            system: SYSTEM,
            message: `Kantata created story "${String(n.story.title)}" but it is not listed with its reference yet`,
            retryable: true,
            code: 'STORY_NOT_LISTED',
          });
      }
    }
    for (const { node } of level) ids[node.key] = idOf(SERVICE_MODEL.wbsNode, node.key)!;
    level = level.flatMap(({ node }) =>
      (node.children ?? []).map((child) => ({ node: child, parentKey: node.key })),
    );
  }
  for (const m of spec.milestones) ids[m.key] = idOf(SERVICE_MODEL.milestone, m.key)!;
  return ids;
}
