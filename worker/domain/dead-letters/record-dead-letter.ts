import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { deadLettersTable } from '../../db/schema';
import { randomToken } from '../crypto';

export interface DeadLetterInput {
  tenantId: string;
  queue: string;
  subjectKey: string;
  messageId: string;
  message: unknown;
  itemId: string | null;
  correlationId: string;
  attempts: number;
  reason: string;
  exceptionId: string | null;
}

/** The message as stored: at most 16 KB of it (a queue message may be 128 KB; the point is to read it). */
function bounded(message: unknown): unknown {
  const text = JSON.stringify(message ?? null);
  return text.length <= 16_384 ? message : { truncated: true, text: text.slice(0, 16_384) };
}

/**
 * The statement recording one dead letter, for the caller's batch (so the letter, the exception and the held
 * item are written together). A subject dead-lettered again is the same letter: waiting again, seen again.
 */
export function deadLetterUpsert(db: Db, input: DeadLetterInput) {
  const at = new Date().toISOString();
  const message = bounded(input.message);
  return db
    .insert(deadLettersTable)
    .values({
      ...input,
      id: `dl_${randomToken(12)}`,
      message,
      state: 'waiting',
      firstSeenAt: at,
      lastSeenAt: at,
    })
    .onConflictDoUpdate({
      target: [deadLettersTable.tenantId, deadLettersTable.queue, deadLettersTable.subjectKey],
      set: {
        state: 'waiting',
        messageId: input.messageId,
        message,
        correlationId: input.correlationId,
        attempts: input.attempts,
        times: sql`${deadLettersTable.times} + 1`,
        reason: input.reason,
        exceptionId: input.exceptionId,
        outcome: null,
        lastSeenAt: at,
      },
    });
}
