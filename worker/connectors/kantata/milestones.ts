import type { PsaMilestoneState } from '../../../shared/model/delivery';
import { type KantataContext, kantataId, SERVICE_MODEL } from './context';
import { listAll } from './paging';
import { ExternalReferenceSchema, StoryStateSchema } from './schemas';

/**
 * Milestones are `milestone` stories; their canonical key is the `service_model_ref` of the external
 * reference Handoff saved with them at activation; their deliverables are their child stories. Kantata's
 * task states are "not started", "started", "needs feedback", "blocked", "completed".
 */

function stateOf(state: string | null | undefined): PsaMilestoneState['state'] {
  const s = (state ?? '').trim().toLowerCase();
  if (s === 'completed') return 'completed';
  if (s === '' || s === 'not started') return 'not_started';
  return 'in_progress';
}

export async function getMilestones(ctx: KantataContext, projectId: string): Promise<PsaMilestoneState[]> {
  kantataId(projectId, 'project id');
  const { records, included } = await listAll(ctx, '/stories', 'stories', StoryStateSchema, {
    workspace_id: projectId,
    include: 'external_references',
    order: 'position',
  });
  const refs = included.external_references ?? {};
  const keyOf = (refIds: string[] | undefined) => {
    for (const id of refIds ?? []) {
      const r = ExternalReferenceSchema.safeParse(refs[id]);
      if (
        r.success &&
        r.data.service_name === ctx.config.serviceName &&
        r.data.service_model === SERVICE_MODEL.milestone
      )
        return r.data.service_model_ref;
    }
    return undefined;
  };
  return records
    .filter((s) => s.story_type === 'milestone' && !s.archived)
    .map((m) => {
      const state = stateOf(m.state);
      const key = keyOf(m.external_reference_ids);
      return {
        psaId: m.id,
        ...(key ? { key } : {}),
        name: m.title,
        state,
        // Kantata reports no completion timestamp on a story; its last update is when it was completed.
        ...(state === 'completed' && m.updated_at ? { completedAt: m.updated_at } : {}),
        deliverables: records
          .filter((d) => d.parent_id === m.id && !d.archived)
          .map((d) => ({ psaId: d.id, name: d.title, done: stateOf(d.state) === 'completed' })),
      };
    });
}
