import { createRoute } from '@hono/zod-openapi';
import { type Health, HealthSchema } from '../../shared/api/health';
import type { App } from '../app';
import { consoleHealth } from '../domain/operations/health';
import { requirePermission } from '../http/console-auth';
import { errorResponses, jsonBody, security } from './openapi-common';

const AT = '2026-11-18T09:30:00.000Z';
const quiet = {
  lastFailureAt: null,
  lastFailureReason: null,
  failuresLastHour: 0,
  errorRate: 0,
  consecutiveFailures: 0,
  offlineSince: null,
  offlineReason: null,
  lastCheckedAt: null,
  lastCheckError: null,
};

const example: Health = {
  generatedAt: AT,
  connections: [
    { role: 'crm', system: 'salesforce', state: 'online', lastSuccessAt: AT, callsLastHour: 41, ...quiet },
    { role: 'psa', system: 'kantata', state: 'online', lastSuccessAt: AT, callsLastHour: 388, ...quiet },
    {
      role: 'erp',
      system: 'netsuite',
      state: 'offline',
      lastSuccessAt: '2026-11-18T09:02:11.000Z',
      lastFailureAt: '2026-11-18T09:04:40.000Z',
      lastFailureReason: 'netsuite unreachable: Network connection lost.',
      callsLastHour: 57,
      failuresLastHour: 5,
      errorRate: 0.088,
      consecutiveFailures: 5,
      offlineSince: '2026-11-18T09:04:40.000Z',
      offlineReason:
        '5 calls in a row failed within 95 s; the last: netsuite unreachable: Network connection lost.',
      lastCheckedAt: '2026-11-18T09:25:00.000Z',
      lastCheckError: 'netsuite unreachable: Network connection lost.',
    },
    { role: 'clm', system: 'docusign', state: 'online', lastSuccessAt: AT, callsLastHour: 2, ...quiet },
    { role: 'teams', system: null, state: 'not_configured', lastSuccessAt: null, callsLastHour: 0, ...quiet },
  ],
  erpGovernor: {
    system: 'netsuite',
    limit: 5,
    inFlight: 0,
    waiting: 0,
    pausedUntil: null,
    throttled: 3,
    maxInFlight: 5,
  },
  queues: {
    delivery: { queued: 50, waitingForOutage: 50, oldestQueuedAgeSeconds: 1520 },
    activations: { waiting: 1, retrying: 1 },
    amendments: { waiting: 0 },
  },
  deadLetters: { waiting: 0 },
  exceptions: { open: 4, overdue: 1, slaHours: 24 },
  attention: [
    {
      kind: 'connection-offline',
      severity: 'critical',
      title: 'NetSuite (ERP) is offline',
      detail:
        'Since 2026-11-18T09:04:40.000Z: 5 calls in a row failed within 95 s. 50 posting(s) wait for it. Work for it waits instead of failing; Handoff re-tests it every 5 minutes and resumes by itself when it answers.',
      action:
        "Check NetSuite's status page and the connection's credentials (Connections). Nothing needs replaying: waiting work resumes on its own.",
      link: '/health',
    },
    {
      kind: 'exceptions-overdue',
      severity: 'warning',
      title: '1 exception(s) past their SLA',
      detail: 'Open for more than 24 hours.',
      action: 'Open the overdue exceptions, assign each an owner, then retry, edit or skip it.',
      link: '/exceptions?overdue=true',
    },
  ],
};

const route = createRoute({
  method: 'get',
  path: '/v1/console/health',
  operationId: 'getConsoleHealth',
  tags: ['Console'],
  summary:
    "The firm's health: connections, the ERP governor, backlogs, dead letters, exceptions, and what needs a person",
  description:
    'Connection states come from the outcome of every call Handoff made in the last hour (counted per firm and system) and the outage rule; see the README, "Outage mode". Console permission `view`, or an admin key.',
  security: security.console,
  middleware: [requirePermission('view')] as const,
  responses: {
    200: jsonBody(HealthSchema, 'Now', example),
    ...errorResponses,
  },
});

export function registerV1ConsoleHealth(app: App) {
  app.openapi(route, async (c) =>
    c.json(await consoleHealth({ env: c.env, db: c.get('db'), tenantId: c.get('principal').tenantId }), 200),
  );
}
