import { and, count, eq, inArray, min, sql } from 'drizzle-orm';
import type { Attention, ConnectionHealth, ConnectionRole, Health } from '../../../shared/api/health';
import type { Db } from '../../db/client';
import {
  activationsTable,
  amendmentsTable,
  connectionsTable,
  deadLettersTable,
  deliveryItemsTable,
  exceptionsTable,
  tenantsTable,
} from '../../db/schema';
import { connectionMonitor, type MonitoredSystem } from '../../durable-objects/connection-monitor';
import type { GovernorStatus } from '../../durable-objects/erp-governor';
import type { Env } from '../../env';
import { log } from '../../http/logger';
import { overdueCondition } from '../exceptions/filter';
import { loadSla } from '../exceptions/sla';
import { CONNECTOR_REGISTRY } from '../tenancy/connectors';
import { connectionStates, MONITORED_ROLES } from './connection-status';

/** Queued postings older than this while the ERP is online are stalled: someone should look. */
const STALLED_AFTER_SECONDS = 30 * 60;
/** Share of failed calls in the last hour from which a connection shows as degraded. */
const DEGRADED_ERROR_RATE = 0.1;

const ROLE_NAMES: Record<ConnectionRole, string> = {
  crm: 'CRM',
  psa: 'PSA',
  erp: 'ERP',
  clm: 'contract system',
  teams: 'Teams',
};

const SYSTEM_NAMES: Record<string, string> = {
  salesforce: 'Salesforce',
  kantata: 'Kantata',
  netsuite: 'NetSuite',
  docusign: 'DocuSign',
  teams: 'Microsoft Teams',
};
const nameOf = (c: Pick<ConnectionHealth, 'role' | 'system'>) =>
  `${SYSTEM_NAMES[c.system ?? ''] ?? c.system ?? ROLE_NAMES[c.role]} (${ROLE_NAMES[c.role]})`;

type Ctx = { env: Env; db: Db; tenantId: string };

async function monitorStatus(ctx: Ctx): Promise<Partial<Record<ConnectionRole, MonitoredSystem>>> {
  try {
    return await connectionMonitor(ctx.env, ctx.tenantId).status();
  } catch (e) {
    log('warn', 'connection monitor unavailable', {
      correlationId: `health-${ctx.tenantId}`,
      tenantId: ctx.tenantId,
      error: String(e),
    });
    return {};
  }
}

async function governorStatus(
  ctx: Ctx,
  erp: typeof connectionsTable.$inferSelect | undefined,
): Promise<Health['erpGovernor']> {
  const accountKey = erp && CONNECTOR_REGISTRY.erp[erp.system]?.accountKey?.(erp.config);
  if (!erp || !accountKey) return null;
  try {
    const s: GovernorStatus = await ctx.env.ERP_GOVERNOR.get(
      ctx.env.ERP_GOVERNOR.idFromName(accountKey),
    ).status();
    return {
      system: erp.system,
      limit: erp.concurrencyLimit,
      inFlight: s.inFlight,
      waiting: s.waiting,
      pausedUntil: s.pausedUntil,
      throttled: s.throttled,
      maxInFlight: s.maxInFlight,
    };
  } catch {
    return null;
  }
}

function connectionHealth(
  role: ConnectionRole,
  system: string | null,
  seen: MonitoredSystem | undefined,
  status: Awaited<ReturnType<typeof connectionStates>>[number] | undefined,
): ConnectionHealth {
  const calls = seen?.callsLastHour ?? 0;
  const failures = seen?.failuresLastHour ?? 0;
  const errorRate = calls ? Math.round((failures / calls) * 1000) / 1000 : 0;
  const offline = status?.state === 'offline';
  const state: ConnectionHealth['state'] = !system
    ? 'not_configured'
    : offline
      ? 'offline'
      : (seen?.consecutiveFailures ?? 0) > 0 || (failures > 0 && errorRate >= DEGRADED_ERROR_RATE)
        ? 'degraded'
        : 'online';
  return {
    role,
    system,
    state,
    lastSuccessAt: seen?.lastSuccessAt ?? null,
    lastFailureAt: seen?.lastFailureAt ?? null,
    lastFailureReason: seen?.lastFailureReason ?? null,
    callsLastHour: calls,
    failuresLastHour: failures,
    errorRate,
    consecutiveFailures: seen?.consecutiveFailures ?? 0,
    offlineSince: offline ? status.since : null,
    offlineReason: offline ? status.reason : null,
    lastCheckedAt: status?.lastCheckedAt ?? null,
    lastCheckError: offline ? status.lastCheckError : null,
  };
}

function attentionFor(h: Omit<Health, 'attention'>): Attention[] {
  const out: Attention[] = [];
  for (const c of h.connections) {
    if (c.state === 'offline') {
      const waiting =
        c.role === 'erp' && h.queues.delivery.waitingForOutage
          ? ` ${h.queues.delivery.waitingForOutage} posting(s) wait for it.`
          : '';
      out.push({
        kind: 'connection-offline',
        severity: 'critical',
        title: `${nameOf(c)} is offline`,
        detail: `Since ${c.offlineSince}: ${c.offlineReason ?? 'repeated failures'}.${waiting} Work for it waits instead of failing; Handoff re-tests it every 5 minutes and resumes by itself when it answers.${c.lastCheckError ? ` Last re-test: ${c.lastCheckError}` : ''}`,
        action: `Check ${SYSTEM_NAMES[c.system ?? ''] ?? 'the system'}'s status page and the connection's credentials (Connections). Nothing needs replaying: waiting work resumes on its own.`,
        link: '/health',
      });
    } else if (c.state === 'degraded') {
      out.push({
        kind: 'connection-degraded',
        severity: 'warning',
        title: `${nameOf(c)} is failing some calls`,
        detail: `${c.failuresLastHour} of ${c.callsLastHour} calls failed in the last hour${c.lastFailureReason ? `; the last: ${c.lastFailureReason}` : ''}.`,
        action:
          'Failed calls are retried automatically. If the failures go on, check the connection and the exceptions they opened.',
        link: '/health',
      });
    }
  }
  if (h.deadLetters.waiting > 0)
    out.push({
      kind: 'dead-letters',
      severity: 'warning',
      title: `${h.deadLetters.waiting} dead letter(s) waiting`,
      detail:
        'Messages that exhausted their retries wait in the dead-letter queue; each names why it failed.',
      action:
        'Fix the cause named on each letter, then replay them (each entry posts once), or discard one with a reason.',
      link: '/dead-letters',
    });
  if (h.exceptions.overdue > 0)
    out.push({
      kind: 'exceptions-overdue',
      severity: 'warning',
      title: `${h.exceptions.overdue} exception(s) past their SLA`,
      detail: 'Open past the SLA their owner’s queue has (the firm’s policy, in Exceptions).',
      action: 'Open the overdue exceptions, assign each an owner, then retry, edit or skip it.',
      link: '/exceptions?overdue=true',
    });
  const erp = h.connections.find((c) => c.role === 'erp');
  const age = h.queues.delivery.oldestQueuedAgeSeconds ?? 0;
  if (
    erp?.state !== 'offline' &&
    h.queues.delivery.queued > h.queues.delivery.waitingForOutage &&
    age > STALLED_AFTER_SECONDS
  )
    out.push({
      kind: 'postings-stalled',
      severity: 'warning',
      title: 'Postings are not moving',
      detail: `The oldest queued entry has waited ${Math.round(age / 60)} minutes for the ERP.`,
      action:
        'Check the ERP connection and governor below; entries that exhaust their retries appear under Dead letters.',
      link: '/dead-letters',
    });
  return out;
}

/**
 * Everything a firm's operators need at a glance: each connection's recent outcomes and state, the ERP
 * governor, the backlogs, dead letters and exceptions, and what needs a person.
 */
export async function consoleHealth(ctx: Ctx): Promise<Health> {
  const { db, tenantId } = ctx;
  const now = Date.now();
  // Overdue as the workbench counts it: past the SLA of each exception's owner (the firm's policy).
  const sla = await loadSla(db, tenantId);
  const slaHours = sla.defaultHours;
  const [rows, [tenant], states, seen, [delivery], [activations], [amendments], [letters], [exceptions]] =
    await Promise.all([
      db.select().from(connectionsTable).where(eq(connectionsTable.tenantId, tenantId)),
      db
        .select({ teams: tenantsTable.teamsTenantId })
        .from(tenantsTable)
        .where(eq(tenantsTable.id, tenantId)),
      connectionStates(db, tenantId),
      monitorStatus(ctx),
      db
        .select({
          queued: count(),
          waiting: count(deliveryItemsTable.waitingFor),
          oldest: min(deliveryItemsTable.createdAt),
        })
        .from(deliveryItemsTable)
        .where(and(eq(deliveryItemsTable.tenantId, tenantId), eq(deliveryItemsTable.state, 'queued'))),
      db
        .select({
          waiting: count(),
          retrying: sql<number>`coalesce(sum(${activationsTable.status} = 'retrying'), 0)`,
        })
        .from(activationsTable)
        .where(
          and(
            eq(activationsTable.tenantId, tenantId),
            inArray(activationsTable.status, ['queued', 'running', 'retrying']),
          ),
        ),
      db
        .select({ waiting: count() })
        .from(amendmentsTable)
        .where(
          and(
            eq(amendmentsTable.tenantId, tenantId),
            inArray(amendmentsTable.state, ['received', 'awaiting_approval', 'approved']),
          ),
        ),
      db
        .select({ waiting: count() })
        .from(deadLettersTable)
        .where(and(eq(deadLettersTable.tenantId, tenantId), eq(deadLettersTable.state, 'waiting'))),
      db
        .select({
          open: count(),
          overdue: sql<number>`coalesce(sum(case when ${overdueCondition(sla, now)} then 1 else 0 end), 0)`,
        })
        .from(exceptionsTable)
        .where(
          and(eq(exceptionsTable.tenantId, tenantId), inArray(exceptionsTable.status, ['open', 'retrying'])),
        ),
    ]);
  const erpRow = rows.find((r) => r.role === 'erp');
  const systemOf = (role: ConnectionRole) =>
    role === 'teams' ? (tenant?.teams ? 'teams' : null) : (rows.find((r) => r.role === role)?.system ?? null);
  const base: Omit<Health, 'attention'> = {
    generatedAt: new Date(now).toISOString(),
    connections: MONITORED_ROLES.map((role) =>
      connectionHealth(
        role,
        systemOf(role),
        seen[role],
        states.find((s) => s.role === role),
      ),
    ),
    erpGovernor: await governorStatus(ctx, erpRow),
    queues: {
      delivery: {
        queued: delivery?.queued ?? 0,
        waitingForOutage: delivery?.waiting ?? 0,
        oldestQueuedAgeSeconds: delivery?.oldest
          ? Math.max(0, Math.round((now - Date.parse(delivery.oldest)) / 1000))
          : null,
      },
      activations: { waiting: activations?.waiting ?? 0, retrying: Number(activations?.retrying ?? 0) },
      amendments: { waiting: amendments?.waiting ?? 0 },
    },
    deadLetters: { waiting: letters?.waiting ?? 0 },
    exceptions: { open: exceptions?.open ?? 0, overdue: Number(exceptions?.overdue ?? 0), slaHours },
  };
  return { ...base, attention: attentionFor(base) };
}
