import { z } from 'zod';

/** The queues whose dead letters Handoff keeps (each has a dead-letter queue `{name}-dlq`). */
export const DEAD_LETTER_QUEUES = ['handoff-posting'] as const;
export const DeadLetterQueueSchema = z.enum(DEAD_LETTER_QUEUES).meta({
  id: 'DeadLetterQueue',
  description: 'The queue a message was meant for; a replay sends it there again.',
});
export type DeadLetterQueue = z.infer<typeof DeadLetterQueueSchema>;

export const DeadLetterStateSchema = z.enum(['waiting', 'replayed', 'discarded']).meta({
  id: 'DeadLetterState',
  description:
    'waiting: nobody has acted yet; replayed: sent to its queue again; discarded: left, with a reason.',
});
export type DeadLetterState = z.infer<typeof DeadLetterStateSchema>;

/** What one replay did with one letter. */
export const ReplayOutcomeSchema = z
  .enum(['sent', 'already-posted', 'entry-held', 'entry-skipped', 'not-replayable', 'not-waiting'])
  .meta({
    id: 'DeadLetterReplayOutcome',
    description:
      'sent: back on its queue (the entry posts once); already-posted: the entry was posted meanwhile, nothing sent; entry-held / entry-skipped: a person holds or skipped the entry, nothing sent; not-replayable: the message could not be read; not-waiting: replayed or discarded before.',
  });
export type ReplayOutcome = z.infer<typeof ReplayOutcomeSchema>;

export const DeadLetterViewSchema = z
  .object({
    id: z.string(),
    queue: z.string(),
    state: DeadLetterStateSchema,
    /** The delivery item (time entry or expense) the message was about, when it could be read. */
    itemId: z.string().nullable(),
    correlationId: z.string(),
    attempts: z.number().int(),
    times: z.number().int(),
    reason: z.string(),
    exceptionId: z.string().nullable(),
    outcome: z.string().nullable(),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    handledBy: z.string().nullable(),
    handledAt: z.string().nullable(),
    note: z.string().nullable(),
  })
  .meta({
    id: 'DeadLetter',
    description: 'A message that exhausted its retries, why, and what became of it.',
  });
export type DeadLetterView = z.infer<typeof DeadLetterViewSchema>;

export const DeadLetterDetailSchema = DeadLetterViewSchema.extend({
  /** The original message, as it reached the dead-letter queue. */
  message: z.unknown(),
  messageId: z.string(),
  /** Where the entry stands now (posted, held, queued, skipped), when there is one. */
  item: z
    .object({ id: z.string(), state: z.string(), note: z.string().nullable(), erpId: z.string().nullable() })
    .nullable(),
}).meta({ id: 'DeadLetterDetail' });
export type DeadLetterDetail = z.infer<typeof DeadLetterDetailSchema>;

export const DeadLetterPageSchema = z
  .object({
    deadLetters: z.array(DeadLetterViewSchema),
    /** Pass as `cursor` for the next page; null on the last page. */
    nextCursor: z.string().nullable(),
    /** How many letters match the filter, on every page. */
    total: z.number().int(),
  })
  .meta({ id: 'DeadLetterPage' });
export type DeadLetterPage = z.infer<typeof DeadLetterPageSchema>;

export const ReplayResultSchema = z
  .object({
    /** How many letters went back on their queue. */
    sent: z.number().int(),
    results: z.array(z.object({ id: z.string(), outcome: ReplayOutcomeSchema })),
    /** With `all`: waiting letters left for another call (a call replays at most 200). */
    remaining: z.number().int(),
  })
  .meta({ id: 'DeadLetterReplayResult' });
export type ReplayResult = z.infer<typeof ReplayResultSchema>;
