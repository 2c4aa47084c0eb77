import type { Milestone } from '../../../shared/model/contract';
import type { ProjectSpec, WbsNode } from '../../../shared/model/project';
import { type KantataContext, kantataId, SERVICE_MODEL, validationError } from './context';
import { includedOf, singleOf } from './http';
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

async function createStory(
  ctx: KantataContext,
  story: Record<string, unknown>,
  serviceModel: string,
  key: string,
): Promise<string> {
  const envelope = await ctx.http.request('POST', '/stories', {
    body: { story: { ...story, external_reference: markerReference(ctx, serviceModel, key) } },
  });
  return singleOf(envelope, 'stories', StorySchema, 'POST', '/stories').id;
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

  const existing = await existingStories(ctx, projectId);
  const ids: Record<string, string> = {};

  // Parents before children: a child needs its parent's id.
  const walk = async (nodes: WbsNode[], parentId: string | undefined, depth: number) => {
    for (const node of nodes) {
      let id = existing.get(`${SERVICE_MODEL.wbsNode}:${node.key}`);
      if (!id) {
        id = await createStory(
          ctx,
          {
            workspace_id: workspaceId,
            title: node.name,
            story_type: depth === 0 ? 'deliverable' : 'task',
            ...(parentId ? { parent_id: kantataId(parentId, 'parent story id') } : {}),
          },
          SERVICE_MODEL.wbsNode,
          node.key,
        );
      }
      ids[node.key] = id;
      if (node.children?.length) await walk(node.children, id, depth + 1);
    }
  };
  await walk(spec.wbs, undefined, 0);

  for (const m of spec.milestones) {
    let id = existing.get(`${SERVICE_MODEL.milestone}:${m.key}`);
    if (!id) {
      const description = milestoneDescription(m);
      id = await createStory(
        ctx,
        {
          workspace_id: workspaceId,
          title: m.name,
          story_type: 'milestone',
          due_date: m.dueDate,
          budget_estimate_in_cents: m.amount.amountMinor,
          ...(description ? { description } : {}),
        },
        SERVICE_MODEL.milestone,
        m.key,
      );
    }
    ids[m.key] = id;
  }
  return ids;
}
