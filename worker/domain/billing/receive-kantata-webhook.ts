import { type KantataWebhookEvent, parseKantataWebhook } from '../../connectors/kantata';
import type { Db } from '../../db/client';
import { webhookReceiptsTable } from '../../db/schema';
import { intakeLane } from '../../durable-objects/intake-lane';
import type { Env } from '../../env';
import { spendBudget } from '../../http/rate-limit';
import { connectionSecrets } from '../tenancy/connectors';

const SUBJECTS: Record<string, 'time_entry' | 'expense' | 'story'> = {
  time_entry: 'time_entry',
  timeentry: 'time_entry',
  expense: 'expense',
  story: 'story',
};

export type KantataWebhookOutcome =
  /** No webhook secret for the tenant (or no such tenant), or the signature did not verify (`error`). */
  { refused: true; error?: string } | { refused: false; duplicate: boolean };

/**
 * A Kantata change notification: verified with the tenant's webhook secret on the raw body, deduped by
 * its delivery id, and put in its project's intake lane (answered fast, processed in the lane's order).
 */
export async function receiveKantataWebhook(
  db: Db,
  env: Env,
  input: { tenantId: string; headers: Headers; raw: string; correlationId: string },
): Promise<KantataWebhookOutcome> {
  const { tenantId } = input;
  const secrets = await connectionSecrets(env, db, tenantId, 'psa');
  const secret = typeof secrets?.webhookSecret === 'string' ? secrets.webhookSecret : undefined;
  if (!secret) return { refused: true };
  let event: KantataWebhookEvent;
  try {
    event = await parseKantataWebhook(input.headers, input.raw, secret);
  } catch (e) {
    return { refused: true, error: String(e) };
  }
  // Authentic: it counts against this firm's own budget (never before, so no one can spend it for them).
  await spendBudget(env, 'WEBHOOK_RATE_LIMIT', `${tenantId}:webhook:kantata`);
  const fresh = await db
    .insert(webhookReceiptsTable)
    .values({ tenantId, source: 'kantata', deliveryId: event.id })
    .onConflictDoNothing()
    .returning();
  if (fresh.length === 0) return { refused: false, duplicate: true };
  const subjectType =
    SUBJECTS[
      String(event.subjectType)
        .toLowerCase()
        .replace(/[^a-z_]/g, '')
    ];
  if (subjectType) {
    const psaProjectId = event.workspaceId ? String(event.workspaceId) : undefined;
    await intakeLane(env, tenantId, psaProjectId).enqueue([
      {
        type: 'psa-event',
        tenantId,
        subjectType,
        subjectId: String(event.subjectId),
        psaProjectId,
        correlationId: input.correlationId,
      },
    ]);
  }
  return { refused: false, duplicate: false };
}
