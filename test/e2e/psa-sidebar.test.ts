import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser';
import { activateDeal, startTestSandbox } from './sandbox-fixture';

const NORTHWIND = '006000000000001AAA';

/**
 * The PSA sidebar as a project manager meets it: inside the emulated Kantata project page (another
 * origin), fed by the real worker through the host adapter, with the team acting in Kantata.
 */
describe('billing readiness in the PSA sidebar', () => {
  let sandbox: Awaited<ReturnType<typeof startTestSandbox>>;
  let browser: Browser;
  let workspace: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    browser = await launchChromium();
    // The seller activates the project (the CRM side has its own browser test).
    workspace = await activateDeal(sandbox, NORTHWIND);
  });

  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
  });

  it('renders inside the PSA page, updates as the team works, and shows an exception with its fix', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${sandbox.urls.web}/psa/projects/${workspace}`);
    const sidebar = page.frameLocator('#sidebar iframe');
    await sidebar.getByText('SOW-1001').first().waitFor({ timeout: 30_000 });
    await expect(sidebar.getByText('$150,000.00').first().isVisible()).resolves.toBe(true);
    await expect(
      sidebar
        .getByText(/Discovery/)
        .first()
        .isVisible(),
    ).resolves.toBe(true);

    await page.getByRole('button', { name: /log and approve a week/i }).click();
    // The hotel bill passes the travel allowance: held, with what to do about it.
    await sidebar
      .getByText(/travel allowance of \$12,000\.00/)
      .first()
      .waitFor({ timeout: 60_000 });
    await expect(
      sidebar
        .getByText(/raise the travel allowance/i)
        .first()
        .isVisible(),
    ).resolves.toBe(true);
    await sidebar.getByText('$7,800.00 of $12,000.00', { exact: false }).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: `${sandbox.dir}/psa-sidebar.png` });

    // Keyboard: the exception's fix can be reached with Tab.
    const frame = page.frames().find((f) => f.url().includes('/sidebar/'))!;
    await frame.focus('body');
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await frame.evaluate(() =>
        (document.activeElement?.textContent ?? '').includes('travel allowance'),
      );
    }
    expect(reached).toBe(true);
    await page.close();
  });

  for (const bad of ['forged', 'expired'] as const) {
    it(`refuses the ${bad} token and shows no data`, async () => {
      const page = await browser.newPage();
      await page.goto(`${sandbox.urls.web}/psa/projects/${workspace}?token=${bad}`);
      const sidebar = page.frameLocator('#sidebar iframe');
      await sidebar
        .getByText(/session expired/i)
        .first()
        .waitFor({ timeout: 30_000 });
      await expect(sidebar.getByText('SOW-1001').count()).resolves.toBe(0);
      await page.close();
    });
  }
});
