import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser';
import { startTestSandbox } from './sandbox-fixture';

const NORTHWIND = '006000000000001AAA';
const GLOBEX = '006000000000002AAA';

/**
 * Decisions in Teams, as an approver makes them: the sandbox's Teams pane renders the bot's Adaptive
 * Cards with the adaptivecards renderer; clicking Accept / Approve goes through the emulated Bot
 * Framework (a signed invoke) to the worker, and the invoice or the new rates and cap follow.
 */
describe('approvals in the Teams pane', () => {
  let sandbox: Awaited<ReturnType<typeof startTestSandbox>>;
  let browser: Browser;
  const projects: Record<string, string> = {};

  const api = (path: string, key: string, init: RequestInit = {}) =>
    fetch(`${sandbox.urls.worker}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        ...(init.headers ?? {}),
      },
    });

  async function activateDeal(opportunity: string) {
    await api('/v1/activations', sandbox.tenant.keys.crm, {
      method: 'POST',
      headers: { 'idempotency-key': crypto.randomUUID() },
      body: JSON.stringify({ crmRecordId: opportunity }),
    });
    for (let i = 0; i < 400; i++) {
      const view = (await (
        await api(`/v1/activations?crmRecordId=${opportunity}`, sandbox.tenant.keys.crm)
      ).json()) as { status: string; links: { role: string; kind: string; externalId: string }[] };
      if (view.status === 'active')
        return view.links.find((l) => l.role === 'psa' && l.kind === 'project')!.externalId;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${opportunity} did not activate`);
  }

  const demo = (ws: string, action: string, name?: string) =>
    fetch(`${sandbox.urls.web}/psa/demo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ psaProjectId: ws, action, name }),
    });

  async function waitFor<T>(what: () => Promise<T>, until: (v: T) => boolean, timeoutMs = 90_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await what();
      if (until(v)) return v;
      if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(v).slice(0, 500)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  async function openPane(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    await page.goto(`${sandbox.urls.web}/teams/pane.html`);
    return page;
  }

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    browser = await launchChromium();
    projects.northwind = await activateDeal(NORTHWIND);
    projects.globex = await activateDeal(GLOBEX);
  });

  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
  });

  it('accepting a completed milestone on its card creates the invoice in the ERP', async () => {
    expect((await demo(projects.northwind!, 'complete-milestone', 'Discovery')).status).toBe(200);
    const page = await openPane();
    await waitFor(
      async () => {
        await page.reload();
        return page.getByRole('button', { name: /^accept$/i }).count();
      },
      (n) => n > 0,
    );
    await page
      .getByRole('button', { name: /^accept$/i })
      .first()
      .click();
    await page
      .getByText(/accepted by ava chen/i)
      .first()
      .waitFor({ timeout: 20_000 });
    const netsuite = `${sandbox.tenant.instances.netsuite.baseUrl}/app/center/card.nl`;
    const erp = await waitFor(
      async () => (await fetch(netsuite)).text(),
      (html) => /INV\d+|Invoice/.test(html) && html.includes('custinvc'),
    );
    expect(erp).toMatch(/custinvc/);
    await page.close();
  });

  it('approving a signed change order sends the new rate card to the PSA and the new cap to the ERP', async () => {
    expect((await demo(projects.globex!, 'week')).status).toBe(200);
    expect((await demo(projects.globex!, 'amend')).status).toBe(200);
    const page = await openPane();
    await waitFor(
      async () => {
        await page.reload();
        return page.getByRole('button', { name: /^approve$/i }).count();
      },
      (n) => n > 0,
    );
    await expect(
      page
        .getByText(/USD 165\.00 \/ hour → USD 180\.00/)
        .first()
        .isVisible(),
    ).resolves.toBe(true);
    await expect(
      page
        .getByText(/USD 300,000\.00/)
        .first()
        .isVisible(),
    ).resolves.toBe(true);
    await page
      .getByRole('button', { name: /^approve$/i })
      .first()
      .click();
    await page
      .getByText(/approved by ava chen/i)
      .first()
      .waitFor({ timeout: 20_000 });

    const amendments = await waitFor(
      async () =>
        (
          (await (await api(`/v1/amendments?contractKey=${GLOBEX}`, sandbox.tenant.keys.admin)).json()) as {
            amendments: { state: string }[];
          }
        ).amendments,
      (a) => a[0]?.state === 'applied' || a[0]?.state === 'failed',
    );
    expect(amendments[0]?.state).toBe('applied');
    // The PSA project shows the new cap as its budget; the time at the old rate waits for review.
    const psa = await (
      await fetch(`${sandbox.tenant.instances.kantata.baseUrl}/ui/workspaces/${projects.globex}`)
    ).text();
    expect(psa).toMatch(/300,000/);
    await page.screenshot({ path: `${sandbox.dir}/teams-pane.png`, fullPage: true });
    await page.close();
  });
});
