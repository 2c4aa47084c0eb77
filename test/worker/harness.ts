import {
  createExecutionContext,
  createScheduledController,
  introspectWorkflow,
  SELF,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { ActivationView } from '../../shared/api/activation';
import type { Readiness } from '../../shared/api/readiness';
import { getDb } from '../../worker/db/client';
import { retestOfflineConnections } from '../../worker/domain/operations/outage';
import type { Env } from '../../worker/env';
import worker from '../../worker/index';
import type { EmulatorUrls } from '../emulators';
import { type ConnectedTenant, type CoreSystem, connectTenant } from '../support/connect-tenant';
import { DEMO_PEOPLE } from '../support/demo-people';
import { proveMicrosoftTenant } from '../support/prove-microsoft-tenant';

export const testEnv = env as unknown as {
  EMULATORS: EmulatorUrls;
  PLATFORM_ADMIN_TOKEN: string;
  ACTIVATION_WORKFLOW: Workflow;
  MILESTONE_INVOICE_WORKFLOW: Workflow;
  DB_DRIVER: string;
};

/** Response bodies in tests are checked field by field; this types them loosely for that. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions navigate arbitrary JSON
export type Json = any;
export const json = async (res: Response): Promise<Json> => res.json();

export const workerFetch = (input: string, init?: RequestInit) => SELF.fetch(input, init);

/** A fresh tenant connected to fresh, demo-seeded emulator instances. */
export function newTenant(opts: Partial<Parameters<typeof connectTenant>[0]> = {}): Promise<ConnectedTenant> {
  return connectTenant({
    workerFetch,
    emulators: testEnv.EMULATORS,
    platformToken: testEnv.PLATFORM_ADMIN_TOKEN,
    ...opts,
  });
}

/** One run of the cron, as Cloudflare runs it every 5 minutes (polls, sweeps, the outage re-test). */
export async function runCron() {
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ cron: '*/5 * * * *', scheduledTime: Date.now() }),
    env as unknown as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

/**
 * The cron's outage re-test (every 5 minutes in production), run every `ms` until disposed: a connection marked
 * offline that answers again is marked online and its waiting work resumes. For tests whose injected outages may
 * last long enough to trip the outage rule and that expect the work to finish after them.
 */
export function cronRetests(ms = 250): AsyncDisposable {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await retestOfflineConnections(env as unknown as Env, getDb(env as unknown as Env), 'test-cron').catch(
        () => undefined,
      );
      await new Promise((r) => setTimeout(r, ms));
    }
  })();
  return {
    async [Symbol.asyncDispose]() {
      stopped = true;
      await loop;
    },
  };
}

/** Workflows in tests skip their sleeps and retry back-offs; everything else (steps, retries, state) is real. */
export async function fastWorkflows() {
  const introspector = await introspectWorkflow(testEnv.ACTIVATION_WORKFLOW);
  await introspector.modifyAll(async (m) => {
    await m.disableSleeps();
    await m.disableRetryDelays();
  });
  return introspector;
}

export async function activate(
  t: ConnectedTenant,
  crmRecordId: string,
  key: string = crypto.randomUUID(),
  headers: Record<string, string> = {},
) {
  return SELF.fetch('http://handoff/v1/activations', {
    method: 'POST',
    headers: {
      authorization: `Bearer ${t.keys.crm}`,
      'content-type': 'application/json',
      'idempotency-key': key,
      'x-handoff-user': '005000000000001AAA',
      ...headers,
    },
    body: JSON.stringify({ crmRecordId }),
  });
}

export async function getActivation(t: ConnectedTenant, crmRecordId: string): Promise<ActivationView> {
  const res = await SELF.fetch(`http://handoff/v1/activations?crmRecordId=${crmRecordId}`, {
    headers: { authorization: `Bearer ${t.keys.crm}` },
  });
  if (!res.ok) throw new Error(`GET activation: ${res.status} ${await res.text()}`);
  return res.json();
}

const TERMINAL = new Set(['active', 'needs_fixes', 'failed']);

export async function waitForActivation(
  t: ConnectedTenant,
  crmRecordId: string,
  until: (v: ActivationView) => boolean = (v) => TERMINAL.has(v.status),
  timeoutMs = 45_000,
): Promise<ActivationView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await getActivation(t, crmRecordId);
    if (until(view)) return view;
    if (Date.now() > deadline)
      throw new Error(`activation did not get there in time: ${JSON.stringify(view, null, 1)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function effects(t: ConnectedTenant, vendor: CoreSystem): Promise<Record<string, number>> {
  const res = await fetch(`${t.control[vendor]}/effects`);
  return ((await res.json()) as { effects: Record<string, number> }).effects;
}

export async function emulatorState<T = Record<string, unknown>>(
  t: ConnectedTenant,
  vendor: CoreSystem,
): Promise<T> {
  return (await fetch(`${t.control[vendor]}/state`)).json() as Promise<T>;
}

export async function injectFaults(t: ConnectedTenant, vendor: CoreSystem, rules: Record<string, unknown>[]) {
  const res = await fetch(`${t.control[vendor]}/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rules }),
  });
  if (!res.ok) throw new Error(`faults: ${res.status} ${await res.text()}`);
}

export async function clearFaults(t: ConnectedTenant, vendor: CoreSystem) {
  await fetch(`${t.control[vendor]}/faults`, { method: 'DELETE' });
}

/** Ask Handoff to poll the tenant's PSA and ERP now (the cron does it every 5 minutes). */
export async function syncNow(t: ConnectedTenant) {
  const res = await SELF.fetch('http://handoff/v1/admin/sync', {
    method: 'POST',
    headers: { authorization: `Bearer ${t.keys.admin}` },
  });
  if (res.status !== 202) throw new Error(`sync: ${res.status} ${await res.text()}`);
}

export async function embedToken(t: ConnectedTenant, psaProjectId: string): Promise<string> {
  const res = await SELF.fetch('http://handoff/v1/embed-tokens', {
    method: 'POST',
    headers: { authorization: `Bearer ${t.keys.psa}`, 'content-type': 'application/json' },
    body: JSON.stringify({ psaProjectId, user: 'emma.schulz@lumenpartners.example' }),
  });
  if (res.status !== 201) throw new Error(`embed token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export async function readinessOf(t: ConnectedTenant, psaProjectId: string): Promise<Readiness> {
  const token = await embedToken(t, psaProjectId);
  const res = await SELF.fetch('http://handoff/v1/sidebar/readiness', {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`readiness: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Reads `what` until `until` holds (queues, workflows and background syncs finish on their own time). */
export async function waitFor<T>(
  what: () => Promise<T>,
  until: (v: T) => boolean,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (until(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Waits for a workflow instance to finish and returns its output; an errored or terminated instance fails the test. */
export async function workflowOutput(binding: Workflow, id: string, timeoutMs = 60_000): Promise<Json> {
  const status = await waitFor(
    async () => (await binding.get(id)).status(),
    (s) => s.status === 'complete' || s.status === 'errored' || s.status === 'terminated',
    timeoutMs,
  );
  if (status.status !== 'complete')
    throw new Error(`workflow ${id} ${status.status}: ${JSON.stringify(status.error)}`);
  return status.output;
}

/** Polls readiness until `until` holds (queues and workflows run in the background). */
export async function waitForReadiness(
  t: ConnectedTenant,
  psaProjectId: string,
  until: (r: Readiness) => boolean,
  timeoutMs = 60_000,
): Promise<Readiness> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await readinessOf(t, psaProjectId);
    if (until(r)) return r;
    if (Date.now() > deadline)
      throw new Error(`readiness did not get there in time: ${JSON.stringify(r, null, 1)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

export async function adminCall(
  t: ConnectedTenant,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return SELF.fetch(`http://handoff${path}`, {
    method,
    headers: { authorization: `Bearer ${t.keys.admin}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export function psaProjectIdOf(view: ActivationView): string {
  const link = view.links.find((l) => l.role === 'psa' && l.kind === 'project');
  if (!link) throw new Error('activation has no PSA project link');
  return link.externalId;
}

// ---- Teams ----------------------------------------------------------------------------------------

export const PEOPLE = DEMO_PEOPLE;

const BOT_INSTANCE = `${testEnv.EMULATORS.botframework}/__emulator/instances/teams`;

/**
 * Connect the tenant's Teams: its Microsoft 365 organisation is proven (an administrator of it signs in through
 * a claim, on the emulated Entra), then Ava approves milestones and change orders, Emma owns finance exceptions.
 * Answers the organisation's tid.
 */
export async function connectTeams(t: ConnectedTenant, extra: Record<string, unknown> = {}): Promise<string> {
  const { tid } = await proveMicrosoftTenant({
    workerFetch,
    entraUrl: testEnv.EMULATORS.entra,
    adminKey: t.keys.admin,
  });
  const res = await adminCall(t, 'PUT', '/v1/admin/approvals-policy', {
    policy: {
      milestoneApprover: PEOPLE.ava,
      changeOrderApprover: PEOPLE.ava,
      exceptionOwners: { 'finance-ops': PEOPLE.emma, 'delivery-ops': PEOPLE.emma },
      people: Object.values(PEOPLE),
      alwaysForRates: true,
      teamsServiceUrl: `${testEnv.EMULATORS.botframework}/i/teams/teams/`,
      ...extra,
    },
  });
  if (!res.ok) throw new Error(`approvals policy: ${res.status} ${await res.text()}`);
  return tid;
}

/** A card action as Teams delivers it: a signed channel token (good, or bad in one way) and an adaptiveCard/action invoke. */
export async function cardAction(
  teamsTenantId: string,
  actor: { aadObjectId: string; name: string },
  verb: string,
  data: Record<string, unknown>,
  variant = 'valid',
) {
  const { token, serviceUrl } = (await (
    await fetch(`${BOT_INSTANCE}/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ variant }),
    })
  ).json()) as { token: string; serviceUrl: string };
  const activity = {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: crypto.randomUUID(),
    channelId: 'msteams',
    serviceUrl,
    from: { id: `29:${actor.aadObjectId}`, aadObjectId: actor.aadObjectId, name: actor.name },
    recipient: { id: '28:handoff-bot', name: 'Handoff' },
    conversation: { id: `a:${actor.aadObjectId}`, tenantId: teamsTenantId, conversationType: 'personal' },
    channelData: { tenant: { id: teamsTenantId } },
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
  return SELF.fetch('http://handoff/v1/teams/messages', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
}

/** Cards the bot sent (proactively) to one person, newest last, from the emulated Bot Connector. */
export async function cardsSentTo(
  aadObjectId: string,
): Promise<{ id: string; card: Record<string, unknown> }[]> {
  const state = (await (await fetch(`${BOT_INSTANCE}/state`)).json()) as {
    conversations: Record<
      string,
      {
        memberId?: string;
        activities?: { id: string; attachments?: { content: Record<string, unknown> }[] }[];
      }
    >;
  };
  return Object.values(state.conversations ?? {})
    .filter((c) => (c.memberId ?? '').includes(aadObjectId))
    .flatMap((c) => (c.activities ?? []).map((a) => ({ id: a.id, card: a.attachments?.[0]?.content ?? {} })));
}
