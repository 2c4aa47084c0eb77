import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/e2e/browser';
import { buildSidebar } from '../build';
import { readinessFixture } from './support/readiness-fixture';
import { close, startHandoffServer, startHostServer } from './support/servers';

/** Screenshots land here; set SIDEBAR_SHOTS to keep them somewhere you can open. */
const SHOTS = process.env.SIDEBAR_SHOTS;

let outDir: string;
let built: Awaited<ReturnType<typeof buildSidebar>>;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'handoff-sidebar-'));
  // These tests serve Handoff on loopback; the production build's policy has no loopback origin.
  built = await buildSidebar(outDir, { allowLoopback: true });
});

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('buildSidebar', () => {
  it('writes the page, the app and the host adapter, well under 100 KB gzipped', async () => {
    expect(built.files.sort()).toEqual(['sidebar/app.js', 'sidebar/host.js', 'sidebar/index.html']);
    expect(built.gzipBytes).toBeLessThan(25_000);
    const app = await readFile(join(outDir, 'sidebar', 'app.js'), 'utf8');
    // zod stays on the server: its error map strings would show up in the bundle.
    expect(app).not.toMatch(/ZodError|invalid_type/);
  });

  it('ships a skeleton and inline styles, so the first paint needs no script and no data', async () => {
    const html = await readFile(join(outDir, 'sidebar', 'index.html'), 'utf8');
    expect(html).toMatch(/<style>[^<]*--bg:/);
    expect(html).toContain('class="skeleton"');
    expect(html).toContain('<script src="app.js" defer></script>');
    expect(html).toMatch(/script-src 'self'/);
  });

  it('builds for production with no loopback origin in its policy', async () => {
    const prod = await mkdtemp(join(tmpdir(), 'handoff-sidebar-prod-'));
    try {
      await buildSidebar(prod);
      const csp = /Content-Security-Policy" content="([^"]+)"/.exec(
        await readFile(join(prod, 'sidebar', 'index.html'), 'utf8'),
      )?.[1];
      expect(csp).toMatch(/connect-src 'self' https:/);
      expect(csp).not.toMatch(/127\.0\.0\.1|localhost|http:/);
    } finally {
      await rm(prod, { recursive: true, force: true });
    }
  });
});

describe.concurrent('the sidebar in a stand-in PSA page (Chromium)', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  /**
   * Each test gets its own Handoff origin and PSA host origin (fresh servers, fresh state), so the tests
   * run side by side in one browser.
   */
  async function openProject(
    onTestFinished: (fn: () => Promise<void>) => void,
    opts: { theme?: 'light' | 'dark'; colorScheme?: 'light' | 'dark'; poll?: number; token?: string } = {},
  ) {
    const handoff = await startHandoffServer(outDir);
    handoff.state.readiness = readinessFixture();
    const host = await startHostServer(handoff.origin);
    if (opts.token) host.state.nextToken = opts.token;
    const context = await browser.newContext({
      viewport: { width: 900, height: 1400 },
      colorScheme: opts.colorScheme ?? 'light',
    });
    onTestFinished(async () => {
      await context.close();
      await Promise.all([close(handoff.server), close(host.server)]);
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const query = new URLSearchParams({
      poll: String(opts.poll ?? 1000),
      ...(opts.theme ? { theme: opts.theme } : {}),
    });
    await page.goto(`${host.origin}/project.html?${query}`);
    const sidebar = page.frameLocator('#sidebar iframe');
    const frame = async (): Promise<Frame> => {
      await page.locator('#sidebar iframe').waitFor();
      return (await (await page.$('#sidebar iframe'))!.contentFrame())!;
    };
    return { page, sidebar, frame, errors, handoff, host };
  }

  const shot = async (page: Page, name: string) => {
    if (SHOTS) await page.locator('#sidebar').screenshot({ path: join(SHOTS, `${name}.png`) });
  };

  it('renders totals, milestones, invoices and exceptions with the token from the host, never in a URL', async ({
    onTestFinished,
    expect,
  }) => {
    const { page, sidebar, errors, handoff } = await openProject(onTestFinished);
    await sidebar.getByRole('heading', { name: 'Northwind ERP rollout' }).waitFor();
    const text = (await sidebar.locator('main').innerText()).replace(/\u00a0/g, ' ');
    for (const expected of [
      '$250,000.00', // contract value
      '$98,500.00', // billed
      '$21,340.00', // unbilled time
      '$1,275.40', // unbilled expenses
      '$3,200.00', // held
      '$125,684.60', // remaining
      '$13,900.00 of $15,000.00 (93%)', // travel allowance used
      'Invoice INV-1042',
      'Waiting for the approver (approval APR-7)',
      'INV-1057',
      '$10,000.00 paid',
      '3 h ago',
    ])
      expect(text).toContain(expected);
    const states = await sidebar.locator('.milestones > li .badge').allInnerTexts();
    expect(states).toEqual(['Invoiced', 'Awaiting acceptance', 'Blocked', 'Ready', 'Not ready']);
    expect(await sidebar.locator('.invoices .badge').allInnerTexts()).toEqual(['Paid', 'Sent']);

    expect(handoff.state.calls[0]?.authorization).toBe('Bearer tok-1');
    expect(handoff.state.requestedUrls.some((u) => u.includes('tok-1'))).toBe(false);
    expect(page.frames().some((f) => f.url().includes('tok-1'))).toBe(false);
    expect(await page.locator('#sidebar iframe').getAttribute('sandbox')).toBe(
      'allow-scripts allow-same-origin allow-popups',
    );

    // The host sizes the iframe to the content: no inner scrollbar.
    await expect
      .poll(async () => (await page.locator('#sidebar iframe').boundingBox())!.height)
      .toBeCloseTo(await sidebar.locator('body').evaluate((b) => b.getBoundingClientRect().height), 0);
    await shot(page, 'light');
    expect(errors).toEqual([]);
  });

  it("shows a blocked milestone's and an exception's reason and fix", async ({ onTestFinished, expect }) => {
    const { sidebar } = await openProject(onTestFinished);
    const blocked = sidebar.locator('.milestones > li', { hasText: 'Data migration' });
    await expect
      .poll(() => blocked.innerText())
      .toContain("Deliverable 'Migration runbook' is not marked done in Kantata");
    expect(await blocked.locator('.fix').innerText()).toBe(
      'Fix: Mark the deliverable done in Kantata, or ask the engagement lead to waive it',
    );
    const exception = sidebar.locator('.exceptions > li', { hasText: 'Time entry 4411' });
    expect(await exception.locator('.reason').innerText()).toBe(
      "Role 'Architect II' is not on the contract's rate card",
    );
    expect(await exception.locator('.fix').innerText()).toContain(
      "Fix: Map 'Architect II' to a rate card role",
    );
    expect(await exception.locator('.fix').isVisible()).toBe(true);
  });

  it('polls with If-None-Match, re-renders only when the version changes, and announces it', async ({
    onTestFinished,
    expect,
  }) => {
    const { sidebar, frame, handoff } = await openProject(onTestFinished, { poll: 1000 });
    await sidebar.getByRole('heading', { name: 'Northwind ERP rollout' }).waitFor();
    const f = await frame();
    await f.evaluate(() => {
      (document.querySelector('main > header') as HTMLElement & { marked?: boolean }).marked = true;
    });
    // Unchanged: the API answers 304 and the DOM is left alone.
    await expect
      .poll(() => handoff.state.calls.filter((c) => c.status === 304).length, { timeout: 4000 })
      .toBeGreaterThan(0);
    expect(handoff.state.calls.find((c) => c.status === 304)?.ifNoneMatch).toBe('"v1"');
    expect(
      await f.evaluate(
        () => (document.querySelector('main > header') as HTMLElement & { marked?: boolean }).marked,
      ),
    ).toBe(true);

    const next = readinessFixture();
    next.version = 'v2';
    next.totals.billed = { amountMinor: 15_700_000, currency: 'USD' };
    next.invoices.unshift({
      id: 'inv-3',
      number: 'INV-1063',
      status: 'created',
      total: { amountMinor: 5_850_000, currency: 'USD' },
      amountPaid: { amountMinor: 0, currency: 'USD' },
      date: '2026-12-01',
      url: `${handoff.origin}/erp/invoice/1063`,
      description: 'Time and expenses to 2026-11-30',
    });
    handoff.state.readiness = next;
    await sidebar.getByRole('link', { name: 'INV-1063' }).waitFor({ timeout: 4000 });
    expect((await sidebar.locator('[data-figure="billed"] .amt').innerText()).replace(/\u00a0/g, ' ')).toBe(
      '$157,000.00',
    );
    expect(
      await f.evaluate(
        () => (document.querySelector('main > header') as HTMLElement & { marked?: boolean }).marked,
      ),
    ).toBeUndefined();
    expect(await sidebar.locator('#live').innerText()).toMatch(/Billing readiness updated/);
  });

  it('opens invoice links in a new tab of the host', async ({ onTestFinished, expect }) => {
    const { page, sidebar, handoff } = await openProject(onTestFinished);
    const next = readinessFixture();
    next.invoices[0]!.url = `${handoff.origin}/erp/invoice/1042`;
    handoff.state.readiness = next;
    const link = sidebar.getByRole('link', { name: 'INV-1042' });
    const [popup] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    await popup.waitForLoadState();
    expect(popup.url()).toBe(`${handoff.origin}/erp/invoice/1042`);
  });

  it('keeps the last data and shows a banner when a refresh fails, and clears it on recovery', async ({
    onTestFinished,
    expect,
  }) => {
    const { sidebar, handoff } = await openProject(onTestFinished, { poll: 1000 });
    await sidebar.getByRole('heading', { name: 'Northwind ERP rollout' }).waitFor();
    handoff.state.failWith = 503;
    const banner = sidebar.locator('#banner');
    await banner.waitFor({ state: 'visible', timeout: 4000 });
    expect(await banner.innerText()).toContain("Couldn't refresh: Database busy (request req-503)");
    expect(await sidebar.locator('.milestones > li').count()).toBe(5);
    handoff.state.failWith = null;
    await banner.waitFor({ state: 'hidden', timeout: 4000 });
  });

  it('renews an expired token through the host once and carries on', async ({ onTestFinished, expect }) => {
    const { sidebar, handoff, host } = await openProject(onTestFinished, { poll: 1000 });
    await sidebar.getByRole('heading', { name: 'Northwind ERP rollout' }).waitFor();
    const before = host.state.tokenCalls;
    host.state.nextToken = 'tok-2';
    handoff.state.validTokens = new Set(['tok-2']);
    await expect
      .poll(() => handoff.state.calls.some((c) => c.authorization === 'Bearer tok-2' && c.status !== 401), {
        timeout: 4000,
      })
      .toBe(true);
    expect(host.state.tokenCalls).toBe(before + 1);
    expect(await sidebar.getByText(/session expired/i).count()).toBe(0);
    expect(await sidebar.locator('.milestones > li').count()).toBe(5);
  });

  it('a forged or expired token ends in "Session expired: reload the page" with no data shown', async ({
    onTestFinished,
    expect,
  }) => {
    const { sidebar, handoff, host } = await openProject(onTestFinished, { token: 'forged' });
    await sidebar.getByRole('alert').filter({ hasText: 'Session expired: reload the page' }).waitFor();
    // Asked the host once for a new token (the init token plus one renewal), then stopped.
    expect(host.state.tokenCalls).toBe(2);
    expect(handoff.state.calls.map((c) => c.status)).toEqual([401, 401]);
    const text = await sidebar.locator('body').innerText();
    expect(text).not.toMatch(/Northwind|\$|Milestones|INV-/);

    // Mid-session: the data on screen goes away too.
    const second = await openProject(onTestFinished, { poll: 1000 });
    await second.sidebar.getByRole('heading', { name: 'Northwind ERP rollout' }).waitFor();
    second.handoff.state.validTokens = new Set();
    await second.sidebar.getByText('Session expired: reload the page').waitFor({ timeout: 4000 });
    expect(await second.sidebar.locator('.milestones, [data-figure]').count()).toBe(0);
  });

  it('ignores an init from a page the iframe was not told to trust', async ({ onTestFinished, expect }) => {
    // A stranger's page frames the sidebar (no referrer, ?host= naming someone else) and posts a valid token.
    const handoff = await startHandoffServer(outDir);
    handoff.state.readiness = readinessFixture();
    const stranger = await startHostServer(handoff.origin);
    const page = await browser.newPage();
    onTestFinished(async () => {
      await page.close();
      await Promise.all([close(handoff.server), close(stranger.server)]);
    });
    await page.goto(`${stranger.origin}/evil.html`);
    const frame = page.frameLocator('#f');
    await frame.locator('body').waitFor();
    await page.waitForTimeout(800);
    expect(handoff.state.calls).toEqual([]);
    expect(await frame.locator('main').getAttribute('aria-busy')).toBe('true');
  });

  it('is keyboard accessible: Tab reaches each milestone and each exception fix, with a visible focus ring', async ({
    onTestFinished,
    expect,
  }) => {
    const { page, frame } = await openProject(onTestFinished);
    const f = await frame();
    await f.locator('.milestones').waitFor();
    await page.locator('#menu').focus();
    const reached: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const key = await f.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.key ?? '');
      if (key) reached.push(key);
    }
    expect(reached.slice(0, 7)).toEqual([
      'm:ms-discovery',
      'm:ms-design',
      'm:ms-migration',
      'm:ms-uat',
      'm:ms-golive',
      'x:exc-1',
      'x:exc-2',
    ]);
    // The focused exception carries its fix, so a screen reader reads it with the item.
    const exc = f.locator('[data-key="x:exc-1"]');
    await exc.focus();
    expect(await exc.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('solid');
    expect(await exc.innerText()).toContain('Fix:');
    expect(await f.locator('.milestones').getAttribute('aria-labelledby')).toBe('h-milestones');
  });

  it('keeps keyboard focus on the same item across a refresh', async ({ onTestFinished, expect }) => {
    const { sidebar, frame, handoff } = await openProject(onTestFinished, { poll: 1000 });
    const f = await frame();
    await f.locator('[data-key="x:exc-2"]').focus();
    const next = readinessFixture();
    next.version = 'v3';
    next.project.name = 'Northwind ERP rollout (phase 2)';
    handoff.state.readiness = next;
    await sidebar
      .getByRole('heading', { name: 'Northwind ERP rollout (phase 2)' })
      .waitFor({ timeout: 4000 });
    expect(await f.evaluate(() => (document.activeElement as HTMLElement).dataset.key)).toBe('x:exc-2');
  });

  it("applies the host's dark theme, and the system's when the host gives none", async ({
    onTestFinished,
    expect,
  }) => {
    const dark = await openProject(onTestFinished, { theme: 'dark' });
    await dark.sidebar.locator('.milestones').waitFor();
    expect(await dark.sidebar.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await dark.sidebar.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor)).toBe(
      'rgb(15, 20, 25)',
    );
    await shot(dark.page, 'dark');

    const system = await openProject(onTestFinished, { colorScheme: 'dark' });
    await system.sidebar.locator('.milestones').waitFor();
    expect(await system.sidebar.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor)).toBe(
      'rgb(15, 20, 25)',
    );

    const light = await openProject(onTestFinished, { theme: 'light', colorScheme: 'dark' });
    await light.sidebar.locator('.milestones').waitFor();
    expect(await light.sidebar.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor)).toBe(
      'rgb(255, 255, 255)',
    );
  });

  it('stops polling while the tab is hidden and refreshes as soon as it is visible again', async ({
    onTestFinished,
    expect,
  }) => {
    const { sidebar, frame, handoff } = await openProject(onTestFinished, { poll: 1000 });
    await sidebar.locator('.milestones').waitFor();
    const f = await frame();
    const setVisibility = (state: string) =>
      f.evaluate((s) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await setVisibility('hidden');
    await new Promise((r) => setTimeout(r, 300));
    const hiddenAt = handoff.state.calls.length;
    await new Promise((r) => setTimeout(r, 1800));
    expect(handoff.state.calls.length).toBe(hiddenAt);
    await setVisibility('visible');
    await expect.poll(() => handoff.state.calls.length, { timeout: 500 }).toBeGreaterThan(hiddenAt);
  });
});
