import type { Db } from '../../db/client';
import type { IntakeMessage } from '../../queues/messages';
import { type AuditedPrincipal, audit, byPrincipal } from '../audit';
import { enqueuePolls } from './enqueue-polls';

/** An admin's "sync now": poll the PSA and ERP for every active project of the tenant, audited. */
export async function requestSync(
  db: Db,
  queue: Queue<IntakeMessage>,
  input: { tenantId: string; who: AuditedPrincipal; correlationId: string },
): Promise<number> {
  const projects = await enqueuePolls(db, queue, input.correlationId, input.tenantId);
  await audit(
    db,
    byPrincipal(input.who, {
      tenantId: input.tenantId,
      correlationId: input.correlationId,
      action: 'sync.requested',
      subjectType: 'tenant',
      subjectId: input.tenantId,
      detail: { projects },
    }),
  );
  return projects;
}
