import { ConnectorError } from '../../connectors/errors';
import type { ErpPostResult } from '../../connectors/ports';
import { connectionMonitor, type Outcome, type OutcomeKind } from '../../durable-objects/connection-monitor';
import type { Env } from '../../env';
import { log } from '../../http/logger';
import type { MonitoredRole } from './connection-status';

const CONCURRENCY_CODES = new Set([
  'CONCURRENCY_LIMIT_EXCEEDED',
  'RATE_LIMITED',
  'SSS_REQUEST_LIMIT_EXCEEDED',
]);

/** What a failed call says about the system: not there (unavailable), busy (throttled), or answering (failed). */
export function outcomeOf(error: unknown): { kind: OutcomeKind; reason: string } {
  const reason = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  if (!(error instanceof ConnectorError)) return { kind: 'failed', reason };
  if (error.status === 429 || CONCURRENCY_CODES.has(error.code)) return { kind: 'throttled', reason };
  if (error.retryable && (error.code === 'NETWORK' || error.code === 'TIMEOUT' || (error.status ?? 0) >= 500))
    return { kind: 'unavailable', reason };
  return { kind: 'failed', reason };
}

/**
 * A posting call answers line by line: it reached the ERP (a whole-call failure throws). Lines that all failed
 * count as one failed call, never towards an outage: the ERP answered.
 */
function postingOutcome(results: ErpPostResult[]): { kind: OutcomeKind; reason?: string } {
  const failed = results.filter((r) => !r.ok);
  if (results.length === 0 || failed.length < results.length) return { kind: 'ok' };
  const first = failed[0] as Extract<ErpPostResult, { ok: false }>;
  return { kind: 'failed', reason: first.message };
}

export type OutcomeRecorder = (outcome: Omit<Outcome, 'role' | 'system'>) => Promise<void>;

/** Counts outcomes in the firm's ConnectionMonitor; never fails the work it watches. */
export function outcomeRecorder(
  env: Pick<Env, 'CONNECTION_MONITOR'>,
  tenantId: string,
  role: MonitoredRole,
  system: string,
): OutcomeRecorder {
  return async (o) => {
    try {
      await connectionMonitor(env, tenantId).record(tenantId, { ...o, role, system });
    } catch (e) {
      log('warn', 'could not record a connection outcome', {
        correlationId: `monitor-${tenantId}`,
        tenantId,
        role,
        error: String(e),
      });
    }
  };
}

/**
 * The port with every asynchronous method counted: each call's outcome goes to the firm's monitor, and the
 * call's own answer or error passes through unchanged. Synchronous members (recordUrl, system) are untouched.
 */
export function monitored<T extends object>(port: T, record: OutcomeRecorder): T {
  return new Proxy(port, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.then(
          async (out) => {
            const posting = prop === 'postTimeEntries' || prop === 'postExpenses';
            await record(posting ? postingOutcome(out as ErpPostResult[]) : { kind: 'ok' });
            return out;
          },
          async (error) => {
            await record(outcomeOf(error));
            throw error;
          },
        );
      };
    },
  });
}
