import type { RestClient } from './rest-client';
import { idFromLocation, unexpected } from './rest-client';

/**
 * Writes by external id. `PUT /record/v1/{type}/eid:{externalId}` creates the record or updates the
 * one already carrying that external id, so a retry after a timeout or a response lost after commit
 * lands on the same record. NetSuite answers 204 with the record's URL in Location either way.
 */
export async function findIdByExternalId(
  client: RestClient,
  type: string,
  externalId: string,
): Promise<string | undefined> {
  const response = await client.send({
    method: 'GET',
    path: `/record/v1/${type}/eid:${externalId}`,
    query: { fields: 'id' },
    accept: [404],
    context: `${type} lookup`,
  });
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  const record = (await response.json()) as { id?: unknown };
  if (typeof record.id !== 'string' && typeof record.id !== 'number')
    throw unexpected(`${type} lookup`, 'record without id');
  return String(record.id);
}

/** PUT by external id; returns the internal id. `replace` names sublists the body replaces (else NetSuite appends). */
export async function putByExternalId(
  client: RestClient,
  type: string,
  externalId: string,
  body: string,
  replace: string[] = [],
): Promise<string> {
  const response = await client.send({
    method: 'PUT',
    path: `/record/v1/${type}/eid:${externalId}`,
    query: replace.length ? { replace: replace.join(',') } : undefined,
    body,
    context: `${type} upsert`,
  });
  await response.body?.cancel();
  const id = idFromLocation(response) ?? (await findIdByExternalId(client, type, externalId));
  if (!id) throw unexpected(`${type} upsert`, 'no Location header and no record under the external id');
  return id;
}
