import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/e2e/browser';
import { changeOrderCard, exceptionCard, milestoneAcceptanceCard } from '../cards';
import { buildTeamsPane } from '../pane/build';
import { changeOrderInput, exceptionInput, milestoneInput } from './fixtures';

/** Set TEAMS_SHOTS=/some/dir to keep the screenshots. */
const SHOTS = process.env.TEAMS_SHOTS;
const ORIGIN = 'https://handoff.test';

let outDir: string;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'handoff-teams-pane-'));
  await buildTeamsPane(outDir);
});

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

const DECIDED = milestoneAcceptanceCard(
  milestoneInput({
    decision: {
      outcome: 'accepted',
      by: 'Dana Whitfield',
      at: '2026-03-30T10:00:00Z',
      invoiceNumber: 'INV-1042',
    },
  }),
);

interface Executed {
  activityId: string;
  verb: string;
  data: Record<string, unknown>;
  inputs: Record<string, string>;
}

/** The pane on a stand-in Handoff origin; GET ./cards and POST ./execute answered by the test. */
async function openPane(browser: Browser, cards: { activityId: string; card: unknown }[]) {
  const context = await browser.newContext({
    viewport: { width: 900, height: 1200 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const executed: Executed[] = [];
  await context.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/teams/cards') return route.fulfill({ json: cards });
    if (url.pathname === '/teams/execute') {
      const body = route.request().postDataJSON() as Executed;
      executed.push(body);
      return route.fulfill({ json: { card: body.verb === 'milestone.accept' ? DECIDED : cards[0]!.card } });
    }
    if (url.pathname === '/teams/pane.html' || url.pathname === '/teams/pane.js') {
      const file = await readFile(join(outDir, url.pathname));
      return route.fulfill({
        body: file,
        contentType: url.pathname.endsWith('.js') ? 'text/javascript' : 'text/html',
      });
    }
    return route.fulfill({ status: 404, body: 'not found' });
  });
  await page.goto(`${ORIGIN}/teams/pane.html`);
  await page.locator('.message').first().waitFor();
  return { page, executed, errors, close: () => context.close() };
}

const message = (page: Page, id: string) => page.locator(`.message[data-activity-id="${id}"]`);

describe('the cards rendered by the Adaptive Cards SDK in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('renders every card and variant with its facts and its buttons', async () => {
    const pane = await openPane(browser, [
      { activityId: 'm-approver', card: milestoneAcceptanceCard(milestoneInput()) },
      { activityId: 'm-viewer', card: milestoneAcceptanceCard(milestoneInput({ viewer: 'viewer' })) },
      { activityId: 'm-decided', card: DECIDED },
      { activityId: 'co', card: changeOrderCard(changeOrderInput()) },
      {
        activityId: 'co-decided',
        card: changeOrderCard(
          changeOrderInput({
            decision: {
              outcome: 'rejected',
              by: 'Dana Whitfield',
              at: '2026-03-31T08:00:00Z',
              comment: 'Rates need sign-off',
            },
          }),
        ),
      },
      { activityId: 'exc', card: exceptionCard(exceptionInput()) },
      {
        activityId: 'exc-resolved',
        card: exceptionCard(
          exceptionInput({
            resolution: { outcome: 'retried', by: 'Lee Okafor', at: '2026-03-30T13:00:00Z' },
          }),
        ),
      },
    ]);
    const { page } = pane;
    try {
      const buttons = async (id: string) =>
        (await message(page, id).locator('.ac-actionSet').first().locator('button').allInnerTexts()).map(
          (s) => s.trim(),
        );

      const m = message(page, 'm-approver');
      await expect(m.innerText()).resolves.toContain('Accept milestone: Phase 1 go-live');
      await expect(m.innerText()).resolves.toContain('USD 45,000.00');
      await expect(m.innerText()).resolves.toContain('SOW §4.2');
      await expect(m.innerText()).resolves.toContain('UAT sign-off sheet');
      // DATE()/TIME() are evaluated by the renderer in the viewer's locale (en-US, UTC here).
      await expect(m.innerText()).resolves.toMatch(/Mar 28, 2026 4:30 PM/);
      expect(await buttons('m-approver')).toEqual(['Accept', 'Reject…']);

      await expect(message(page, 'm-viewer').innerText()).resolves.toContain(
        'Awaiting acceptance by Dana Whitfield',
      );
      expect(await message(page, 'm-viewer').locator('button').count()).toBe(0);

      await expect(message(page, 'm-decided').innerText()).resolves.toMatch(
        /Accepted by Dana Whitfield on \w+, Mar 30, 2026 10:00 AM/,
      );
      await expect(message(page, 'm-decided').innerText()).resolves.toContain('Invoice INV-1042');
      expect(await message(page, 'm-decided').locator('button').count()).toBe(0);

      const co = await message(page, 'co').innerText();
      for (const s of [
        'Change order A-3',
        'Finance and procurement modules',
        'Finance, procurement and inventory modules',
        'Senior consultant: USD 180.00 / h → USD 195.00 / h',
        '+USD 22,500.00',
        'Added: Inventory go-live',
        '14 entries, 37.5 h, USD 6,750.00',
      ])
        expect(co).toContain(s);
      expect(await buttons('co')).toEqual(['Approve', 'Reject…']);
      await expect(message(page, 'co-decided').innerText()).resolves.toContain('Rejected by Dana Whitfield');
      expect(await message(page, 'co-decided').locator('button').count()).toBe(0);

      await expect(message(page, 'exc').innerText()).resolves.toContain(
        'Add a billing address to Brandt GmbH',
      );
      expect(await buttons('exc')).toEqual(['Retry', 'Skip…', 'Reassign…']);
      await expect(message(page, 'exc-resolved').innerText()).resolves.toContain('Retried by Lee Okafor');
      expect(await message(page, 'exc-resolved').locator('button').count()).toBe(0);

      if (SHOTS) await page.screenshot({ path: join(SHOTS, 'teams-pane.png'), fullPage: true });
      expect(pane.errors).toEqual([]);
    } finally {
      await pane.close();
    }
  });

  it('Accept fires Action.Execute with the verb and data, and the answer card replaces the message', async () => {
    const pane = await openPane(browser, [
      { activityId: 'act-1', card: milestoneAcceptanceCard(milestoneInput()) },
    ]);
    try {
      const m = message(pane.page, 'act-1');
      await m.getByRole('button', { name: 'Accept', exact: true }).click();
      await m.getByText('Accepted by Dana Whitfield').waitFor();
      expect(pane.executed).toEqual([
        {
          activityId: 'act-1',
          verb: 'milestone.accept',
          data: { kind: 'milestoneAcceptance', approvalId: 'apr_01HX' },
          inputs: {},
        },
      ]);
      expect(await m.locator('button').count()).toBe(0);
      await expect(m.innerText()).resolves.toContain('Invoice INV-1042');
    } finally {
      await pane.close();
    }
  });

  it('Reject needs a comment, then sends it with the reject verb', async () => {
    const pane = await openPane(browser, [
      { activityId: 'act-2', card: milestoneAcceptanceCard(milestoneInput()) },
    ]);
    try {
      const m = message(pane.page, 'act-2');
      await m.getByRole('button', { name: 'Reject…' }).click();
      const confirm = m.getByRole('button', { name: 'Reject milestone' });
      await confirm.click();
      // The required comment is missing: the SDK refuses to execute.
      await pane.page.waitForTimeout(200);
      expect(pane.executed).toEqual([]);
      await m.locator('textarea').fill('The UAT sheet is not signed');
      await confirm.click();
      await expect.poll(() => pane.executed.length).toBe(1);
      expect(pane.executed[0]).toMatchObject({
        verb: 'milestone.reject',
        data: { approvalId: 'apr_01HX' },
        inputs: { comment: 'The UAT sheet is not signed' },
      });
    } finally {
      await pane.close();
    }
  });

  it('Reassign sends the chosen person', async () => {
    const pane = await openPane(browser, [{ activityId: 'act-3', card: exceptionCard(exceptionInput()) }]);
    try {
      const m = message(pane.page, 'act-3');
      await m.getByRole('button', { name: 'Reassign…' }).click();
      await m.locator('select').selectOption('29:1abcLeeMri');
      await m.getByRole('button', { name: 'Reassign', exact: true }).click();
      await expect.poll(() => pane.executed.length).toBe(1);
      expect(pane.executed[0]).toMatchObject({
        verb: 'exception.reassign',
        data: { exceptionId: 'exc_19' },
        inputs: { assignee: '29:1abcLeeMri' },
      });
    } finally {
      await pane.close();
    }
  });
});
