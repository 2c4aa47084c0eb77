import { and, eq, lt } from 'drizzle-orm';
import type { Db } from '../../db/client';
import {
  activationsTable,
  connectionAuthorizationsTable,
  idempotencyKeysTable,
  identityClaimsTable,
} from '../../db/schema';
import type { Env } from '../../env';
import { launchWorkflow, paramsOf } from '../activation/start-activation';
import { dropExpiredInvitations } from '../console/invitations';
import { dropEndedSessions } from '../console/sessions';
import { dropExpiredSignIns } from '../console/sign-in';

/** An activation row whose workflow never started (the worker died between the two) waits this long. */
const LAUNCH_GRACE_MS = 30_000;
/**
 * Sign-in claims, connection authorizations, console sign-ins, invitations and sessions are kept a day after
 * they end (to trace an attempt), then dropped.
 */
const CLAIM_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * The cron's housekeeping: start workflows for activations that were recorded but never launched (the
 * row is our outbox record), and drop idempotency records, sign-in claims and the console's pending sign-ins,
 * invitations and sessions past their retention.
 */
export async function sweep(
  env: Env,
  db: Db,
): Promise<{
  launched: number;
  expiredKeys: number;
  expiredClaims: number;
  console: { signIns: number; invitations: number; sessions: number };
}> {
  const cutoff = new Date(Date.now() - LAUNCH_GRACE_MS).toISOString();
  const stranded = await db
    .select()
    .from(activationsTable)
    .where(
      and(
        eq(activationsTable.status, 'queued'),
        eq(activationsTable.workflowStarted, false),
        lt(activationsTable.updatedAt, cutoff),
      ),
    )
    .limit(100);
  for (const row of stranded)
    await launchWorkflow(env, db, paramsOf(row, row.requestedBy ?? 'handoff'), row.workflowInstanceId);
  const expired = await db
    .delete(idempotencyKeysTable)
    .where(lt(idempotencyKeysTable.expiresAt, new Date().toISOString()))
    .returning({ key: idempotencyKeysTable.key });
  const claims = await db
    .delete(identityClaimsTable)
    .where(lt(identityClaimsTable.expiresAt, new Date(Date.now() - CLAIM_RETENTION_MS).toISOString()))
    .returning({ id: identityClaimsTable.id });
  const authorizations = await db
    .delete(connectionAuthorizationsTable)
    .where(
      lt(connectionAuthorizationsTable.expiresAt, new Date(Date.now() - CLAIM_RETENTION_MS).toISOString()),
    )
    .returning({ id: connectionAuthorizationsTable.id });
  const console = {
    signIns: await dropExpiredSignIns(db, CLAIM_RETENTION_MS),
    invitations: await dropExpiredInvitations(db, CLAIM_RETENTION_MS),
    sessions: await dropEndedSessions(db, CLAIM_RETENTION_MS),
  };
  return {
    launched: stranded.length,
    expiredKeys: expired.length,
    expiredClaims: claims.length + authorizations.length,
    console,
  };
}
