import { createHmac, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import type { EmulatorApp, Instance } from '../kit/emulator';
import { validTokens } from './auth';
import {
  envelope,
  errorBody,
  errorResponse,
  idParam,
  jsonBody,
  now,
  readPage,
  system,
  validation,
} from './envelope';
import type { KantataState, KantataSubscribedEvent, WebhookSubscription } from './state';

/**
 * Kantata's change feed is the Subscribed Events API: `GET /subscribed_events` returns up to 9 days of
 * changes (event types like `time_entry:created`, `expense:updated`), possibly duplicated or out of order,
 * and only to Account Administrators. Kantata documents no push webhooks and no delivery signature.
 *
 * EMULATOR STAND-IN: so Handoff can also be driven by pushes, the emulator lets a caller register a
 * subscriber under `{base}/stand-in/webhook_subscriptions` (deliberately outside `/api/v1`: it is not a
 * Kantata endpoint) and POSTs every subscribed event to it, signed per Standard Webhooks v1
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256(id.timestamp.body)>`)
 * with a per-subscription `whsec_` secret. The body is the subscribed event exactly as the API lists it.
 */

const RETENTION_MS = 9 * 24 * 60 * 60 * 1000;
/** Kantata class → [envelope key, event type prefix]. */
const SUBJECTS: Record<string, [string, string]> = {
  TimeEntry: ['time_entries', 'time_entry'],
  Expense: ['expenses', 'expense'],
  Story: ['stories', 'story'],
  TimesheetSubmission: ['timesheet_submissions', 'timesheet_submission'],
  ExpenseReportSubmission: ['expense_report_submissions', 'expense_report'],
  Workspace: ['workspaces', 'workspace'],
};

export function serializeEvent(e: KantataSubscribedEvent) {
  return {
    id: e.id,
    account_id: 1,
    created_at: e.created_at,
    event_type: e.event_type,
    subject_type: e.subject_type,
    subject_id: Number(e.subject_id),
    subject_ref: { key: e.subject_key, id: e.subject_id },
    subject_changed_at: e.subject_changed_at,
    user_id: Number(e.user_id),
    current_payload: e.current_payload,
    previous_payload: e.previous_payload,
    payload_changes: changes(e.previous_payload, e.current_payload),
  };
}

function changes(before: Record<string, unknown> | null, after: Record<string, unknown> | null) {
  if (!before || !after) return null;
  const out: Record<string, [unknown, unknown]> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out[k] = [before[k], after[k]];
  }
  return out;
}

/** Record a change (and push it to stand-in subscribers). `subjectType` is the Kantata class name. */
export function recordEvent(
  inst: Instance<KantataState>,
  action: 'created' | 'updated' | 'deleted',
  subjectType: string,
  current: Record<string, unknown> | null,
  previous: Record<string, unknown> | null = null,
) {
  const subject = current ?? previous ?? {};
  const [key, prefix] = SUBJECTS[subjectType] ?? [subjectType.toLowerCase(), subjectType.toLowerCase()];
  const t = now();
  const event: KantataSubscribedEvent = {
    id: inst.nextId(),
    event_type: `${prefix}:${action}`,
    subject_type: subjectType,
    subject_id: String(subject.id),
    subject_key: key,
    user_id: inst.state.apiUserId,
    workspace_id: subject.workspace_id == null ? null : String(subject.workspace_id),
    current_payload: current,
    previous_payload: previous,
    subject_changed_at: t,
    created_at: t,
  };
  const events = inst.state.subscribedEvents;
  events.push(event);
  const cutoff = new Date(Date.now() - RETENTION_MS).toISOString();
  while (events.length && events[0]!.created_at < cutoff) events.shift();
  for (const sub of Object.values(inst.state.webhookSubscriptions)) {
    if (sub.event_types.length === 0 || sub.event_types.includes(event.event_type))
      void deliver(inst, sub, event);
  }
}

/** Standard Webhooks v1 signature of `id.timestamp.body` with the subscription's `whsec_` secret. */
export function signStandardWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function deliver(
  inst: Instance<KantataState>,
  sub: WebhookSubscription,
  event: KantataSubscribedEvent,
) {
  const body = JSON.stringify(serializeEvent(event));
  const messageId = `msg_kantata_${inst.id}_${event.id}`;
  let status: number | 'error' = 'error';
  let attempts = 0;
  // Retries reuse the message id (as Standard Webhooks requires) with a fresh timestamp and signature.
  for (const wait of [0, 200, 1000]) {
    await sleep(wait);
    attempts += 1;
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await fetch(sub.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': messageId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signStandardWebhook(sub.secret, messageId, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(5000),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) break;
    } catch {
      status = 'error';
    }
  }
  inst.state.webhookDeliveries.push({
    id: messageId,
    subscription_id: sub.id,
    event_id: event.id,
    status,
    attempts,
    delivered_at: now(),
  });
  if (inst.state.webhookDeliveries.length > 1000) inst.state.webhookDeliveries.shift();
  if (typeof status === 'number' && status < 300) inst.effect('webhook.deliver');
}

function authorized(c: Context): boolean {
  const inst = c.get('instance') as Instance<KantataState>;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
  return !!match && validTokens(inst.config.options).includes(match[1]!);
}

export function registerEventRoutes(app: EmulatorApp<KantataState>) {
  const list = (c: Context) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const q = (k: string) => c.req.query(k);
    const types = q('event_types')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const f of ['created_after', 'created_before'] as const) {
      if (q(f) !== undefined && Number.isNaN(Date.parse(q(f)!)))
        return errorResponse(c, 422, [validation(`${f} must be an ISO 8601 datetime`, f)]);
    }
    const after = q('created_after') ? new Date(q('created_after')!).toISOString() : undefined;
    const before = q('created_before') ? new Date(q('created_before')!).toISOString() : undefined;
    let rows = inst.state.subscribedEvents.filter(
      (e) =>
        (types === undefined || types.includes(e.event_type)) &&
        (after === undefined || e.created_at > after) &&
        (before === undefined || e.created_at < before),
    );
    if (q('most_recent') === 'true') {
      const latest = new Map<string, KantataSubscribedEvent>();
      for (const e of rows) latest.set(`${e.subject_type}:${e.subject_id}`, e);
      rows = [...latest.values()];
    }
    const page = readPage(c);
    const slice = rows.slice(page.offset, page.offset + page.size).map(serializeEvent);
    return c.json(envelope('subscribed_events', slice, rows.length, page));
  };
  app.get('/api/v1/subscribed_events', list);
  app.get('/api/v1/subscribed_events.json', list);

  // ---- EMULATOR STAND-IN (not a Kantata endpoint): push subscriptions ----------------------------
  app.post('/stand-in/webhook_subscriptions', async (c) => {
    if (!authorized(c))
      return c.json(errorBody([{ type: 'oauth', message: 'Invalid OAuth 2 Request' }]), 401);
    const inst = c.get('instance');
    const raw = (await jsonBody(c)) ?? {};
    const url = typeof raw.url === 'string' ? raw.url : '';
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      ok = false;
    }
    if (!ok) return errorResponse(c, 422, [validation('url must be an http(s) URL', 'url')]);
    const types = Array.isArray(raw.event_types) ? raw.event_types.map(String) : [];
    const secret =
      typeof raw.secret === 'string' && raw.secret.startsWith('whsec_')
        ? raw.secret
        : `whsec_${randomBytes(24).toString('base64')}`;
    const sub: WebhookSubscription = {
      id: inst.nextId(),
      url,
      event_types: types,
      secret,
      created_at: now(),
    };
    inst.state.webhookSubscriptions[sub.id] = sub;
    inst.effect('webhook_subscription.create');
    return c.json(sub, 201);
  });
  app.get('/stand-in/webhook_subscriptions', (c) => {
    if (!authorized(c))
      return c.json(errorBody([{ type: 'oauth', message: 'Invalid OAuth 2 Request' }]), 401);
    const s = c.get('instance').state;
    return c.json({
      webhook_subscriptions: Object.values(s.webhookSubscriptions).map(({ secret: _s, ...rest }) => rest),
      deliveries: s.webhookDeliveries.slice(-100),
    });
  });
  app.delete('/stand-in/webhook_subscriptions/:id', (c) => {
    if (!authorized(c))
      return c.json(errorBody([{ type: 'oauth', message: 'Invalid OAuth 2 Request' }]), 401);
    const s = c.get('instance').state;
    const id = idParam(c);
    if (!s.webhookSubscriptions[id]) return errorResponse(c, 404, [system('Subscription not found')]);
    delete s.webhookSubscriptions[id];
    return c.body(null, 204);
  });
}
