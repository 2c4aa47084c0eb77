import type { Context } from 'hono';
import { createEmulator, type EmulatorEnv } from '../kit/emulator';
import { runComposite } from './composite';
import { type ApiContext, type ApiResponse, dispatchData } from './data-api';
import { notFound, SfApiError, sfFaultBody } from './errors';
import { authenticate, instanceBaseUrl, registerOAuthRoutes } from './oauth';
import { registerOpenIdRoutes, registerUserControl } from './openid';
import { registerRecordPages } from './record-page';
import { seedDemo } from './seed-demo';
import { initialSalesforceState, type SalesforceState, salesforceOptions } from './state';
import { registerWebServerFlow } from './web-server-flow';

/**
 * The Salesforce emulator: the REST API subset Handoff and jsforce use, per org instance under
 * /i/{id}. A base URL such as http://127.0.0.1:PORT/i/acme stands in for
 * https://acme.my.salesforce.com (instance_url and My Domain login URL at once).
 *
 * Instance options (config.options): clientId, clientSecret (client credentials of the connected
 * app), staticTokens (tokens accepted without OAuth), tokenTtlSeconds, apiDailyLimit,
 * queryBatchSize, latestVersion (default 62.0), orgName, connectedApps (the packaged apps that may run the
 * web server flow, see web-server-flow.ts), and how far the org is set up for Handoff (org-setup.ts):
 * missingFields, missingObjects, handoffPlugin; for OpenID Connect sign-in (openid.ts), oauthApps
 * (External Client Apps allowed the sign-in flow) and loginHost (this instance is login.salesforce.com).
 * Effects: `{Object}.create|update|delete` per committed record write, `oauth.token` per token issued.
 */

type Ctx = Context<EmulatorEnv<SalesforceState>>;

const JSON_TYPE = 'application/json;charset=UTF-8';

function seasonLabel(major: number): string {
  // 60.0 is Spring '24; releases go Spring, Summer, Winter, and Winter carries the next year's name.
  const n = major - 60;
  const season = ['Spring', 'Summer', 'Winter'][((n % 3) + 3) % 3]!;
  const year = 24 + Math.floor(n / 3) + (season === 'Winter' ? 1 : 0);
  return `${season} '${String(year).padStart(2, '0')}`;
}

function versions(latest: string) {
  const last = Math.floor(Number(latest));
  const out = [];
  for (let v = 31; v <= last; v++)
    out.push({ label: seasonLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
  return out;
}

function send(res: ApiResponse, limitInfo?: string): Response {
  const headers = new Headers(res.headers);
  if (limitInfo) headers.set('Sforce-Limit-Info', limitInfo);
  if (res.status === 204 || res.body === undefined)
    return new Response(null, { status: res.status, headers });
  headers.set('Content-Type', JSON_TYPE);
  return new Response(JSON.stringify(res.body), { status: res.status, headers });
}

function sendError(e: SfApiError, limitInfo?: string): Response {
  return send({ status: e.status, body: e.items, headers: e.headers }, limitInfo);
}

async function dataApi(c: Ctx): Promise<Response> {
  const inst = c.get('instance');
  const opts = salesforceOptions(inst.config);
  const { state } = inst;
  try {
    authenticate(inst, c.req.header('authorization'));
  } catch (e) {
    return sendError(e as SfApiError);
  }
  const url = new URL(c.req.url);
  const m = /\/services\/data\/v(\d+\.\d)(\/.*)?$/.exec(url.pathname);
  const version = m?.[1];
  if (!m || !version || Number(version) < 31 || Number(version) > Number(opts.latestVersion))
    return sendError(notFound());

  if (state.apiUsage >= opts.apiDailyLimit) {
    return sendError(
      new SfApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'),
      `api-usage=${state.apiUsage}/${opts.apiDailyLimit}`,
    );
  }
  state.apiUsage += 1;
  const limitInfo = `api-usage=${state.apiUsage}/${opts.apiDailyLimit}`;

  let body: unknown;
  const method = c.req.method;
  if (method === 'POST' || method === 'PATCH' || method === 'PUT') {
    const text = await c.req.text();
    if (text.trim() !== '') {
      const type = (c.req.header('content-type') ?? 'application/json').toLowerCase();
      if (!type.includes('json')) {
        return sendError(
          new SfApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `Content type '${type}' not supported`),
          limitInfo,
        );
      }
      try {
        body = JSON.parse(text);
      } catch (e) {
        return sendError(
          new SfApiError(
            400,
            'JSON_PARSER_ERROR',
            `Unexpected character in request body: ${(e as Error).message}`,
          ),
          limitInfo,
        );
      }
    }
  }
  const ctx: ApiContext = {
    inst,
    effect: (n) => inst.effect(n),
    baseUrl: instanceBaseUrl(c),
    composite: runComposite,
  };
  try {
    const res = dispatchData(ctx, { method, path: m[2] ?? '', query: url.searchParams, body, version });
    return send(res, limitInfo);
  } catch (e) {
    if (e instanceof SfApiError) return sendError(e, limitInfo);
    throw e;
  }
}

export function createSalesforceEmulator() {
  // The login host signs in users of every org: the routes look across the emulator's instances.
  const orgs = () => emulator.instances.values();
  const emulator = createEmulator<SalesforceState>({
    name: 'salesforce',
    initialState: initialSalesforceState,
    errorFormat: (status, message, code) => sfFaultBody(status, message, code),
    // Salesforce refuses over-limit calls with 403 REQUEST_LIMIT_EXCEEDED and no Retry-After.
    concurrencyLimitResponse: (c) =>
      c.json(
        [{ message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
        403,
      ),
    seeds: { demo: seedDemo },
    controlRoutes: registerUserControl,
    routes(app) {
      registerOAuthRoutes(app, orgs);
      registerOpenIdRoutes(app, orgs);
      registerWebServerFlow(app);
      const listVersions = (c: Ctx) =>
        c.json(versions(salesforceOptions(c.get('instance').config).latestVersion));
      app.get('/services/data', listVersions);
      app.get('/services/data/', listVersions);
      app.on(['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'], '/services/data/:version', dataApi);
      app.on(['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'], '/services/data/:version/*', dataApi);
      registerRecordPages(app);
      app.all('*', (c) => c.json(notFound().items, 404));
    },
  });
  return emulator;
}

export type SalesforceEmulator = ReturnType<typeof createSalesforceEmulator>;
export { DEMO_CONSOLE_USER, DEMO_IDS } from './seed-demo';
export type { SalesforceState } from './state';
export { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET } from './state';
export { HANDOFF_EXTERNAL_CLIENT_APP } from './web-server-flow';
