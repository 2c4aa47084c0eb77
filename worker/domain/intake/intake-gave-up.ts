import type { Db } from '../../db/client';
import type { IntakeMessage } from '../../queues/messages';
import { openException } from '../exceptions/open-exception';
import { connectedSystem } from '../exceptions/system';

/**
 * A PSA change or poll that kept failing: an exception says which project or entry waits, why, and whose it
 * is, so it never waits unseen. The next poll picks the change up once the cause is fixed.
 */
export async function intakeGaveUp(
  db: Db,
  m: IntakeMessage,
  outcome: { attempts: number; error: string; permanent: boolean },
): Promise<void> {
  const what =
    m.type === 'poll' ? `project ${m.psaProjectId}` : `${m.subjectType.replace('_', ' ')} ${m.subjectId}`;
  await openException(db, {
    tenantId: m.tenantId,
    correlationId: m.correlationId,
    source: 'intake',
    subjectType: m.type === 'psa-event' ? m.subjectType : 'project',
    subjectId: m.type === 'psa-event' ? m.subjectId : m.psaProjectId,
    projectKey: null,
    code: outcome.permanent ? 'INTAKE_REFUSED' : 'INTAKE_RETRIES_EXHAUSTED',
    reason: outcome.permanent
      ? `The PSA refused to give ${what}: ${outcome.error.slice(0, 300)}`
      : `Could not read ${what} from the PSA after ${outcome.attempts} attempts: ${outcome.error.slice(0, 300)}`,
    owner: 'integration-admin',
    title: `The PSA's ${what} could not be read`,
    system: connectedSystem(m.tenantId, 'psa'),
    suggestedFix:
      'Check the PSA connection (token, permissions); the next poll picks the changes up once it works.',
    detail: { message: JSON.stringify(m).slice(0, 500) },
  });
}
