import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser';
import { startTestSandbox } from './sandbox-fixture';

const NORTHWIND = '006000000000001AAA';
const INITECH = '006000000000004AAA';

/**
 * The whole story as a seller lives it: the sandbox (worker under wrangler dev, emulators, the LWC on a
 * stand-in Salesforce record page) in a real Chromium. Click "Activate project", watch the card.
 */
describe('Activate project, clicked in a browser', () => {
  let sandbox: Awaited<ReturnType<typeof startTestSandbox>>;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    dir = sandbox.dir;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
  });

  async function openDeal(id: string): Promise<Page> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${sandbox.urls.web}/crm/record-page.html?recordId=${id}`);
    expect(errors).toEqual([]);
    return page;
  }

  const effects = async (vendor: 'netsuite' | 'kantata') => {
    const res = await fetch(`${sandbox.tenant.control[vendor]}/effects`);
    return ((await res.json()) as { effects: Record<string, number> }).effects;
  };

  it('provisions the project from one click, shows each step and links into PSA and ERP', async () => {
    const page = await openDeal(NORTHWIND);
    const button = page.getByRole('button', { name: /activate project/i }).first();
    await button.click();
    // The card follows the activation to the end.
    await page
      .getByText(/project activated|^active$/i)
      .first()
      .waitFor({ timeout: 90_000 });
    await page.screenshot({ path: path.join(dir, 'northwind-active.png'), fullPage: true });
    const psaLink = page.locator('a[href*="/ui/workspaces/"]').first();
    await psaLink.waitFor();
    const erpLink = page.locator('a[href*="project.nl"]').first();
    await erpLink.waitFor();

    // The links open the emulated PSA and ERP pages with what was created.
    const psaPage = await (
      await fetch(new URL((await psaLink.getAttribute('href'))!, sandbox.urls.web))
    ).text();
    expect(psaPage).toContain('Northwind');
    expect((await effects('kantata'))['workspace.create']).toBe(1);
    expect((await effects('netsuite'))['job.create']).toBe(1);

    // Clicking again changes nothing.
    await page.reload();
    const again = page.getByRole('button', { name: /activate project/i }).first();
    if (await again.isEnabled()) await again.click();
    await page.waitForTimeout(1500);
    expect((await effects('kantata'))['workspace.create']).toBe(1);
    expect((await effects('netsuite'))['customer.create']).toBe(1);
    await page.close();
  });

  it('shows every field a seller must fix on an incomplete deal, and creates nothing', async () => {
    const before = await effects('kantata');
    const page = await openDeal(INITECH);
    await page
      .getByRole('button', { name: /activate project/i })
      .first()
      .click();
    await page.getByText(/tax/i).first().waitFor({ timeout: 60_000 });
    await page
      .getByText(/postal/i)
      .first()
      .waitFor();
    await page.screenshot({ path: path.join(dir, 'initech-needs-fixes.png'), fullPage: true });
    expect(await effects('kantata')).toEqual(before);
    await page.close();
  });
});
