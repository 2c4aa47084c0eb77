import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { SignJWT } from 'jose';
import { buildCrmSandbox } from '../plugins/crm-salesforce/sandbox/build';
import { buildSidebar } from '../plugins/psa-sidebar/build';
import { buildTeamsPane } from '../plugins/teams/pane/build';
import type { Readiness } from '../shared/api/readiness';
import {
  connectAppBindings,
  consoleBindings,
  MICROSOFT_CALLBACK_PATH,
  startEmulators,
  TEAMS_TEST_BOT,
  teamsBindings,
} from '../test/emulators';
import { subscribeStandInWebhooks } from '../test/emulators/kantata/demo-actions';
import { type ConnectedTenant, connectTenant } from '../test/support/connect-tenant';
import { completeMilestone, fixedFeeWeek, kantataActor, tmWeek } from '../test/support/delivery-demo';
import { DEMO_PEOPLE } from '../test/support/demo-people';
import { DIRECTORY_ROLES, proveMicrosoftTenant } from '../test/support/prove-microsoft-tenant';
import { CONSOLE_DEMO_MEMBERS, seedConsoleMembers, seedEntraDemoPeople } from './console-members';
import { psaPage } from './psa-page';
import { storyPage } from './story-page';
import { startWorker } from './worker-process';

export interface SandboxOptions {
  dir: string;
  ports: {
    worker: number;
    web: number;
    sidebar: number;
    salesforce: number;
    netsuite: number;
    kantata: number;
  };
  reset?: boolean;
  quiet?: boolean;
  /** Per-call latency of each emulated vendor, to feel (and measure) the real thing. */
  latencyMs?: { salesforce?: number; netsuite?: number; kantata?: number };
}

const DEMO_OPPORTUNITIES = ['006000000000001AAA', '006000000000002AAA', '006000000000003AAA'];
/** The demo firm's Microsoft 365 tenant and people (Entra object ids), as the emulated Teams knows them. */
const TEAMS_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const DOCUSIGN_INSTANCE = 'ds-demo';

const SOBJECT_BY_PREFIX: Record<string, string> = {
  '001': 'Account',
  '006': 'Opportunity',
  '800': 'Contract',
};

/**
 * The whole story on one machine: the emulators (seeded with a demo consulting firm), the worker under
 * wrangler dev, a tenant connected to them, and a web server with the plugins inside stand-ins of
 * their hosts. The web server plays Salesforce's Apex runtime: it holds the tenant's CRM API key (as a
 * Named Credential would) and calls the worker for the LWC, so no secret reaches the browser.
 */
export async function startSandbox(opts: SandboxOptions) {
  if (opts.reset) rmSync(opts.dir, { recursive: true, force: true });
  mkdirSync(opts.dir, { recursive: true });
  const varsFile = path.join(opts.dir, 'vars.json');
  const tenantFile = path.join(opts.dir, 'tenant.json');
  // Kept between runs (the stored secrets stay readable); a vars file from before the embed key gets one.
  const vars: Record<string, string> & {
    SECRETS_KEY: string;
    PLATFORM_ADMIN_TOKEN: string;
    EMBED_SIGNING_KEY: string;
  } = {
    SECRETS_KEY: randomBytes(32).toString('base64'),
    PLATFORM_ADMIN_TOKEN: `pt_${randomBytes(18).toString('base64url')}`,
    EMBED_SIGNING_KEY: randomBytes(32).toString('base64'),
    ...(existsSync(varsFile)
      ? (JSON.parse(readFileSync(varsFile, 'utf8')) as Record<string, string>)
      : undefined),
  };
  writeFileSync(varsFile, JSON.stringify(vars), { mode: 0o600 });

  const emulatorDir = path.join(opts.dir, 'emulators');
  mkdirSync(emulatorDir, { recursive: true });
  const emulators = await startEmulators({
    ports: opts.ports,
    stateDir: emulatorDir,
    entraRedirectUris: [`http://127.0.0.1:${opts.ports.worker}${MICROSOFT_CALLBACK_PATH}`],
    handoffOrigin: `http://127.0.0.1:${opts.ports.worker}`,
  });
  await seedEntraDemoPeople(emulators.urls.entra, TEAMS_TENANT);
  const worker = await startWorker({
    port: opts.ports.worker,
    persistDir: path.join(opts.dir, 'wrangler'),
    vars: {
      ...vars,
      ...teamsBindings(emulators.urls),
      ...connectAppBindings(),
      ...consoleBindings(emulators.urls),
    },
    quiet: opts.quiet,
  });
  const workerFetch = (input: string, init?: RequestInit) =>
    fetch(input.replace('http://handoff', worker.url), init);

  let tenant: ConnectedTenant | undefined = existsSync(tenantFile)
    ? JSON.parse(readFileSync(tenantFile, 'utf8'))
    : undefined;
  if (tenant) {
    const check = await workerFetch('http://handoff/v1/admin/connections', {
      headers: { authorization: `Bearer ${tenant.keys.admin}` },
    });
    if (!check.ok || !emulators.emulators.salesforce.instances.has(tenant.instances.salesforce.id))
      tenant = undefined;
  }
  if (!tenant) {
    tenant = await connectTenant({
      workerFetch,
      emulators: emulators.urls,
      platformToken: vars.PLATFORM_ADMIN_TOKEN,
      name: 'Lumen Partners (demo)',
      id: 'demo',
      latencyMs: opts.latencyMs,
    });
    // Kantata has no push webhooks of its own; the emulator's stand-in pushes its change feed to Handoff.
    await subscribeStandInWebhooks(
      tenant.instances.kantata.baseUrl,
      tenant.emulatorSecrets.kantataToken,
      `${worker.url}/v1/webhooks/kantata/${tenant.tenantId}`,
      [],
      tenant.emulatorSecrets.kantataWebhookSecret,
    );
    // The firm's Microsoft 365 organisation, proven as its administrator would: a claim, then a sign-in on
    // (emulated) Entra as Ava, a Global Administrator there.
    await proveMicrosoftTenant({
      workerFetch,
      entraUrl: emulators.urls.entra,
      adminKey: tenant.keys.admin,
      tid: TEAMS_TENANT,
      admin: {
        oid: DEMO_PEOPLE.ava.aadObjectId,
        name: DEMO_PEOPLE.ava.name,
        email: DEMO_PEOPLE.ava.email,
        roles: [DIRECTORY_ROLES.globalAdministrator],
      },
    });
    // The firm's Teams: Ava Chen approves milestones and change orders, Emma Schulz owns the exceptions.
    const policy = await workerFetch('http://handoff/v1/admin/approvals-policy', {
      method: 'PUT',
      headers: { authorization: `Bearer ${tenant.keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        policy: {
          milestoneApprover: DEMO_PEOPLE.ava,
          changeOrderApprover: DEMO_PEOPLE.ava,
          exceptionOwners: { 'finance-ops': DEMO_PEOPLE.emma, 'delivery-ops': DEMO_PEOPLE.emma },
          people: Object.values(DEMO_PEOPLE),
          alwaysForRates: true,
          teamsServiceUrl: `${emulators.urls.botframework}/i/${TEAMS_TEST_BOT.instance}/teams/`,
        },
      }),
    });
    if (!policy.ok) throw new Error(`approvals policy: ${policy.status} ${await policy.text()}`);
    // NetSuite's subsidiaries and billing items, chosen from the lists read live, as the admin would in the
    // console (Connections › NetSuite): the demo firm's Test connection then passes.
    await chooseNetSuiteSetup(workerFetch, tenant.keys.admin);
    // The console: one member per role, each signed in once at the emulated Entra (or Salesforce).
    await seedConsoleMembers(workerFetch, tenant, vars.PLATFORM_ADMIN_TOKEN);
    writeFileSync(tenantFile, JSON.stringify(tenant, null, 2), { mode: 0o600 });
  }
  const t = tenant;
  // DocuSign Connect publishes signed envelopes to Handoff, signed with the tenant's HMAC key.
  if (!emulators.emulators.docusign.instances.has(DOCUSIGN_INSTANCE))
    emulators.emulators.docusign.createInstance(DOCUSIGN_INSTANCE, {});
  await fetch(`${emulators.urls.docusign}/__emulator/instances/${DOCUSIGN_INSTANCE}/connect`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      urlToPublishTo: `${worker.url}/v1/webhooks/docusign/${t.tenantId}`,
      hmacSecrets: [t.emulatorSecrets.docusignHmacKey],
      retryDelaysMs: [1000, 5000, 15000],
    }),
  });

  const webDir = path.join(opts.dir, 'web');
  const sidebarDir = path.join(opts.dir, 'sidebar-site');
  await Promise.all([
    buildCrmSandbox(webDir),
    buildSidebar(sidebarDir, { allowLoopback: true }),
    buildTeamsPane(webDir),
  ]);

  const sidebarUrl = `http://127.0.0.1:${opts.ports.sidebar}`;
  let sfToken: string | undefined;
  /** Reads a CRM record for the stand-in page header, as the Lightning page would (client credentials). */
  const salesforceGet = async (pathname: string): Promise<Response> => {
    const base = t.instances.salesforce.baseUrl;
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!sfToken) {
        const tok = await fetch(`${base}/services/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: 'handoff-connected-app',
            client_secret: t.emulatorSecrets.salesforceClientSecret,
          }),
        });
        sfToken = ((await tok.json()) as { access_token?: string }).access_token;
      }
      const res = await fetch(`${base}${pathname}`, { headers: { authorization: `Bearer ${sfToken}` } });
      if (res.status !== 401) return res;
      sfToken = undefined;
    }
    return new Response('Salesforce emulator refused the sandbox token', { status: 502 });
  };

  const callWorker = (
    method: string,
    pathname: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    workerFetch(`http://handoff${pathname}`, {
      method,
      headers: {
        authorization: `Bearer ${t.keys.crm}`,
        'content-type': 'application/json',
        'x-handoff-user': '005000000000001AAA',
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  /** Turn a worker error envelope into what Apex's AuraHandledException gives an LWC. */
  const apexError = async (res: Response) => {
    const text = await res.text();
    let message = text;
    try {
      const env = JSON.parse(text) as {
        error?: { message: string; details?: { field: string; message: string; fix?: string }[] };
      };
      if (env.error)
        message = [
          env.error.message,
          ...(env.error.details ?? []).map((d) => `${d.field}: ${d.message}${d.fix ? ` (${d.fix})` : ''}`),
        ].join('\n');
    } catch {
      // not JSON: pass the text on
    }
    return new Response(JSON.stringify({ message }), {
      status: res.status >= 500 ? 500 : 400,
      headers: { 'content-type': 'application/json' },
    });
  };

  const web = new Hono();
  web.get('/', (c) =>
    c.html(
      storyPage({
        worker: worker.url,
        crmPage: (id) => `/crm/record-page.html?recordId=${id}`,
        kantataUi: `${t.instances.kantata.baseUrl}/ui/workspaces`,
        netsuiteUi: `${t.instances.netsuite.baseUrl}/app/center/card.nl`,
        salesforceUi: (id) =>
          `${t.instances.salesforce.baseUrl}/lightning/r/${SOBJECT_BY_PREFIX[id.slice(0, 3)] ?? 'Opportunity'}/${id}/view`,
        consoleMembers: CONSOLE_DEMO_MEMBERS.map((m) => ({
          role: m.role,
          provider: m.provider,
          name: m.person.name,
        })),
      }),
    ),
  );
  web.post('/apex/HandoffActivationController/activate', async (c) => {
    const { recordId, idempotencyKey } = (await c.req.json()) as { recordId: string; idempotencyKey: string };
    const res = await callWorker(
      'POST',
      '/v1/activations',
      { crmRecordId: recordId },
      { 'idempotency-key': idempotencyKey },
    );
    return res.ok ? c.json(await res.json()) : apexError(res);
  });
  web.post('/apex/HandoffActivationController/getActivation', async (c) => {
    const { recordId } = (await c.req.json()) as { recordId: string };
    const res = await callWorker('GET', `/v1/activations?crmRecordId=${encodeURIComponent(recordId)}`);
    if (res.status === 404) return c.json(null);
    return res.ok ? c.json(await res.json()) : apexError(res);
  });
  web.get('/sandbox/sf/records/:id', async (c) => {
    const id = c.req.param('id');
    const type = SOBJECT_BY_PREFIX[id.slice(0, 3)];
    if (!type || !/^[a-zA-Z0-9]{15,18}$/.test(id)) return c.json({ error: 'unknown record' }, 404);
    const res = await salesforceGet(`/services/data/v62.0/sobjects/${type}/${id}`);
    if (!res.ok)
      return new Response(res.body, { status: res.status, headers: { 'content-type': 'application/json' } });
    const record = (await res.json()) as Record<string, unknown>;
    // The Lightning page shows the account's name beside its id, as the real highlights panel does.
    if (typeof record.AccountId === 'string') {
      const account = await salesforceGet(
        `/services/data/v62.0/sobjects/Account/${record.AccountId}?fields=Name`,
      );
      if (account.ok) record.AccountName = ((await account.json()) as { Name?: string }).Name;
    }
    return c.json(record);
  });
  const admin = (method: string, pathname: string, body?: unknown) =>
    workerFetch(`http://handoff${pathname}`, {
      method,
      headers: { authorization: `Bearer ${t.keys.admin}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const mintToken = async (psaProjectId: string) => {
    const res = await workerFetch('http://handoff/v1/embed-tokens', {
      method: 'POST',
      headers: { authorization: `Bearer ${t.keys.psa}`, 'content-type': 'application/json' },
      body: JSON.stringify({ psaProjectId, user: 'emma.schulz@lumenpartners.example' }),
    });
    if (!res.ok) throw new Error(`embed token: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  };
  const readinessOf = async (psaProjectId: string): Promise<Readiness> => {
    const res = await fetch(`${worker.url}/v1/sidebar/readiness`, {
      headers: { authorization: `Bearer ${await mintToken(psaProjectId)}` },
    });
    return (await res.json()) as Readiness;
  };
  const actor = kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken);
  const opportunityOf = async (ws: string): Promise<string | undefined> => {
    for (const id of DEMO_OPPORTUNITIES) {
      const res = await callWorker('GET', `/v1/activations?crmRecordId=${id}`);
      if (!res.ok) continue;
      const view = (await res.json()) as { links: { role: string; kind: string; externalId: string }[] };
      if (view.links.some((l) => l.role === 'psa' && l.kind === 'project' && l.externalId === ws)) return id;
    }
    return undefined;
  };

  web.get('/psa/open', async (c) => {
    const res = await callWorker(
      'GET',
      `/v1/activations?crmRecordId=${encodeURIComponent(c.req.query('opportunity') ?? '')}`,
    );
    const view = res.ok
      ? ((await res.json()) as { links: { role: string; kind: string; externalId: string }[] })
      : undefined;
    const ws = view?.links.find((l) => l.role === 'psa' && l.kind === 'project')?.externalId;
    if (!ws)
      return c.html(
        '<p>This deal has no project yet: activate it from its Salesforce page first. <a href="/">Back</a></p>',
        404,
      );
    return c.redirect(`/psa/projects/${ws}`);
  });
  web.get('/psa/projects/:ws', async (c) => {
    const ws = c.req.param('ws');
    const r = await readinessOf(ws);
    const approvals = (await (await admin('GET', '/v1/approvals?state=requested')).json()) as {
      approvals: { id: string; subjectKey: string }[];
    };
    return c.html(
      psaPage({
        psaProjectId: ws,
        projectName: r.project?.name ?? `Project ${ws}`,
        billingModel: r.project?.billingModel ?? 'fixed_fee',
        kantataUiUrl: `${t.instances.kantata.baseUrl}/ui/workspaces/${ws}`,
        sidebarOrigin: sidebarUrl,
        workerUrl: worker.url,
        milestones: r.milestones?.filter((m) => m.state === 'not_ready').map((m) => m.name) ?? [],
        approvals: approvals.approvals
          .map((a) => ({ ...a, name: r.milestones?.find((m) => m.approvalId === a.id)?.name ?? '' }))
          .filter((a) => a.name),
        badToken: c.req.query('token'),
      }),
    );
  });
  web.post('/psa/token', async (c) => {
    const { psaProjectId, bad } = (await c.req.json()) as { psaProjectId: string; bad?: string };
    if (bad === 'forged') return c.json({ token: 'eyJhbGciOiJIUzI1NiJ9.eyJ0aWQiOiJ4In0.forged' });
    if (bad === 'expired') {
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ tid: t.tenantId, prj: psaProjectId })
        .setProtectedHeader({ alg: 'HS256', kid: vars.EMBED_SIGNING_KEY_ID ?? 'v1' })
        .setIssuer('handoff')
        .setAudience('handoff-sidebar')
        .setIssuedAt(now - 1200)
        .setExpirationTime(now - 600)
        .sign(Buffer.from(vars.EMBED_SIGNING_KEY, 'base64'));
      return c.json({ token });
    }
    return c.json({ token: await mintToken(psaProjectId) });
  });
  web.post('/psa/demo', async (c) => {
    const body = (await c.req.json()) as { psaProjectId: string; action: string; name?: string; id?: string };
    const ws = body.psaProjectId;
    let message = '';
    if (body.action === 'week') {
      const r = await readinessOf(ws);
      if (r.project.billingModel === 'time_and_materials') {
        await tmWeek(actor, ws);
        message = 'Logged and approved 5 time entries (Ben typed in the old Senior Consultant rate).';
      } else {
        await fixedFeeWeek(actor, ws);
        message =
          'Logged and approved time, flights, hotel and a team lunch (the hotel passes the travel allowance).';
      }
    } else if (body.action === 'complete-milestone' && body.name) {
      await completeMilestone(actor, ws, body.name);
      message = `Marked "${body.name}" completed in Kantata.`;
    } else if ((body.action === 'accept' || body.action === 'reject') && body.id) {
      const res = await admin('POST', `/v1/approvals/${body.id}/decision`, {
        decision: body.action,
        decidedBy: 'ava.chen@lumenpartners.example',
        comment: body.action === 'reject' ? 'Deliverables need another review' : undefined,
      });
      if (!res.ok) return c.text(await res.text(), 400);
      message =
        body.action === 'accept' ? 'Accepted: the invoice is being created in NetSuite.' : 'Rejected.';
    } else if (body.action === 'amend') {
      const opportunity = await opportunityOf(ws);
      if (!opportunity) return c.text('no activated deal for this project', 400);
      const existing = (await (await admin('GET', `/v1/amendments?contractKey=${opportunity}`)).json()) as {
        amendments: unknown[];
      };
      const number = existing.amendments.length + 1;
      const today = new Date().toISOString().slice(0, 10);
      const changes = {
        rates: [
          {
            role: 'Consultant',
            rate: { amountMinor: 18_000 + (number - 1) * 1_000, currency: 'USD' },
            effectiveFrom: '2026-11-17',
          },
        ],
        notToExceed: { amountMinor: 30_000_000 + (number - 1) * 2_500_000, currency: 'USD' },
      };
      const created = await fetch(
        `${emulators.urls.docusign}/__emulator/instances/${DOCUSIGN_INSTANCE}/envelopes`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            emailSubject: `Change order ${number}: consultant rate and cap`,
            recipients: { signers: [{ name: 'Hank Scorpio', email: 'hank@globex.example' }] },
            customFields: {
              textCustomFields: [
                { name: 'handoff_contract_key', value: opportunity },
                { name: 'amendment_number', value: String(number) },
                { name: 'effective_date', value: '2026-11-17' },
                { name: 'handoff_changes', value: JSON.stringify(changes) },
              ],
            },
          }),
        },
      );
      const envelope = (await created.json()) as { envelopeId: string };
      await fetch(
        `${emulators.urls.docusign}/__emulator/instances/${DOCUSIGN_INSTANCE}/envelopes/${envelope.envelopeId}/complete`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ completedDateTime: `${today}T12:00:00Z` }),
        },
      );
      message = `Change order ${number} signed in DocuSign: Consultant to USD ${(180 + (number - 1) * 10).toFixed(2)}/h from 2026-11-17, cap raised. Ava approves it in Teams.`;
    } else {
      return c.text('unknown action', 400);
    }
    await admin('POST', '/v1/admin/sync');
    return c.json({ message });
  });
  // The Teams pane: Ava's chat with the Handoff bot, as the emulated Bot Connector holds it.
  const bot = `${emulators.urls.botframework}/__emulator/instances/${TEAMS_TEST_BOT.instance}`;
  web.get('/teams/cards', async () => {
    const state = (await (await fetch(`${bot}/state`)).json()) as {
      conversations: Record<
        string,
        {
          id: string;
          memberId?: string;
          activities: { id: string; attachments?: { content: unknown }[]; createdAt: string }[];
        }
      >;
    };
    const cards = Object.values(state.conversations ?? {})
      .filter((conv) => (conv.memberId ?? '').includes(DEMO_PEOPLE.ava.aadObjectId))
      .flatMap((conv) =>
        conv.activities.map((a) => ({
          activityId: `${conv.id}|${a.id}`,
          card: a.attachments?.[0]?.content,
          from: 'Handoff',
          sentAt: a.createdAt,
        })),
      )
      .filter((x) => x.card);
    return Response.json(cards);
  });
  web.post('/teams/execute', async (c) => {
    const b = (await c.req.json()) as {
      activityId: string;
      verb: string;
      data: Record<string, unknown>;
      inputs?: Record<string, unknown>;
    };
    const [conversationId, replyToId] = b.activityId.split('|');
    const res = await fetch(`${bot}/deliver`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        botUrl: `${worker.url}/v1/teams/messages`,
        activity: {
          type: 'invoke',
          name: 'adaptiveCard/action',
          replyToId,
          from: {
            id: `29:${DEMO_PEOPLE.ava.aadObjectId}`,
            aadObjectId: DEMO_PEOPLE.ava.aadObjectId,
            name: DEMO_PEOPLE.ava.name,
          },
          conversation: { id: conversationId, tenantId: TEAMS_TENANT, conversationType: 'personal' },
          channelData: { tenant: { id: TEAMS_TENANT } },
          value: {
            action: { type: 'Action.Execute', verb: b.verb, data: { ...b.data, ...(b.inputs ?? {}) } },
            trigger: 'manual',
          },
        },
      }),
    });
    const out = (await res.json()) as { status: number; body?: { value?: unknown; type?: string } };
    if (out.status !== 200) return c.json({ message: `The bot answered ${out.status}` }, 502);
    return out.body?.type === 'application/vnd.microsoft.card.adaptive'
      ? c.json({ card: out.body.value })
      : c.json({ message: String(out.body?.value ?? 'Done') });
  });
  web.use('/*', serveStatic({ root: path.relative(process.cwd(), webDir) }));

  // The sidebar comes from its own origin, as it would from Handoff's; only the sandbox's pages may frame it.
  const sidebarApp = new Hono();
  sidebarApp.use('/*', async (c, next) => {
    await next();
    c.header('content-security-policy', `frame-ancestors 'self' http://127.0.0.1:${opts.ports.web}`);
  });
  sidebarApp.use('/*', serveStatic({ root: path.relative(process.cwd(), sidebarDir) }));

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: web.fetch, port: opts.ports.web, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const webUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const sidebarServer = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: sidebarApp.fetch, port: opts.ports.sidebar, hostname: '127.0.0.1' }, () =>
      resolve(s),
    );
  });

  // Polls and invoice status run on the worker's cron; wrangler dev fires it only when asked.
  const ticker = setInterval(() => {
    fetch(`${worker.url}/__scheduled?cron=${encodeURIComponent('*/5 * * * *')}`).catch(() => undefined);
  }, 15_000);

  return {
    urls: { web: webUrl, sidebar: sidebarUrl, worker: worker.url, ...emulators.urls },
    tenant: t,
    emulators,
    close: async () => {
      clearInterval(ticker);
      await new Promise<void>((r) => sidebarServer.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
      await worker.close();
      await emulators.close();
    },
  };
}

/** Every subsidiary NetSuite lists (the first as the default) and the demo's three billing items. */
async function chooseNetSuiteSetup(
  workerFetch: (input: string, init?: RequestInit) => Promise<Response>,
  adminKey: string,
): Promise<void> {
  const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  const res = await workerFetch('http://handoff/v1/console/connections/erp/choices', { headers });
  if (!res.ok) throw new Error(`NetSuite choices: ${res.status} ${await res.text()}`);
  const live = (await res.json()) as {
    subsidiaries: { id: string }[];
    items: { id: string; name: string }[];
  };
  const item = (name: string) => live.items.find((i) => i.name === name)?.id;
  const saved = await workerFetch('http://handoff/v1/console/connections/erp/selections', {
    method: 'PUT',
    headers,
    body: JSON.stringify({
      subsidiaryIds: live.subsidiaries.map((s) => s.id),
      defaultSubsidiaryId: live.subsidiaries[0]?.id,
      items: {
        time: item('Professional Services'),
        expense: item('Reimbursable Expenses'),
        invoice: item('Milestone Billing'),
      },
    }),
  });
  if (!saved.ok) throw new Error(`NetSuite selections: ${saved.status} ${await saved.text()}`);
}
