import type { Env } from '../env';
import { ApiError } from './api-error';

/** Each budget's window (wrangler.toml `[[ratelimits]]`, `simple.period`): also the Retry-After we answer. */
const PERIOD_SECONDS = { API_RATE_LIMIT: 60, WEBHOOK_RATE_LIMIT: 60, SYNC_RATE_LIMIT: 60 } as const;
export type Budget = keyof typeof PERIOD_SECONDS;

const WHAT: Record<Budget, string> = {
  API_RATE_LIMIT: 'requests',
  WEBHOOK_RATE_LIMIT: 'notifications',
  SYNC_RATE_LIMIT: 'syncs',
};

/**
 * Spends one unit of a firm's budget for one surface (`key` names the tenant and the surface), or refuses
 * with 429 and Retry-After. Called only once the caller is authenticated, so nobody can spend another
 * firm's budget with requests that fail verification.
 */
export async function spendBudget(env: Pick<Env, Budget>, budget: Budget, key: string): Promise<void> {
  const { success } = await env[budget].limit({ key });
  if (success) return;
  const period = PERIOD_SECONDS[budget];
  throw new ApiError(
    'RATE_LIMITED',
    `Too many ${WHAT[budget]} from this firm on this surface; try again in ${period} seconds.`,
    [
      {
        field: '(rate)',
        message: `over this firm's ${WHAT[budget]} budget for ${key.split(':').slice(1).join(':') || 'this surface'}`,
        fix: `Wait ${period} seconds (Retry-After), then send again; spread bulk work over time.`,
      },
    ],
    { retryAfterSeconds: period },
  );
}
