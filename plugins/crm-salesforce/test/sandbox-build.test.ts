import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCrmSandbox } from '../sandbox/build';
import { CHROMIUM_ARGS, startPreviewServer } from '../sandbox/preview';
import { PREVIEW_IDS } from '../sandbox/preview-fakes';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let outDir: string;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'handoff-crm-build-'));
  await buildCrmSandbox(outDir);
}, 60_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('buildCrmSandbox', () => {
  it('writes the record page with its bundle and stylesheet', async () => {
    const page = await readFile(join(outDir, 'crm', 'record-page.html'), 'utf8');
    expect(page).toContain('<script src="assets/record-page.js"></script>');
    expect(page).toContain('<link rel="stylesheet" href="assets/slds.css" />');

    const js = await readFile(join(outDir, 'crm', 'assets', 'record-page.js'), 'utf8');
    // The stand-in Apex client, not a platform import, and nothing left for a module loader.
    expect(js).toContain('/apex/');
    expect(js).not.toMatch(/@salesforce\/apex|import\.meta|\bimport\(/);
    expect(js).toContain('Handoff activation');
  });

  it('stays small: no whole icon libraries, only the SLDS rules in use', async () => {
    const js = (await stat(join(outDir, 'crm', 'assets', 'record-page.js'))).size;
    const css = (await stat(join(outDir, 'crm', 'assets', 'slds.css'))).size;
    expect(js).toBeLessThan(500_000);
    expect(css).toBeLessThan(250_000);
    const styles = await readFile(join(outDir, 'crm', 'assets', 'slds.css'), 'utf8');
    expect(styles).toContain('.slds-progress_vertical');
    expect(styles).toContain('.slds-card');
    expect(styles).not.toContain('.slds-datepicker');
  });
});

describe('the record page in a browser', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    ({ server, url } = await startPreviewServer(outDir, 0, 100));
  });

  afterAll(() => {
    server?.close();
  });

  it('shows the record, starts an activation from the quick action and follows it to Active', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const errors: string[] = [];
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.on('pageerror', (e) => errors.push(e.message));
      // Salesforce takes its time to answer the start: the user closes the action before it does.
      await page.route('**/apex/HandoffActivationController/activate', async (route) => {
        await new Promise((r) => setTimeout(r, 1000));
        await route.continue();
      });
      await page.goto(`${url}/crm/record-page.html?recordId=${PREVIEW_IDS.fresh}`);
      await page.getByText('Acme Logistics – Cloud migration').first().waitFor();
      await page.getByText('Not activated yet').waitFor();

      // Keyboard: the highlights panel button opens the action, Close (by keyboard) closes it.
      await page.getByRole('button', { name: 'Activate project' }).first().focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Activate project' });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Close' }).focus();
      await page.keyboard.press('Enter');
      await dialog.getByRole('button', { name: 'Closing…' }).waitFor();
      await dialog.waitFor({ state: 'detached' });

      // The action closed once the start was answered; the card picked the activation up and polls it to the end.
      await page.getByText('Active: all 10 steps done.').waitFor({ timeout: 15_000 });
      await page.getByRole('link', { name: 'PSA project (opens in a new tab)' }).waitFor();
      expect(await page.getByRole('status').filter({ hasText: 'Active: all 10 steps done.' }).count()).toBe(
        1,
      );

      await page.goto(`${url}/crm/record-page.html?recordId=${PREVIEW_IDS.needsFixes}`);
      const link = page.getByRole('link', { name: 'Open Account to fix Tax Number' });
      await link.waitFor();
      expect(await link.getAttribute('href')).toContain('?recordId=001000000000001AAA');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 30_000);
});
