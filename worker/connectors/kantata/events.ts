import type { KantataContext } from './context';
import { listAll } from './paging';
import { type KantataSubscribedEvent, SubscribedEventSchema } from './schemas';

/**
 * Kantata's documented change feed: `GET /subscribed_events` (Account Administrators; up to 9 days kept;
 * events may be late, out of order or duplicated). The polling fallback when pushes are missing.
 */
export async function listSubscribedEvents(
  ctx: KantataContext,
  createdAfter: string,
  eventTypes: string[] = [],
): Promise<KantataSubscribedEvent[]> {
  const { records } = await listAll(ctx, '/subscribed_events', 'subscribed_events', SubscribedEventSchema, {
    created_after: new Date(createdAfter).toISOString(),
    ...(eventTypes.length ? { event_types: eventTypes.join(',') } : {}),
  });
  return records;
}
