import type { Env } from '../env';

/** Exponential back-off with full jitter, in seconds (queue retries and intake lanes); base 0 retries at once (tests). */
export function backoffSeconds(attempt: number, baseSeconds = 1, random = Math.random): number {
  const cap = Math.min(300, baseSeconds * 2 ** Math.min(attempt, 8));
  return cap === 0 ? 0 : Math.max(1, Math.round(cap * random()));
}

export const retryBase = (env: Pick<Env, 'QUEUE_RETRY_BASE_SECONDS'>) =>
  Number(env.QUEUE_RETRY_BASE_SECONDS ?? 1);
