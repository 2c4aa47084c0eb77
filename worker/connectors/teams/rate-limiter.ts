import type { RateWindow } from './config';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Per-conversation pacing to Teams' limits. Token buckets (burst 60, refill 2/s) can put 90 messages in
 * one 30 s window, which Teams would refuse, so this keeps the exact sliding windows instead: a log of
 * when each send finished. A send in flight counts as "now" until it completes; recording completion
 * rather than start guarantees the service saw the old message at least a full window before the new one.
 * In memory, per isolate: a cross-isolate guarantee needs the governor Durable Object.
 */
export class ConversationRateLimiter {
  private readonly logs = new Map<string, { done: number[]; inFlight: number }>();
  constructor(private readonly windows: RateWindow[]) {}

  /** Waits for a slot; call the returned function when the request has finished (success or not). */
  async acquire(conversationId: string): Promise<() => void> {
    for (;;) {
      const now = Date.now();
      const log = this.logs.get(conversationId) ?? { done: [], inFlight: 0 };
      this.logs.set(conversationId, log);
      const longest = Math.max(...this.windows.map((w) => w.windowMs));
      while (log.done.length > 0 && (log.done[0] as number) <= now - longest) log.done.shift();
      let waitMs = 0;
      for (const w of this.windows) {
        const inWindow = log.done.filter((t) => t > now - w.windowMs);
        if (inWindow.length + log.inFlight < w.max) continue;
        // Full: wait until the oldest finished send leaves the window, or poll for in-flight ones.
        const excess = inWindow.length + log.inFlight - w.max;
        const oldest = inWindow[excess];
        waitMs = Math.max(waitMs, oldest === undefined ? 5 : oldest + w.windowMs - now + 1);
      }
      if (waitMs === 0) {
        log.inFlight += 1;
        let released = false;
        return () => {
          if (released) return;
          released = true;
          log.inFlight -= 1;
          log.done.push(Date.now());
          log.done.sort((a, b) => a - b);
        };
      }
      await sleep(waitMs);
    }
  }
}
