import type { Db } from '../../db/client';
import type { Principal } from '../../http/context';
import { audit, auditedPrincipal, byPrincipal } from '../audit';
import { revokeSession } from './sessions';

/** Ends the person's own session; audited. */
export async function signOut(
  db: Db,
  who: Principal,
  sessionId: string,
  correlationId: string,
): Promise<void> {
  await revokeSession(db, who.tenantId, sessionId, 'signed out');
  await audit(
    db,
    byPrincipal(auditedPrincipal(who), {
      tenantId: who.tenantId,
      correlationId,
      action: 'console.signed_out',
      subjectType: 'console_session',
      subjectId: sessionId,
    }),
  );
}
