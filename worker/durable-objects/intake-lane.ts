import { DurableObject } from 'cloudflare:workers';
import { ConnectorError } from '../connectors/errors';
import { getDb } from '../db/client';
import { intakeGaveUp } from '../domain/intake/intake-gave-up';
import { processIntake } from '../domain/intake/process-intake';
import { offlineSystems } from '../domain/operations/connection-status';
import { loadConnectors } from '../domain/tenancy/connectors';
import type { Env } from '../env';
import { log } from '../http/logger';
import { backoffSeconds, retryBase } from '../queues/backoff';
import type { IntakeMessage } from '../queues/messages';

/** After this many failed attempts a change becomes an exception with its owner (as a dead letter would). */
export const INTAKE_MAX_ATTEMPTS = 10;
/** While a system is offline, a change that needs it looks again this often (the cron re-tests it meanwhile). */
const OUTAGE_RECHECK_MS = 60_000;
const OUTAGE_WAIT = 'Waiting: ';
/** One alarm works this long at most, then hands over to the next alarm. */
const SLICE_MS = 15_000;

export interface LaneStats {
  pending: number;
  retrying: number;
  oldestEnqueuedAt: string | null;
  lastError: string | null;
}

/** Changes to the same entry (or polls of the project) waiting at once collapse into one: it is read fresh. */
function dedupeKey(m: IntakeMessage): string {
  return m.type === 'poll' ? 'poll' : `${m.subjectType}:${m.subjectId}`;
}

/**
 * The intake of one PSA project: a durable FIFO of its changes and polls, worked through in order by the
 * object's alarm. One lane per project keeps each project's order (its caps are counted in sequence), while
 * projects, and so firms, progress independently: one firm's flood of changes waits in its own lanes and
 * never in front of another firm's.
 *
 * A change that fails is retried with exponential back-off and jitter, holding its lane (order is kept);
 * after INTAKE_MAX_ATTEMPTS it becomes an exception for the integration admin and the lane moves on.
 */
export class IntakeLane extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS pending (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      dedupe TEXT NOT NULL UNIQUE,
      body TEXT NOT NULL,
      again INTEGER NOT NULL DEFAULT 0,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_at INTEGER NOT NULL,
      enqueued_at INTEGER NOT NULL,
      last_error TEXT
    )`);
  }

  /** Stores the messages durably (one row per entry or poll) and makes sure the alarm will work them. */
  async enqueue(messages: IntakeMessage[]): Promise<number> {
    const now = Date.now();
    for (const m of messages) {
      // Already waiting: mark it to be read again, even if it is being read right now.
      this.sql.exec(
        `INSERT INTO pending (dedupe, body, next_at, enqueued_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(dedupe) DO UPDATE SET again = 1, body = excluded.body`,
        dedupeKey(m),
        JSON.stringify(m),
        now,
        now,
      );
    }
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > now) await this.ctx.storage.setAlarm(now);
    return messages.length;
  }

  /** A system this lane waited for is back (the cron's re-test): what waited for it is worked now. */
  async resumeAfterOutage(): Promise<void> {
    const now = Date.now();
    const woken = this.sql.exec(
      `UPDATE pending SET next_at = ? WHERE last_error LIKE '${OUTAGE_WAIT}%' AND next_at > ?`,
      now,
      now,
    ).rowsWritten;
    if (woken > 0) await this.ctx.storage.setAlarm(now);
  }

  async stats(): Promise<LaneStats> {
    const row = this.sql
      .exec<{ pending: number; retrying: number; oldest: number | null; last_error: string | null }>(
        `SELECT count(*) AS pending, sum(attempts > 0) AS retrying, min(enqueued_at) AS oldest,
                (SELECT last_error FROM pending WHERE last_error IS NOT NULL ORDER BY seq LIMIT 1) AS last_error
         FROM pending`,
      )
      .one();
    return {
      pending: row.pending,
      retrying: row.retrying ?? 0,
      oldestEnqueuedAt: row.oldest === null ? null : new Date(row.oldest).toISOString(),
      lastError: row.last_error,
    };
  }

  override async alarm(): Promise<void> {
    const started = Date.now();
    const db = getDb(this.env);
    for (;;) {
      const [head] = this.sql
        .exec<{ seq: number; body: string; attempts: number; next_at: number }>(
          'SELECT seq, body, attempts, next_at FROM pending ORDER BY seq LIMIT 1',
        )
        .toArray();
      if (!head) return;
      const now = Date.now();
      if (head.next_at > now) return this.ctx.storage.setAlarm(head.next_at);
      if (now - started > SLICE_MS) return this.ctx.storage.setAlarm(now);
      const m = JSON.parse(head.body) as IntakeMessage;
      this.sql.exec('UPDATE pending SET again = 0 WHERE seq = ?', head.seq);
      try {
        await processIntake(this.env, db, await loadConnectors(this.env, db, m.tenantId), m);
        this.sql.exec('DELETE FROM pending WHERE seq = ? AND again = 0', head.seq);
        // Changed again while it was read: it stays at the head, fresh, to be read once more.
        this.sql.exec('UPDATE pending SET attempts = 0, last_error = NULL WHERE seq = ?', head.seq);
      } catch (e) {
        const error = String(e);
        // Outage mode: a system marked offline is waited for, without counting attempts towards an exception.
        const offline =
          e instanceof ConnectorError && e.retryable
            ? await offlineSystems(db, m.tenantId, [e.system]).catch(() => [])
            : [];
        if (offline.length) {
          this.sql.exec(
            'UPDATE pending SET next_at = ?, last_error = ? WHERE seq = ?',
            Date.now() + OUTAGE_RECHECK_MS,
            `${OUTAGE_WAIT}${offline[0]} is offline (${error.slice(0, 300)})`,
            head.seq,
          );
          continue;
        }
        const attempts = head.attempts + 1;
        // A permanent connector error (a refused id, a missing permission) will not heal by waiting.
        const permanent = e instanceof ConnectorError && !e.retryable;
        if (permanent || attempts >= INTAKE_MAX_ATTEMPTS) {
          await intakeGaveUp(db, m, { attempts, error, permanent });
          this.sql.exec('DELETE FROM pending WHERE seq = ?', head.seq);
          continue;
        }
        const vendorWait = e instanceof ConnectorError ? (e.retryAfterMs ?? 0) : 0;
        const delayMs = Math.max(backoffSeconds(attempts, retryBase(this.env)) * 1000, vendorWait);
        this.sql.exec(
          'UPDATE pending SET attempts = ?, next_at = ?, last_error = ? WHERE seq = ?',
          attempts,
          Date.now() + delayMs,
          error.slice(0, 500),
          head.seq,
        );
        log('warn', 'intake failed; will retry', {
          correlationId: m.correlationId,
          tenantId: m.tenantId,
          attempts,
          error,
        });
      }
    }
  }
}

/** The lane of one PSA project (changes whose project is not known share their firm's own lane). */
export function intakeLane(
  env: Pick<Env, 'INTAKE_LANES'>,
  tenantId: string,
  psaProjectId: string | undefined,
) {
  return env.INTAKE_LANES.get(env.INTAKE_LANES.idFromName(`${tenantId}:${psaProjectId ?? '-'}`));
}
