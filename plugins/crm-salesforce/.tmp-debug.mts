import { chromium } from 'playwright-core';
import { startPreviewServer, CHROMIUM_ARGS } from './sandbox/preview.ts';
const { server, url } = await startPreviewServer('/tmp/crm-gen/out');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
const page = await browser.newPage();
await page.goto(`${url}/crm/record-page.html?recordId=006000000000001AAA`);
await page.getByText('Not activated yet').waitFor();
console.log(await page.locator('.slds-card__body_inner').evaluate((el) => {
  const cs = getComputedStyle(el);
  return { cls: el.className, pl: cs.paddingLeft, v: cs.getPropertyValue('--slds-c-card-body-spacing-inline-start'), parent: el.parentElement?.outerHTML.slice(0, 400) };
}));
await browser.close(); server.close();
