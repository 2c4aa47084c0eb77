/**
 * Two firms seeded alike (activations, held time, a milestone awaiting acceptance, Teams connected), so a
 * security test can act as one and prove it never sees the other. Everything is made through the API and
 * the emulated vendors, as the firms' people would.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, SELF } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { Env } from '../../../worker/env';
import worker from '../../../worker/index';
import type { ConnectedTenant } from '../../support/connect-tenant';
import { firstAdminInvitation, invitationToken, signIn, withSession } from '../../support/console-sign-in';
import { completeMilestone, kantataActor, tmWeek } from '../../support/delivery-demo';
import { addEntraPerson } from '../../support/prove-microsoft-tenant';
import {
  activate,
  connectTeams,
  type Json,
  json,
  PEOPLE,
  psaProjectIdOf,
  syncNow,
  testEnv,
  waitFor,
  waitForActivation,
} from '../harness';

export const NORTHWIND = '006000000000001AAA';
export const GLOBEX = '006000000000002AAA';

export interface SeededFirm {
  t: ConnectedTenant;
  teamsTenantId: string;
  psaProjectIds: string[];
  /** The firm's console admin, signed in (Entra, from the firm's own Microsoft 365 organisation). */
  console: ConsoleSignIn;
  /** Every id and key of this firm's own rows that another firm must never see. */
  own: {
    tenantId: string;
    activationIds: string[];
    correlationIds: string[];
    exceptionIds: string[];
    approvalIds: string[];
    /** DocuSign Connect keys added in the console (their ids; the keys themselves are never shown). */
    connectKeyIds: string[];
    /** A finished bulk job (tagging the firm's exceptions). */
    jobIds: string[];
    deadLetterIds: string[];
    memberIds: string[];
  };
}

export interface ConsoleSignIn {
  cookie: string;
  csrf: string;
  memberId: string;
}

/** Someone of the firm's Microsoft 365 organisation signs in to its console with `invitation`. */
async function consoleSignIn(tid: string, invitation: string): Promise<ConsoleSignIn> {
  const person = await addEntraPerson(testEnv.EMULATORS.entra, { tid, roles: [] });
  const out = await signIn(SELF.fetch.bind(SELF), { provider: 'entra', invitation, loginHint: person.email });
  if (!out.cookie) throw new Error(`console sign-in: ${out.location}`);
  const res = await SELF.fetch('http://handoff/v1/console/session', withSession(out.cookie));
  const session = (await json(res)) as Json;
  return { cookie: out.cookie, csrf: session.csrfToken, memberId: session.person.id };
}

/** A new console admin of the firm, signed in (each sign-out in a test spends one). */
export async function freshConsoleSession(f: SeededFirm): Promise<ConsoleSignIn> {
  const res = await SELF.fetch('http://handoff/v1/console/invitations', {
    method: 'POST',
    headers: { authorization: `Bearer ${f.t.keys.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ roles: ['admin'] }),
  });
  if (res.status !== 201) throw new Error(`invitation: ${res.status} ${await res.text()}`);
  const signedIn = await consoleSignIn(
    f.teamsTenantId,
    invitationToken(((await json(res)) as Json).invitationUrl),
  );
  f.own.memberIds.push(signedIn.memberId);
  return signedIn;
}

/** The headers of a request with a console session (the CSRF token and this origin for writes). */
export function consoleHeaders(s: ConsoleSignIn): Record<string, string> {
  return {
    ...(withSession(s.cookie).headers as Record<string, string>),
    'x-csrf-token': s.csrf,
    origin: 'http://handoff',
  };
}

async function get(t: ConnectedTenant, path: string, key: keyof ConnectedTenant['keys'] = 'admin') {
  const res = await SELF.fetch(`http://handoff${path}`, {
    headers: { authorization: `Bearer ${t.keys[key]}` },
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return json(res);
}

/**
 * A dead letter of the firm's own, as the posting queue's dead-letter queue hands it over once a message has
 * exhausted its retries (here: a posting of an entry Handoff no longer knows).
 */
async function seedDeadLetter(t: ConnectedTenant): Promise<void> {
  const batch = createMessageBatch('handoff-posting-dlq', [
    {
      id: `dlq-${crypto.randomUUID()}`,
      timestamp: new Date(),
      attempts: 1,
      body: { tenantId: t.tenantId, itemId: `time:gone-${t.tenantId}`, correlationId: `dl-${t.tenantId}` },
    },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch as never, env as unknown as Env);
  await getQueueResult(batch, ctx);
}

export async function seedFirm(t: ConnectedTenant): Promise<SeededFirm> {
  const teamsTenantId = await connectTeams(t);
  // A Connect key added in the console, as a rotation does (the tenant's first key keeps verifying).
  const added = await SELF.fetch('http://handoff/v1/console/connections/clm/keys', {
    method: 'POST',
    headers: { authorization: `Bearer ${t.keys.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ key: btoa(`${crypto.randomUUID()}${crypto.randomUUID()}`), overlapHours: 168 }),
  });
  if (added.status !== 201) throw new Error(`connect key: ${added.status} ${await added.text()}`);
  const connectKeyIds = ((await added.json()) as { keys: { id: string }[] }).keys
    .map((k) => k.id)
    .filter((id) => id.startsWith('csk_'));
  await activate(t, GLOBEX);
  await activate(t, NORTHWIND);
  const [gx, nw] = [await waitForActivation(t, GLOBEX), await waitForActivation(t, NORTHWIND)];
  const actor = kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken);
  await tmWeek(actor, psaProjectIdOf(gx));
  await completeMilestone(actor, psaProjectIdOf(nw), 'Discovery');
  await syncNow(t);
  await seedDeadLetter(t);
  const deadLetters = await get(t, '/v1/dead-letters');
  const exceptions = await waitFor(
    () => get(t, '/v1/exceptions?limit=200'),
    (r: Json) => r.exceptions.length > 0,
  );
  const approvals = await waitFor(
    () => get(t, '/v1/approvals'),
    (r: Json) => r.approvals.length > 0,
  );
  // A bulk job of the firm's own: its id is one more the other firm must never reach.
  const started = await SELF.fetch('http://handoff/v1/exception-jobs', {
    method: 'POST',
    headers: { authorization: `Bearer ${t.keys.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      action: 'tag',
      tags: { add: ['seeded'] },
      selection: { filter: { status: 'open' } },
    }),
  });
  if (started.status !== 202) throw new Error(`exception job: ${started.status} ${await started.text()}`);
  const job = (await json(started)).job;
  await waitFor(
    () => get(t, `/v1/exception-jobs/${job.id}`),
    (j: Json) => j.state === 'done',
  );
  const first = await firstAdminInvitation(SELF.fetch.bind(SELF), testEnv.PLATFORM_ADMIN_TOKEN, t.tenantId);
  if (first.status !== 201) throw new Error(`first admin: ${first.status} ${await first.text()}`);
  const admin = await consoleSignIn(
    teamsTenantId,
    invitationToken(((await json(first)) as Json).invitationUrl),
  );
  return {
    console: admin,
    t,
    teamsTenantId,
    psaProjectIds: [psaProjectIdOf(gx), psaProjectIdOf(nw)],
    own: {
      tenantId: t.tenantId,
      activationIds: [gx.id, nw.id],
      correlationIds: [gx.correlationId, nw.correlationId],
      exceptionIds: exceptions.exceptions.map((e: Json) => e.id),
      approvalIds: approvals.approvals.map((a: Json) => a.id),
      connectKeyIds,
      jobIds: [job.id],
      deadLetterIds: deadLetters.deadLetters.map((d: Json) => d.id),
      memberIds: [admin.memberId],
    },
  };
}

export const ownIds = (f: SeededFirm): string[] => [
  f.own.tenantId,
  ...f.own.activationIds,
  ...f.own.correlationIds,
  ...f.own.exceptionIds,
  ...f.own.approvalIds,
  ...f.own.connectKeyIds,
  ...f.own.jobIds,
  ...f.own.deadLetterIds,
  ...f.own.memberIds,
];

/** A Teams SSO token from the emulated Entra for one person of the firm's Microsoft 365 tenant. */
export async function teamsSsoToken(f: SeededFirm, person = PEOPLE.ava): Promise<string> {
  const res = await fetch(`${testEnv.EMULATORS.entra}/__emulator/instances/entra/sso-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      tid: f.teamsTenantId,
      oid: person.aadObjectId,
      name: person.name,
      aud: 'api://handoff.test/00000000-0000-4000-8000-00000000b07a',
    }),
  });
  return ((await res.json()) as { token: string }).token;
}

/** A Bot Framework channel token from the emulated Bot Framework, with the service URL it vouches for. */
export async function botToken(): Promise<{ token: string; serviceUrl: string }> {
  const res = await fetch(`${testEnv.EMULATORS.botframework}/__emulator/instances/teams/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ variant: 'valid' }),
  });
  return (await res.json()) as { token: string; serviceUrl: string };
}

async function hmac(keyBytes: Uint8Array, data: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    keyBytes as BufferSource,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(data)));
  return btoa(String.fromCharCode(...sig));
}

/** Standard Webhooks headers for `body`, signed with the firm's PSA webhook secret. */
export async function kantataSignature(f: SeededFirm, body: string): Promise<Record<string, string>> {
  const secret = f.t.emulatorSecrets.kantataWebhookSecret;
  const id = `msg_${crypto.randomUUID()}`;
  const ts = Math.floor(Date.now() / 1000);
  const key = Uint8Array.from(atob(secret.slice('whsec_'.length)), (ch) => ch.charCodeAt(0));
  return {
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': `v1,${await hmac(key, `${id}.${ts}.${body}`)}`,
  };
}

/** DocuSign Connect's HMAC header for `body`, with the firm's Connect key. */
export async function docusignSignature(f: SeededFirm, body: string): Promise<Record<string, string>> {
  return {
    'x-docusign-signature-1': await hmac(new TextEncoder().encode(f.t.emulatorSecrets.docusignHmacKey), body),
  };
}
