import { type KantataContext, kantataId } from './context';
import { findReferences, upsertReference } from './references';

export interface ExternalLink {
  system: string;
  kind: string;
  externalId: string;
  url?: string;
}

/**
 * Kantata requires the `service_name` of an object's external references to be unique per object, so each
 * link gets its own: `{system}/{kind}` (e.g. `netsuite/customer`, `netsuite/project`), with the kind also
 * in `service_model`. create_or_update is an upsert; links already present and unchanged are not rewritten.
 */
export const linkServiceName = (l: ExternalLink) => `${l.system}/${l.kind}`;

export async function linkExternal(
  ctx: KantataContext,
  projectId: string,
  links: ExternalLink[],
): Promise<void> {
  kantataId(projectId, 'project id');
  if (links.length === 0) return;
  const existing = await findReferences(ctx, { subjectType: 'Workspace', subjectId: projectId });
  for (const link of links) {
    const serviceName = linkServiceName(link);
    const current = existing.find((r) => r.service_name === serviceName);
    const unchanged =
      current &&
      current.service_model === link.kind &&
      current.service_model_ref === link.externalId &&
      (current.external_link ?? undefined) === link.url &&
      current.status === 'successful';
    if (unchanged) continue;
    await upsertReference(ctx, {
      subjectType: 'Workspace',
      subjectId: projectId,
      serviceName,
      serviceModel: link.kind,
      serviceModelRef: link.externalId,
      externalLink: link.url,
    });
  }
}
