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
  // Each link has its own service_name, so the upserts are independent: send them together.
  const changed = links.filter((link) => {
    const current = existing.find((r) => r.service_name === linkServiceName(link));
    return !(
      current &&
      current.service_model === link.kind &&
      current.service_model_ref === link.externalId &&
      (current.external_link ?? undefined) === link.url &&
      current.status === 'successful'
    );
  });
  await Promise.all(
    changed.map((link) =>
      upsertReference(ctx, {
        subjectType: 'Workspace',
        subjectId: projectId,
        serviceName: linkServiceName(link),
        serviceModel: link.kind,
        serviceModelRef: link.externalId,
        externalLink: link.url,
      }),
    ),
  );
}
