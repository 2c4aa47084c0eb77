import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../worker/db/client';
import { connectionsTable, teamsConversationsTable } from '../../worker/db/schema';
import { botConnector } from '../../worker/domain/teams/config';
import type { Env } from '../../worker/env';
import { completeMilestone, kantataActor } from '../support/delivery-demo';
import {
  activate,
  adminCall,
  cardsSentTo,
  connectTeams,
  fastWorkflows,
  injectFaults,
  json,
  newTenant,
  PEOPLE,
  psaProjectIdOf,
  syncNow,
  testEnv,
  waitFor,
  waitForActivation,
  waitForReadiness,
} from './harness';

const NORTHWIND = '006000000000001AAA';
const env = testEnv as unknown as Env;
const db = () => getDb(env);

interface Detail {
  field: string;
  message: string;
  fix: string;
}

/** Tenant URLs this suite's deployment (loopback allowed, nothing custom) must still refuse, by system. */
const REFUSED: { role: string; system: string; field: string; config: Record<string, unknown> }[] = [
  ...[
    'https://evil.example.com',
    'https://acme.my.salesforce.com@evil.example.com',
    'https://[::ffff:169.254.169.254]',
    'https://0xa9fea9fe',
    'https://acme.my.salesforce.com.',
    'https://acme.my.salesforce.com:8443',
    'https://acme.my.salesforce.com.evil.example.com',
    'http://acme.my.salesforce.com',
    'https://app.localhost',
  ].map((instanceUrl) => ({
    role: 'crm',
    system: 'salesforce',
    field: 'instanceUrl',
    config: { instanceUrl, auth: { clientId: 'x' } },
  })),
  ...[
    'https://100.64.0.1/api/v1',
    'https://198.19.0.1/api/v1',
    'https://api.mavenlink.com.evil.example.com/api/v1',
  ].map((baseUrl) => ({ role: 'psa', system: 'kantata', field: 'baseUrl', config: { baseUrl } })),
  ...[
    'https://metadata.google.internal',
    'https://[64:ff9b::a9fe:a9fe]',
    'https://1234567.suitetalk.api.netsuite.com.',
  ].map((baseUrl) => ({
    role: 'erp',
    system: 'netsuite',
    field: 'baseUrl',
    config: { accountId: '1234567', baseUrl, auth: { clientId: 'c', certificateId: 'k' } },
  })),
];

describe('tenant URLs: refused at config time with field, message and fix', () => {
  it('answers 422 VALIDATION_FAILED for every forbidden URL, and accepts the vendors’ documented hosts', async () => {
    const t = await newTenant();
    for (const c of REFUSED) {
      const res = await adminCall(t, 'PUT', `/v1/admin/connections/${c.role}`, {
        system: c.system,
        config: c.config,
        secrets: c.system === 'salesforce' ? { auth: { clientSecret: 's' } } : { accessToken: 'x' },
      });
      expect(res.status, JSON.stringify(c.config)).toBe(422);
      const body = await json(res);
      expect(body.error.code).toBe('VALIDATION_FAILED');
      const detail = (body.error.details as Detail[]).find((d) => d.field === c.field);
      expect(detail, JSON.stringify(body.error.details)).toBeDefined();
      expect(detail!.message.length).toBeGreaterThan(5);
      expect(detail!.fix.length).toBeGreaterThan(10);
    }
    // A genuine host passes the guard; saving a CRM connection then asks Salesforce which org it reaches
    // (unreachable from a test machine, or refusing these credentials): never a refusal of the URL.
    const genuine = await adminCall(t, 'PUT', '/v1/admin/connections/crm', {
      system: 'salesforce',
      config: { instanceUrl: 'https://acme.my.salesforce.com', auth: { clientId: 'x' } },
      secrets: { auth: { clientSecret: 's' } },
    });
    const verdict = (await genuine.json()) as { error?: { code: string; details?: { field: string }[] } };
    expect([503, 422]).toContain(genuine.status);
    expect(verdict.error?.code).not.toBe('INTERNAL_ERROR');
    expect((verdict.error?.details ?? []).map((d) => d.field)).not.toContain('instanceUrl');
    expect(JSON.stringify(verdict)).toMatch(/could not verify the salesforce connection/i);
    const psa = await adminCall(t, 'PUT', '/v1/admin/connections/psa', {
      system: 'kantata',
      config: { baseUrl: 'https://api.mavenlink.com/api/v1', uiBaseUrl: 'https://app.mavenlink.com' },
      secrets: { accessToken: 'x' },
    });
    expect(psa.status).toBe(200);
  });

  it('refuses a Teams service URL that is not a Bot Connector host Microsoft documents, matched exactly', async () => {
    const t = await newTenant();
    for (const teamsServiceUrl of [
      'https://evil.trafficmanager.net/teams/',
      'https://smba.trafficmanager.net.evil.example.com/teams/',
      'https://evil.smba.trafficmanager.net/teams/',
      'https://smba.trafficmanager.net@evil.example.com/teams/',
      'http://smba.trafficmanager.net/teams/',
      'https://smba.trafficmanager.net:444/teams/',
      'https://api.botframework.com/',
      'https://x.teams.microsoft.com/',
    ]) {
      const res = await adminCall(t, 'PUT', '/v1/admin/approvals-policy', {
        policy: { milestoneApprover: PEOPLE.ava, teamsServiceUrl },
      });
      expect(res.status, teamsServiceUrl).toBe(422);
      const details = (await json(res)).error.details as Detail[];
      expect(details[0]?.field).toBe('policy.teamsServiceUrl');
      expect(details[0]?.fix).toMatch(/smba\.trafficmanager\.net/);
    }
    for (const teamsServiceUrl of [
      'https://smba.trafficmanager.net/teams/',
      'https://smba.trafficmanager.net/emea/',
      'https://smba.infra.gcc.teams.microsoft.com/teams',
      'https://smba.infra.gov.teams.microsoft.us/teams',
      'https://smba.infra.dod.teams.microsoft.us/teams',
    ]) {
      const res = await adminCall(t, 'PUT', '/v1/admin/approvals-policy', {
        policy: { milestoneApprover: PEOPLE.ava, teamsServiceUrl },
      });
      expect(res.status, teamsServiceUrl).toBe(200);
    }
  });
});

describe('tenant URLs: checked again right before every call', () => {
  it('a connection row written before the rules (or behind the API) stops the activation with a permanent error', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    // Rewrite the stored ERP URL as an old row might hold it: the cloud metadata address, IPv4-mapped.
    const [row] = await db()
      .select()
      .from(connectionsTable)
      .where(and(eq(connectionsTable.tenantId, t.tenantId), eq(connectionsTable.role, 'erp')));
    await db()
      .update(connectionsTable)
      .set({ config: { ...row!.config, baseUrl: 'https://[::ffff:a9fe:a9fe]/' } })
      .where(and(eq(connectionsTable.tenantId, t.tenantId), eq(connectionsTable.role, 'erp')));
    await activate(t, NORTHWIND);
    const view = await waitForActivation(t, NORTHWIND);
    expect(view.status).toBe('failed');
    expect(view.attempt).toBe(1);
    expect(view.exception?.reason).toMatch(/IP address/);
    expect(view.exception?.suggestedFix).toMatch(/NetSuite host name/);
  });

  it('never follows a vendor redirect, through the ERP governor: the step fails permanently instead', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    const followed = `${t.instances.netsuite.baseUrl}/services/rest/record/v1/customer/eid:followed-redirect`;
    await injectFaults(t, 'netsuite', [
      {
        kind: 'redirect',
        path: '^/services/rest/record/v1/customer',
        location: followed,
        redirectStatus: 307,
      },
    ]);
    await activate(t, NORTHWIND);
    const view = await waitForActivation(t, NORTHWIND);
    expect(view.status).toBe('failed');
    expect(view.exception?.reason).toMatch(/redirect/i);
    const log = ((await (await fetch(`${t.control.netsuite}/requests`)).json()) as { log: string[] }).log;
    expect(log.filter((l) => l.includes('/record/v1/customer'))).toHaveLength(1);
    expect(log.some((l) => l.includes('followed-redirect'))).toBe(false);
  });
});

describe('Teams: proactive cards go where Teams last reached the person', () => {
  it('uses the serviceUrl recorded from the approver’s last activity, not the tenant setting', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    // The tenant names the public cloud's Bot Connector; Ava's own activity came through the emulator's.
    const tid = await connectTeams(t, { teamsServiceUrl: 'https://smba.trafficmanager.net/teams/' });
    const recorded = `${testEnv.EMULATORS.botframework}/i/teams/teams/`;
    const conv = await botConnector(env).createConversation(recorded, {
      tenantId: tid,
      memberAadObjectId: PEOPLE.ava.aadObjectId,
    });
    await db().insert(teamsConversationsTable).values({
      tenantId: t.tenantId,
      aadObjectId: PEOPLE.ava.aadObjectId,
      serviceUrl: recorded,
      conversationId: conv.conversationId,
    });
    await activate(t, NORTHWIND);
    const ws = psaProjectIdOf(await waitForActivation(t, NORTHWIND));
    await completeMilestone(
      kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken),
      ws,
      'Discovery',
    );
    await syncNow(t);
    const r = await waitForReadiness(t, ws, (x) => x.milestones[0]?.state === 'awaiting_acceptance');
    const approvalId = r.milestones[0]!.approvalId!;
    const card = await waitFor(
      async () =>
        (await cardsSentTo(PEOPLE.ava.aadObjectId)).find((s) => JSON.stringify(s.card).includes(approvalId)),
      Boolean,
    );
    expect(card).toBeDefined();
  });

  it('never sends the bot token to a recorded serviceUrl that is not a Bot Connector host; falls back to the allowed setting', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    await connectTeams(t);
    // A row planted behind the API: a name anyone can register under trafficmanager.net.
    await db().insert(teamsConversationsTable).values({
      tenantId: t.tenantId,
      aadObjectId: PEOPLE.ava.aadObjectId,
      serviceUrl: 'https://evil.trafficmanager.net/teams/',
      conversationId: 'a:planted',
    });
    await activate(t, NORTHWIND);
    const ws = psaProjectIdOf(await waitForActivation(t, NORTHWIND));
    await completeMilestone(
      kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken),
      ws,
      'Discovery',
    );
    await syncNow(t);
    const r = await waitForReadiness(t, ws, (x) => x.milestones[0]?.state === 'awaiting_acceptance');
    const approvalId = r.milestones[0]!.approvalId!;
    await waitFor(
      async () =>
        (await cardsSentTo(PEOPLE.ava.aadObjectId)).find((s) => JSON.stringify(s.card).includes(approvalId)),
      Boolean,
    );
    const [now] = await db()
      .select()
      .from(teamsConversationsTable)
      .where(
        and(
          eq(teamsConversationsTable.tenantId, t.tenantId),
          eq(teamsConversationsTable.aadObjectId, PEOPLE.ava.aadObjectId),
        ),
      );
    expect(now?.serviceUrl).toBe(`${testEnv.EMULATORS.botframework}/i/teams/teams/`);
    expect(now?.conversationId).not.toBe('a:planted');
  });

  it('the bot connector itself refuses a serviceUrl outside the list, before asking for a token', async () => {
    const error = await botConnector(env)
      .sendCard('https://evil.trafficmanager.net/teams/', 'a:1', { type: 'AdaptiveCard' })
      .catch((e) => e);
    expect(error).toMatchObject({ retryable: false, code: 'URL_REFUSED', system: 'teams' });
  });
});
