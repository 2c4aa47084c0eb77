import type { KantataContext } from './context';
import { kantataId } from './context';
import { singleOf } from './http';
import { ExternalReferenceSchema, type KantataExternalReference } from './schemas';

/**
 * Kantata external references: Handoff's idempotency markers (service_name = the configured service name,
 * service_model = what kind of thing, service_model_ref = the key) and the links to other systems' ids.
 */

export interface ReferenceQuery {
  subjectType: string;
  subjectId?: string;
  serviceName?: string;
  serviceModel?: string;
  serviceModelRef?: string;
}

export async function findReferences(
  ctx: KantataContext,
  q: ReferenceQuery,
): Promise<KantataExternalReference[]> {
  const { records } = await ctx.http.list(
    '/external_references',
    'external_references',
    ExternalReferenceSchema,
    {
      subject_type: q.subjectType,
      subject_id: q.subjectId,
      service_name: q.serviceName,
      service_model: q.serviceModel,
      service_model_ref: q.serviceModelRef,
    },
  );
  // Filter again locally: a lookup that silently ignored a filter must not make us adopt the wrong record.
  return records.filter(
    (r) =>
      (r.subject_type === undefined || r.subject_type === q.subjectType) &&
      (q.subjectId === undefined || r.subject_id === q.subjectId) &&
      (q.serviceName === undefined || r.service_name === q.serviceName) &&
      (q.serviceModel === undefined || r.service_model === q.serviceModel) &&
      (q.serviceModelRef === undefined || r.service_model_ref === q.serviceModelRef),
  );
}

/** The subject Handoff marked with `key`, if any. */
export async function findMarked(
  ctx: KantataContext,
  subjectType: string,
  serviceModel: string,
  key: string,
): Promise<string | undefined> {
  const refs = await findReferences(ctx, {
    subjectType,
    serviceName: ctx.config.serviceName,
    serviceModel,
    serviceModelRef: key,
  });
  return refs.find((r) => r.subject_id)?.subject_id ?? undefined;
}

/** The nested `external_reference` Kantata saves together with the object it is created on. */
export function markerReference(ctx: KantataContext, serviceModel: string, key: string) {
  return {
    service_name: ctx.config.serviceName,
    service_model: serviceModel,
    service_model_ref: key,
    status: 'successful',
  };
}

export interface ReferenceWrite {
  subjectType: string;
  subjectId: string;
  serviceName: string;
  serviceModel: string;
  serviceModelRef: string;
  externalLink?: string;
  externalMessage?: string;
  /** The object's status in the other system (e.g. an invoice's "paid"). */
  externalStatus?: string;
}

/** `POST /external_references/create_or_update`: an upsert, so repeating it is harmless. */
export async function upsertReference(
  ctx: KantataContext,
  w: ReferenceWrite,
): Promise<KantataExternalReference> {
  const envelope = await ctx.http.request('POST', '/external_references/create_or_update', {
    body: {
      external_reference: {
        subject_type: w.subjectType,
        subject_id: kantataId(w.subjectId, `${w.subjectType} id`),
        service_name: w.serviceName,
        service_model: w.serviceModel,
        service_model_ref: w.serviceModelRef,
        status: 'successful',
        ...(w.externalLink ? { external_link: w.externalLink } : {}),
        ...(w.externalMessage ? { external_message: w.externalMessage } : {}),
        ...(w.externalStatus ? { external_status: w.externalStatus } : {}),
      },
    },
  });
  return singleOf(
    envelope,
    'external_references',
    ExternalReferenceSchema,
    'POST',
    '/external_references/create_or_update',
  );
}
