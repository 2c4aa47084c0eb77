import { getDb } from '../db/client';
import { openException } from '../domain/exceptions/open-exception';
import type { Env } from '../env';
import { IntakeMessageSchema } from './messages';

/** PSA events or polls that kept failing: an exception says which project or entry waits, and why to look. */
export async function consumeIntakeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = getDb(env);
  for (const msg of batch.messages) {
    const parsed = IntakeMessageSchema.safeParse(msg.body);
    const m = parsed.success ? parsed.data : undefined;
    await openException(db, {
      tenantId: m?.tenantId ?? 'unknown',
      correlationId: m?.correlationId ?? msg.id,
      source: 'intake',
      subjectType: m?.type === 'psa-event' ? m.subjectType : 'project',
      subjectId: m?.type === 'psa-event' ? m.subjectId : (m?.psaProjectId ?? msg.id),
      projectKey: null,
      code: parsed.success ? 'INTAKE_RETRIES_EXHAUSTED' : 'INTAKE_MESSAGE_INVALID',
      reason: `Could not read ${m?.type === 'poll' ? `project ${m.psaProjectId}` : 'a PSA change'} from the PSA after ${msg.attempts} attempts`,
      owner: 'integration-admin',
      suggestedFix:
        'Check the PSA connection (token, permissions); the next poll picks the changes up once it works.',
      detail: { message: JSON.stringify(msg.body).slice(0, 500) },
    });
    msg.ack();
  }
}
