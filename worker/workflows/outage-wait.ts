import type { WorkflowStep } from 'cloudflare:workers';
import { NonRetryableError } from 'cloudflare:workflows';
import { ConnectorError } from '../connectors/errors';
import type { Db } from '../db/client';
import { isOffline, type OutageRole } from '../domain/operations/connection-status';
import { registerOutageWaiter } from '../domain/operations/outage';

const OFFLINE = 'OFFLINE ';
/** A step waits for its connection at most this often (an hour each: three days), then fails as usual. */
export const MAX_OUTAGE_WAITS = 72;
/** The cron wakes a waiting step when the connection is back; the timeout only makes it look again. */
const WAIT_TIMEOUT = '1 hour';

/**
 * Inside a step: a failure a retry could fix, against a connection that is offline now, ends the attempt as
 * "offline" (no retries burnt on a system that is not there); the workflow then waits for it.
 */
export async function throwIfOffline(db: Db, tenantId: string, role: OutageRole, e: unknown): Promise<void> {
  const retryable = e instanceof ConnectorError ? e.retryable : !(e instanceof NonRetryableError);
  if (retryable && (await isOffline(db, tenantId, role).catch(() => false)))
    throw new NonRetryableError(`${OFFLINE}${role}: ${e instanceof Error ? e.message : String(e)}`);
}

export function offlineRole(e: unknown): OutageRole | undefined {
  const text = e instanceof Error ? e.message : String(e);
  const at = text.indexOf(OFFLINE);
  if (at < 0) return undefined;
  const role = text.slice(at + OFFLINE.length).split(':')[0];
  return role === 'crm' || role === 'psa' || role === 'erp' ? role : undefined;
}

/**
 * Wait until `role` is back: the step is registered as a waiter (the cron's re-test sends it an event when the
 * connection answers), `onWait` shows the wait with its reason, and the workflow sleeps without burning steps.
 */
export async function waitUntilOnline(
  step: WorkflowStep,
  db: Db,
  w: {
    tenantId: string;
    role: OutageRole;
    workflow: 'activation' | 'amendment';
    instanceId: string;
    name: string;
    n: number;
    onWait: () => Promise<void>;
  },
): Promise<void> {
  const eventType = `online-${w.name}-${w.n}`.slice(0, 90);
  const waiting = await step.do(`await-${w.role}-for-${w.name}#${w.n}`, async () => {
    const offline = await registerOutageWaiter(db, {
      tenantId: w.tenantId,
      role: w.role,
      workflow: w.workflow,
      instanceId: w.instanceId,
      eventType,
    });
    if (offline) await w.onWait();
    return offline;
  });
  if (!waiting) return;
  try {
    await step.waitForEvent(`${eventType}-event`, { type: eventType, timeout: WAIT_TIMEOUT });
  } catch {
    // Timed out: the step tries again, and waits again if the connection is still offline.
  }
}
