import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/e2e/browser';
import { formatMoney as cardFormat } from '../cards/format';
import { buildTeamsTab } from '../tab/build';
import { formatMoney as tabFormat } from '../tab/format';

const SHOTS = process.env.TEAMS_SHOTS;
const HANDOFF = 'https://handoff.test';
const TEAMS = 'https://teams.microsoft.com';
const CDN = 'https://res.cdn.office.net/teams-js/validDomains/json/validDomains.json';
const TOKEN = 'sso-token-for-dana';

let outDir: string;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'handoff-teams-tab-'));
  await buildTeamsTab(outDir);
});

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('tab money formatting', () => {
  it('says the same as the cards', () => {
    for (const m of [
      { amountMinor: 4_500_000, currency: 'USD' },
      { amountMinor: 150, currency: 'HUF' },
      { amountMinor: -1_234_567, currency: 'KWD' },
      { amountMinor: 7, currency: 'JPY' },
    ])
      expect(tabFormat(m)).toBe(cardFormat(m));
  });
});

/**
 * A stand-in Teams web client: it frames the tab and answers the teams-js postMessage protocol
 * (initialize, authentication.getAuthToken) the way the host does: {id, uuidAsString, args}.
 */
const HOST_PAGE = `<!doctype html><html><body style="margin:0">
<iframe id="tab" src="${HANDOFF}/teams/tab.html?view=approvals" style="width:100%;height:900px;border:0"></iframe>
<script>
window.requests = [];
const runtime = {
  apiVersion: 4,
  hostVersionsInfo: { adaptiveCardSchemaVersion: { majorVersion: 1, minorVersion: 5 } },
  isLegacyTeams: false,
  supports: { appInstallDialog: {}, pages: { appButton: {}, tabs: {}, config: {}, backStack: {}, fullTrust: {} }, teamsCore: {}, logs: {} },
};
window.addEventListener('message', (e) => {
  const m = e.data;
  if (!m || typeof m.func !== 'string') return;
  window.requests.push(m.func);
  const reply = (args) => e.source.postMessage({ id: m.id, uuidAsString: m.uuidAsString, args }, e.origin);
  if (m.func === 'initialize') reply(['content', 'web', JSON.stringify(runtime), '2.58.0']);
  else if (m.func === 'authentication.getAuthToken') reply([true, '${TOKEN}']);
});
</script></body></html>`;

interface Api {
  calls: { method: string; path: string; auth: string | null; body: unknown }[];
  cdnHits: number;
}

async function serve(context: BrowserContext): Promise<Api> {
  const api: Api = { calls: [], cdnHits: 0 };
  await context.route(CDN, (route) => {
    api.cdnHits++;
    return route.fulfill({ json: { validOrigins: ['teams.microsoft.com', '*.teams.microsoft.com'] } });
  });
  await context.route(`${TEAMS}/**`, (route) => route.fulfill({ body: HOST_PAGE, contentType: 'text/html' }));
  await context.route(`${HANDOFF}/**`, async (route: Route) => {
    const req = route.request();
    const url = new URL(req.url());
    if (url.pathname.startsWith('/teams/')) {
      const file = await readFile(join(outDir, url.pathname));
      return route.fulfill({
        body: file,
        contentType: url.pathname.endsWith('.js') ? 'text/javascript' : 'text/html',
      });
    }
    const auth = await req.headerValue('authorization');
    api.calls.push({ method: req.method(), path: url.pathname, auth, body: req.postDataJSON() });
    if (auth !== `Bearer ${TOKEN}`) return route.fulfill({ status: 401, json: { message: 'Sign in again' } });
    if (url.pathname === '/v1/teams/me/approvals')
      return route.fulfill({
        json: {
          items: [
            {
              id: 'apr_1',
              kind: 'milestone',
              title: 'Phase 1 go-live',
              project: 'Brandt ERP rollout',
              amount: { amountMinor: 4_500_000, currency: 'USD' },
            },
            { id: 'apr_2', kind: 'changeOrder', title: 'Change order A-3', project: 'Brandt ERP rollout' },
          ],
        },
      });
    if (url.pathname === '/v1/teams/me/exceptions')
      return route.fulfill({
        json: [
          {
            id: 'exc_19',
            rule: 'Customer must have a billing address',
            reason: 'NetSuite refused the invoice',
            suggestedFix: 'Add a billing address',
          },
        ],
      });
    if (req.method() === 'POST' && /^\/v1\/teams\/me\/approvals\/[^/]+\/decision$/.test(url.pathname))
      return route.fulfill({ json: { ok: true } });
    return route.fulfill({ status: 404, json: { message: 'not found' } });
  });
  return api;
}

describe('the personal tab in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('outside Teams it says to open it in Teams and calls no API', async () => {
    const context = await browser.newContext();
    try {
      const api = await serve(context);
      const page = await context.newPage();
      await page.goto(`${HANDOFF}/teams/tab.html?view=approvals`);
      await page.getByText('Open this tab in Teams').waitFor({ timeout: 8000 });
      expect(api.calls).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('inside a Teams host it signs in with the SSO token, lists approvals and exceptions, and decides', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
    try {
      const api = await serve(context);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${TEAMS}/_handoff/host.html`);
      const tab = page.frameLocator('#tab');
      await tab.getByText('Phase 1 go-live').waitFor({ timeout: 8000 });
      await expect(tab.locator('#approvals').innerText()).resolves.toContain(
        'Brandt ERP rollout · USD 45,000.00',
      );
      await expect(tab.locator('#exceptions').innerText()).resolves.toContain(
        'Customer must have a billing address',
      );
      expect(await page.evaluate(() => (window as unknown as { requests: string[] }).requests)).toEqual(
        expect.arrayContaining(['initialize', 'authentication.getAuthToken']),
      );
      expect(api.calls.map((c) => [c.method, c.path, c.auth]).sort()).toEqual([
        ['GET', '/v1/teams/me/approvals', `Bearer ${TOKEN}`],
        ['GET', '/v1/teams/me/exceptions', `Bearer ${TOKEN}`],
      ]);

      const first = tab.locator('li[data-id="apr_1"]');
      await first.getByRole('button', { name: 'Accept' }).click();
      await first.getByText('Accepted').waitFor();
      const second = tab.locator('li[data-id="apr_2"]');
      await second.getByRole('button', { name: 'Reject…' }).click();
      await second.getByRole('button', { name: 'Reject', exact: true }).click();
      await second.getByText('Say why').waitFor();
      await second.getByRole('textbox').fill('Rates not agreed');
      await second.getByRole('button', { name: 'Reject', exact: true }).click();
      await second.getByText('Rejected').waitFor();
      const posts = api.calls.filter((c) => c.method === 'POST');
      expect(posts).toEqual([
        {
          method: 'POST',
          path: '/v1/teams/me/approvals/apr_1/decision',
          auth: `Bearer ${TOKEN}`,
          body: { decision: 'accept' },
        },
        {
          method: 'POST',
          path: '/v1/teams/me/approvals/apr_2/decision',
          auth: `Bearer ${TOKEN}`,
          body: { decision: 'reject', comment: 'Rates not agreed' },
        },
      ]);
      if (SHOTS) await page.screenshot({ path: join(SHOTS, 'teams-tab.png') });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
