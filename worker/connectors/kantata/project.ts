import type { ProjectSpec } from '../../../shared/model/project';
import { ConnectorError } from '../errors';
import type { ExternalRecord } from '../ports';
import {
  isIsoDate,
  type KantataContext,
  kantataId,
  keyMarker,
  priceValue,
  SERVICE_MODEL,
  slug,
  validationError,
} from './context';
import { SYSTEM } from './errors';
import { singleOf } from './http';
import { findMarked, markerReference, upsertReference } from './references';
import { ProjectTemplateSchema, WorkspaceSchema } from './schemas';

/**
 * createProject, idempotent under `key`:
 *  1. Look for the external reference Handoff puts on the workspace (service_model `project`, ref = key).
 *  2. Else look for a workspace whose description carries the key's marker (see below) and re-attach the
 *     reference to it.
 *  3. Else create the workspace, from the project template, with the reference nested in the same
 *     `POST /workspaces`, so the workspace and its marker are saved together: a retry after a timeout or a
 *     response dropped after commit finds it in step 1.
 *
 * What remains: Kantata documents no idempotency key for `POST /workspaces` and does not state that a
 * nested external reference is saved in the same transaction as its workspace. If it ever were not, step 2
 * still finds the workspace by its description marker, unless Kantata's search has not yet indexed a
 * workspace created moments before; a retry inside that window could create a second workspace.
 */

export const DESCRIPTION_MARKER_PREFIX = 'Handoff ref';

async function findByDescriptionMarker(ctx: KantataContext, marker: string): Promise<string | undefined> {
  try {
    const { records } = await ctx.http.list('/workspaces', 'workspaces', WorkspaceSchema, {
      search: `description:'${marker}'`,
      include_archived: true,
    });
    return records.find((w) => (w.description ?? '').includes(marker))?.id;
  } catch (e) {
    // Kantata answers a system error when search is unavailable; this second check must not block creation.
    if (e instanceof ConnectorError && !e.retryable && e.code !== 'UNAUTHORIZED' && e.code !== 'FORBIDDEN')
      return undefined;
    throw e;
  }
}

/** Contracts name templates by slug ("standard-delivery"); people title them ("Standard Delivery"). */
export function findTemplate<T extends { title: string }>(records: T[], template: string): T | undefined {
  return records.find((t) => t.title === template) ?? records.find((t) => slug(t.title) === slug(template));
}

async function resolveTemplate(ctx: KantataContext, template: string): Promise<string> {
  const { records } = await ctx.http.list('/project_templates', 'project_templates', ProjectTemplateSchema);
  const match = findTemplate(records, template);
  if (match) return match.id;
  const known = records.map((t) => `"${t.title}"`).join(', ') || 'none';
  throw new ConnectorError({
    system: SYSTEM,
    message: `Kantata has no project template "${template}"`,
    retryable: false,
    code: 'TEMPLATE_NOT_FOUND',
    field: 'projectTemplate',
    fix: `Create a Kantata project template titled "${template}", or set the contract's project template to one Kantata has (${known}).`,
  });
}

function describe(spec: ProjectSpec, marker: string): string {
  const footer = `${DESCRIPTION_MARKER_PREFIX} ${marker}`;
  return spec.description ? `${spec.description}\n\n${footer}` : footer;
}

export async function createProject(
  ctx: KantataContext,
  spec: ProjectSpec,
  key: string,
  recordUrl: (id: string) => string,
): Promise<ExternalRecord> {
  if (!isIsoDate(spec.startDate))
    throw validationError(
      `Project start date "${spec.startDate}" is not a date`,
      'startDate',
      'Set the contract start date (YYYY-MM-DD).',
    );
  if (spec.endDate !== undefined && !isIsoDate(spec.endDate))
    throw validationError(
      `Project end date "${spec.endDate}" is not a date`,
      'endDate',
      'Set the contract end date (YYYY-MM-DD).',
    );

  const existing = await findMarked(ctx, 'Workspace', SERVICE_MODEL.project, key);
  if (existing) return { id: existing, url: recordUrl(existing), created: false };

  const marker = await keyMarker(key);
  const orphan = await findByDescriptionMarker(ctx, marker);
  if (orphan) {
    await upsertReference(ctx, {
      subjectType: 'Workspace',
      subjectId: orphan,
      serviceName: ctx.config.serviceName,
      serviceModel: SERVICE_MODEL.project,
      serviceModelRef: key,
    });
    return { id: orphan, url: recordUrl(orphan), created: false };
  }

  const templateId = await resolveTemplate(ctx, spec.template);
  const envelope = await ctx.http.request('POST', '/workspaces', {
    body: {
      workspace: {
        title: spec.name,
        description: describe(spec, marker),
        start_date: spec.startDate,
        ...(spec.endDate ? { due_date: spec.endDate } : {}),
        budgeted: true,
        price: priceValue(spec.budget),
        currency: spec.budget.currency,
        creator_role: 'consultant',
        project_tracker_template_id: kantataId(templateId, 'project template id'),
        project_template_start_date: spec.startDate,
        external_reference: markerReference(ctx, SERVICE_MODEL.project, key),
      },
    },
  });
  const workspace = singleOf(envelope, 'workspaces', WorkspaceSchema, 'POST', '/workspaces');
  return { id: workspace.id, url: recordUrl(workspace.id), created: true };
}
