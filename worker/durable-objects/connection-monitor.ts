import { DurableObject } from 'cloudflare:workers';
import { getDb } from '../db/client';
import { type MonitoredRole, markOffline, OUTAGE_ROLES } from '../domain/operations/connection-status';
import type { Env } from '../env';
import { log } from '../http/logger';

/**
 * What one call to a vendor came to: `ok`; `unavailable` (unreachable, timed out, 5xx: the system is not
 * there); `throttled` (429: there, but busy); `failed` (it answered with a refusal, or something broke).
 */
export type OutcomeKind = 'ok' | 'unavailable' | 'throttled' | 'failed';

export interface Outcome {
  role: MonitoredRole;
  system: string;
  kind: OutcomeKind;
  reason?: string;
}

interface Bucket {
  /** Minute since the epoch. */
  m: number;
  calls: number;
  failures: number;
}

interface SystemState {
  system: string;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  lastFailureReason: string | null;
  /** When the calls of the current run of `unavailable` outcomes happened (at most the threshold). */
  streak: number[];
  /** Unavailable answers in a row (the streak keeps only the last few). */
  run: number;
  offline: boolean;
  buckets: Bucket[];
}

export interface MonitoredSystem {
  system: string;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastFailureReason: string | null;
  consecutiveFailures: number;
  callsLastHour: number;
  failuresLastHour: number;
}

export interface OutageRule {
  failures: number;
  windowSeconds: number;
}

/** N unavailable answers in a row, all within the window: the connection is offline (README, "Outage mode"). */
export function outageRule(env: Pick<Env, 'OUTAGE_FAILURES' | 'OUTAGE_WINDOW_SECONDS'>): OutageRule {
  const n = Number(env.OUTAGE_FAILURES ?? 5);
  const w = Number(env.OUTAGE_WINDOW_SECONDS ?? 600);
  return { failures: n >= 1 ? Math.floor(n) : 5, windowSeconds: w > 0 ? w : 600 };
}

const HOUR_MINUTES = 60;

/**
 * One per firm: counts the outcomes of every call Handoff makes to the firm's systems (minute buckets for the
 * last hour, last success and failure, the current run of failures) and applies the outage rule. A Durable
 * Object because the count must be exact across every consumer and workflow calling at once, and because its
 * own storage takes a write per call that the database should not: the database hears only of a change of
 * state (a connection going offline).
 */
export class ConnectionMonitor extends DurableObject<Env> {
  private states = new Map<MonitoredRole, SystemState>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const saved = await ctx.storage.get<SystemState>(['crm', 'psa', 'erp', 'clm', 'teams']);
      for (const [role, state] of saved) this.states.set(role as MonitoredRole, state);
    });
  }

  private stateOf(role: MonitoredRole, system: string): SystemState {
    let s = this.states.get(role);
    if (!s) {
      s = {
        system,
        lastSuccessAt: null,
        lastFailureAt: null,
        lastFailureReason: null,
        streak: [],
        run: 0,
        offline: false,
        buckets: [],
      };
      this.states.set(role, s);
    }
    s.system = system;
    return s;
  }

  /** Count one outcome; answers whether it took the connection offline. */
  async record(tenantId: string, o: Outcome): Promise<{ wentOffline: boolean }> {
    const now = Date.now();
    const s = this.stateOf(o.role, o.system);
    const minute = Math.floor(now / 60_000);
    let bucket = s.buckets[s.buckets.length - 1];
    if (bucket?.m !== minute) {
      bucket = { m: minute, calls: 0, failures: 0 };
      s.buckets.push(bucket);
      s.buckets = s.buckets.filter((b) => b.m > minute - HOUR_MINUTES);
    }
    bucket.calls += 1;
    let wentOffline = false;
    if (o.kind === 'ok') {
      s.lastSuccessAt = now;
      s.streak = [];
      s.run = 0;
    } else {
      bucket.failures += 1;
      s.lastFailureAt = now;
      s.lastFailureReason = (o.reason ?? o.kind).slice(0, 500);
      // Only "not there" counts towards an outage: a refusal or a 429 is an answer from a system that is up.
      if (o.kind === 'unavailable') {
        const rule = outageRule(this.env);
        s.streak = [...s.streak, now].slice(-rule.failures);
        s.run = (s.run ?? 0) + 1;
        const first = s.streak[0]!;
        if (
          OUTAGE_ROLES.includes(o.role) &&
          !s.offline &&
          s.streak.length >= rule.failures &&
          now - first <= rule.windowSeconds * 1000
        ) {
          try {
            await markOffline(getDb(this.env), {
              tenantId,
              role: o.role,
              system: o.system,
              reason: `${rule.failures} calls in a row failed within ${Math.round((now - first) / 1000)} s; the last: ${s.lastFailureReason}`,
            });
            s.offline = true;
            wentOffline = true;
            log('warn', 'connection offline', {
              correlationId: `monitor-${tenantId}`,
              tenantId,
              role: o.role,
            });
          } catch (e) {
            // Not marked this time: the next failure tries again.
            log('error', 'could not mark a connection offline', {
              correlationId: `monitor-${tenantId}`,
              tenantId,
              error: String(e),
            });
          }
        }
      } else {
        s.streak = [];
        s.run = 0;
      }
    }
    await this.ctx.storage.put(o.role, s);
    return { wentOffline };
  }

  /** The re-test passed (the cron marked the connection online): the count starts again. */
  async markOnline(role: MonitoredRole): Promise<void> {
    const s = this.states.get(role);
    if (!s) return;
    s.offline = false;
    s.streak = [];
    s.run = 0;
    await this.ctx.storage.put(role, s);
  }

  async status(): Promise<Partial<Record<MonitoredRole, MonitoredSystem>>> {
    const since = Math.floor(Date.now() / 60_000) - HOUR_MINUTES;
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    const out: Partial<Record<MonitoredRole, MonitoredSystem>> = {};
    for (const [role, s] of this.states) {
      const recent = s.buckets.filter((b) => b.m > since);
      out[role] = {
        system: s.system,
        lastSuccessAt: iso(s.lastSuccessAt),
        lastFailureAt: iso(s.lastFailureAt),
        lastFailureReason: s.lastFailureReason,
        consecutiveFailures: s.run ?? s.streak.length,
        callsLastHour: recent.reduce((n, b) => n + b.calls, 0),
        failuresLastHour: recent.reduce((n, b) => n + b.failures, 0),
      };
    }
    return out;
  }
}

export function connectionMonitor(env: Pick<Env, 'CONNECTION_MONITOR'>, tenantId: string) {
  return env.CONNECTION_MONITOR.get(env.CONNECTION_MONITOR.idFromName(tenantId));
}
