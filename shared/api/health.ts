import { z } from 'zod';

export const ConnectionRoleSchema = z.enum(['crm', 'psa', 'erp', 'clm', 'teams']);
export type ConnectionRole = z.infer<typeof ConnectionRoleSchema>;

export const ConnectionStateSchema = z.enum(['online', 'degraded', 'offline', 'not_configured']).meta({
  id: 'ConnectionState',
  description:
    'online: calls succeed; degraded: some failed in the last hour, or the last call did; offline: the outage rule tripped, work for it waits and the cron re-tests it every 5 minutes; not_configured: no connection.',
});
export type ConnectionState = z.infer<typeof ConnectionStateSchema>;

export const ConnectionHealthSchema = z
  .object({
    role: ConnectionRoleSchema,
    system: z.string().nullable(),
    state: ConnectionStateSchema,
    lastSuccessAt: z.string().nullable(),
    lastFailureAt: z.string().nullable(),
    lastFailureReason: z.string().nullable(),
    callsLastHour: z.number().int(),
    failuresLastHour: z.number().int(),
    /** failuresLastHour / callsLastHour, 0 without calls. */
    errorRate: z.number(),
    consecutiveFailures: z.number().int(),
    offlineSince: z.string().nullable(),
    offlineReason: z.string().nullable(),
    /** The cron's last re-test of an offline connection, and what it met. */
    lastCheckedAt: z.string().nullable(),
    lastCheckError: z.string().nullable(),
  })
  .meta({ id: 'ConnectionHealth' });
export type ConnectionHealth = z.infer<typeof ConnectionHealthSchema>;

export const GovernorHealthSchema = z
  .object({
    system: z.string(),
    limit: z.number().int(),
    inFlight: z.number().int(),
    waiting: z.number().int(),
    /** Paused after a 429 until then (the ERP's Retry-After), else null. */
    pausedUntil: z.string().nullable(),
    throttled: z.number().int(),
    maxInFlight: z.number().int(),
  })
  .meta({ id: 'GovernorHealth', description: "The ERP account's concurrency governor, now." });

export const AttentionSchema = z
  .object({
    kind: z.enum([
      'connection-offline',
      'connection-degraded',
      'dead-letters',
      'exceptions-overdue',
      'postings-stalled',
    ]),
    severity: z.enum(['critical', 'warning']),
    title: z.string(),
    detail: z.string(),
    /** What a person should do. */
    action: z.string(),
    /** Where in the console to do it (a console route such as `/dead-letters`). */
    link: z.string().nullable(),
  })
  .meta({ id: 'Attention', description: 'Something needs a person, with what to do.' });
export type Attention = z.infer<typeof AttentionSchema>;

export const HealthSchema = z
  .object({
    generatedAt: z.string(),
    connections: z.array(ConnectionHealthSchema),
    erpGovernor: GovernorHealthSchema.nullable(),
    queues: z.object({
      delivery: z.object({
        /** Time entries and expenses queued for the ERP (waiting for an outage included). */
        queued: z.number().int(),
        /** Of those, waiting for a system that is offline. */
        waitingForOutage: z.number().int(),
        oldestQueuedAgeSeconds: z.number().int().nullable(),
      }),
      activations: z.object({ waiting: z.number().int(), retrying: z.number().int() }),
      amendments: z.object({ waiting: z.number().int() }),
    }),
    deadLetters: z.object({ waiting: z.number().int() }),
    exceptions: z.object({
      open: z.number().int(),
      overdue: z.number().int(),
      /** The SLA policy's default hours (each owner's queue may have its own: see the workbench). */
      slaHours: z.number(),
    }),
    attention: z.array(AttentionSchema),
  })
  .meta({ id: 'ConsoleHealth' });
export type Health = z.infer<typeof HealthSchema>;
