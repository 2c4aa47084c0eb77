import type { BotFrameworkState } from './state';

/**
 * Teams' per-bot-per-thread limits as sliding windows. Returns the seconds to wait (for Retry-After) when
 * the write would exceed one, else records it and returns undefined. Refused writes are not counted.
 */
export function admitWrite(
  state: BotFrameworkState,
  conversationId: string,
  now = Date.now(),
): number | undefined {
  const limits = state.options.conversationLimits;
  const longest = Math.max(...limits.map((l) => l.windowMs));
  const log = (state.rate[conversationId] ?? []).filter((t) => t > now - longest);
  state.rate[conversationId] = log;
  let waitMs = 0;
  for (const { max, windowMs } of limits) {
    const inWindow = log.filter((t) => t > now - windowMs);
    if (inWindow.length >= max) {
      waitMs = Math.max(waitMs, (inWindow[inWindow.length - max] as number) + windowMs - now);
    }
  }
  if (waitMs > 0) return Math.max(1, Math.ceil(waitMs / 1000));
  log.push(now);
  return undefined;
}
