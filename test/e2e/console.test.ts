import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yViolations } from './axe';
import { launchChromium } from './browser';
import { activateDeal, startTestSandbox } from './sandbox-fixture';

/** Globex: time and materials, so every approved hour is posted to NetSuite as a time bill. */
const GLOBEX = '006000000000002AAA';
/** Where the screenshots go: the sandbox's temp folder, or CONSOLE_SHOTS (docs/console for the README). */
const SHOTS = process.env.CONSOLE_SHOTS;

/**
 * The console as the firm's operators live it, in a real Chromium against the sandbox: each person signs in
 * at the (emulated) Microsoft sign-in page, the ERP refuses a week of time, finance-ops retries the pile in
 * one go once it is fixed, and a viewer sees everything but can change nothing.
 */
describe('the Handoff console, in a browser', () => {
  let sandbox: Awaited<ReturnType<typeof startTestSandbox>>;
  let browser: Browser;
  let workspace: string;

  const api = async (path: string) => {
    const res = await fetch(`${sandbox.urls.worker}${path}`, {
      headers: { authorization: `Bearer ${sandbox.tenant.keys.admin}` },
    });
    expect(res.status, path).toBe(200);
    return (await res.json()) as Record<string, unknown> & { total?: number };
  };
  const effects = async () => {
    const res = await fetch(`${sandbox.tenant.control.netsuite}/effects`);
    return ((await res.json()) as { effects: Record<string, number> }).effects;
  };
  const until = async (what: string, check: () => Promise<boolean>, ms = 90_000) => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    browser = await launchChromium();
    workspace = await activateDeal(sandbox, GLOBEX);
  });

  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
  });

  /** A person's own browser: the console sends them to sign in, Microsoft's page lists the directory. */
  async function signIn(name: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${sandbox.urls.worker}/console/`);
    await page.getByRole('link', { name: 'Sign in with Microsoft' }).waitFor({ timeout: 30_000 });
    expect(await seriousA11yViolations(page), 'sign-in page').toEqual([]);
    await page.getByRole('link', { name: 'Sign in with Microsoft' }).click();
    await page.getByRole('button', { name: new RegExp(`^${name} \\(`) }).click();
    await page.getByRole('navigation', { name: 'Console' }).waitFor({ timeout: 30_000 });
    await expect(page.locator('.topbar .who').textContent()).resolves.toContain(name);
    expect(errors).toEqual([]);
    return page;
  }

  async function openPage(page: Page, label: string) {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: label }).click();
    await page.getByRole('heading', { level: 1 }).first().waitFor();
  }

  it('an admin signs in with Microsoft, sees each connection and tests one', async () => {
    const page = await signIn('Ava Chen');
    await openPage(page, 'Connections');
    const netsuite = page.getByRole('article', { name: /NetSuite/ });
    await netsuite.getByText('Connected', { exact: true }).waitFor({ timeout: 30_000 });
    await netsuite.getByRole('button', { name: 'Test connection' }).click();
    await netsuite.getByText('Everything Handoff needs is there.').waitFor({ timeout: 30_000 });
    expect(await seriousA11yViolations(page), 'connections page').toEqual([]);
    await page.screenshot({ path: `${SHOTS ?? sandbox.dir}/connections.png`, fullPage: true });

    // Finance ops must pick an exception up within 12 hours at this firm, not the default 24.
    await openPage(page, 'Exceptions');
    await page.getByText('SLA per owner queue').click();
    await page.getByLabel('Finance ops: hours').fill('12');
    await page.getByRole('button', { name: 'Save the SLA' }).click();
    await page.getByText(/follow the new hours at once/).waitFor({ timeout: 30_000 });
    expect(await seriousA11yViolations(page), 'exceptions page with the SLA').toEqual([]);
    expect(((await api('/v1/console/sla')) as { owners: Record<string, number> }).owners['finance-ops']).toBe(
      12,
    );
    await page.context().close();
  });

  it('the ERP refuses a week of time; after the fix finance-ops retries the whole pile in one go, each entry posted once', async () => {
    // NetSuite refuses every time bill (as it would in a closed period): each entry becomes an exception.
    const fault = await fetch(`${sandbox.tenant.control.netsuite}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ kind: 'error', status: 400, path: 'timeBill' }] }),
    });
    expect(fault.ok).toBe(true);
    // The project manager logs and approves a week in Kantata.
    const psa = await browser.newPage();
    await psa.goto(`${sandbox.urls.web}/psa/projects/${workspace}`);
    await psa.getByRole('button', { name: /log and approve a week/i }).click();
    // Five entries: Ben's, at an old rate, is held by Handoff's rate check; NetSuite refuses the other four.
    let pile = 0;
    await until('the refused time bills as exceptions', async () => {
      pile = (await api('/v1/exceptions?status=open&system=netsuite')).total ?? 0;
      return pile >= 4;
    });
    expect(pile).toBe(4);
    await psa.close();
    expect((await effects())['timeBill.create'] ?? 0).toBe(0);

    const page = await signIn('Emma Schulz');
    // Health puts what needs a person first: the open exceptions.
    await openPage(page, 'Health');
    await page.getByRole('heading', { name: 'Work waiting' }).waitFor({ timeout: 30_000 });
    expect(await seriousA11yViolations(page), 'health page').toEqual([]);
    await page.screenshot({ path: `${SHOTS ?? sandbox.dir}/health.png`, fullPage: true });
    await openPage(page, 'Exceptions');
    await page.getByLabel('System').selectOption('netsuite');
    await page.getByText(`${pile} matching`).waitFor({ timeout: 30_000 });
    expect(await seriousA11yViolations(page), 'exceptions workbench').toEqual([]);
    await page.screenshot({ path: `${SHOTS ?? sandbox.dir}/exceptions.png`, fullPage: true });

    // The period is open again: NetSuite takes time bills. One bulk retry of everything the filter matches.
    await fetch(`${sandbox.tenant.control.netsuite}/faults`, { method: 'DELETE' });
    await page.getByLabel('Bulk action').selectOption('retry');
    await page.getByRole('button', { name: `Apply to all ${pile} matching` }).click();
    // The console follows the job on its page, to the end: each exception once, none failed.
    await page.getByRole('heading', { level: 1, name: 'Bulk jobs' }).waitFor({ timeout: 30_000 });
    const row = page.getByRole('row').filter({ hasText: `${pile} of ${pile} (${pile} done, 0 failed)` });
    await row.waitFor({ timeout: 60_000 });
    await expect(row.getByRole('cell', { name: 'Emma Schulz' }).count()).resolves.toBe(1);
    expect(await seriousA11yViolations(page), 'bulk jobs page').toEqual([]);
    await page.screenshot({ path: `${SHOTS ?? sandbox.dir}/bulk-jobs.png`, fullPage: true });
    await until('every retried entry posted', async () => (await effects())['timeBill.create'] === pile);
    await until(
      'the pile resolved',
      async () => (await api('/v1/exceptions?status=resolved&system=netsuite')).total === pile,
    );
    expect((await api('/v1/exceptions?status=open&system=netsuite')).total).toBe(0);
    // A moment later there is still one time bill per entry.
    await new Promise((r) => setTimeout(r, 2000));
    expect((await effects())['timeBill.create']).toBe(pile);
    expect((await effects())['timeBill.update'] ?? 0).toBe(0);
    await page.context().close();
  });

  it('a viewer sees the exceptions and their detail, with no way to act on them', async () => {
    const page = await signIn('Noah Kim');
    await openPage(page, 'Exceptions');
    await page.getByLabel('Status').selectOption('resolved');
    await page.getByText(/\d+ matching/).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('button', { name: /^Apply to/ }).count()).toBe(0);
    await page.locator('table tbody button.link').first().click();
    await page.locator('#detail-h').waitFor();
    expect(await page.getByRole('button', { name: /^Retry/ }).count()).toBe(0);
    // The SLA is there to read, not to change.
    await page.getByText('SLA per owner queue').click();
    await page.getByRole('rowheader', { name: 'Finance ops' }).waitFor();
    const sla = page.getByRole('form', { name: 'SLA per owner queue' });
    expect(await sla.getByRole('spinbutton').count()).toBe(0);
    expect(await sla.getByRole('cell', { name: '12' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Save the SLA' }).count()).toBe(0);
    expect(
      await page.getByRole('navigation', { name: 'Console' }).getByText('People and roles').count(),
    ).toBe(0);
    expect(await seriousA11yViolations(page), 'exceptions workbench (viewer)').toEqual([]);
    await page.context().close();
  });
});
