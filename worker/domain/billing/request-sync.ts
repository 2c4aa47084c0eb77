import type { Db } from '../../db/client';
import type { Env } from '../../env';
import { type AuditedPrincipal, audit, byPrincipal } from '../audit';
import { enqueuePolls } from './enqueue-polls';

/** An admin's "sync now": a poll into every active project's intake lane, audited. */
export async function requestSync(
  db: Db,
  env: Pick<Env, 'INTAKE_LANES'>,
  input: { tenantId: string; who: AuditedPrincipal; correlationId: string },
): Promise<number> {
  const projects = await enqueuePolls(db, env, input.correlationId, input.tenantId);
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
