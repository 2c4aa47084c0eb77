/**
 * Builds the CRM sandbox page into a temp dir, serves it with fake endpoints (preview-fakes.ts) and takes
 * screenshots with headless Chromium, so the page can be looked at without Salesforce or the real sandbox.
 *
 *   node scripts/run-ts.mjs plugins/crm-salesforce/sandbox/preview.ts [--out DIR] [--serve] [--port N]
 *
 * --serve keeps the server running (open the printed URL); otherwise it exits after the screenshots.
 */
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { parseArgs } from 'node:util';
import { buildCrmSandbox } from './build';
import { FakeActivations, OUTAGE_ENVELOPE, PREVIEW_IDS, previewRecords } from './preview-fakes';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export function startPreviewServer(
  siteDir: string,
  port = 0,
  stepMs = 1000,
): Promise<{ server: Server; url: string }> {
  const records = previewRecords();
  const activations = new FakeActivations(stepMs);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      const record = /^\/sandbox\/sf\/records\/([A-Za-z0-9]{15,18})$/.exec(url.pathname);
      if (req.method === 'GET' && record) {
        const found = records.get(record[1]!);
        return found ? json(200, found) : json(404, { message: 'No such record' });
      }
      const apex = /^\/apex\/HandoffActivationController\/(activate|getActivation)$/.exec(url.pathname);
      if (req.method === 'POST' && apex) {
        const { recordId } = await readBody(req);
        if (typeof recordId !== 'string') return json(400, { message: 'recordId is required' });
        if (recordId === PREVIEW_IDS.outage) return json(503, OUTAGE_ENVELOPE);
        return apex[1] === 'activate'
          ? json(200, activations.activate(recordId))
          : json(200, activations.get(recordId));
      }
      if (req.method === 'GET' && url.pathname.startsWith('/crm/')) {
        const file = normalize(join(siteDir, url.pathname));
        if (!file.startsWith(siteDir)) return json(403, { message: 'Forbidden' });
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        return res.end(body);
      }
      json(404, { message: 'Not found' });
    } catch (error) {
      json((error as NodeJS.ErrnoException).code === 'ENOENT' ? 404 : 500, { message: String(error) });
    }
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      resolve({ server, url: `http://127.0.0.1:${actualPort}` });
    });
  });
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function screenshots(baseUrl: string, outDir: string): Promise<string[]> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  const shots: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
    page.on('console', (m) => {
      if (m.type() === 'error') console.error(`[browser] ${m.text()}`);
    });
    page.on('pageerror', (e) => console.error(`[browser] ${e.message}`));
    const shoot = async (name: string) => {
      const file = join(outDir, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      shots.push(file);
    };

    await page.goto(`${baseUrl}/crm/record-page.html?recordId=${PREVIEW_IDS.fresh}`);
    await page.getByText('Not activated yet').waitFor();
    await shoot('1-not-activated');
    await page.getByRole('button', { name: 'Activate project' }).first().click();
    await page.getByText('Retrying step 3 of 10').first().waitFor({ timeout: 10_000 });
    await shoot('2-quick-action-retrying');
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByText('Active: all 10 steps done.').waitFor({ timeout: 20_000 });
    await shoot('3-active');

    await page.goto(`${baseUrl}/crm/record-page.html?recordId=${PREVIEW_IDS.needsFixes}`);
    await page.getByText('What to fix (2 fields)').waitFor();
    await shoot('4-needs-fixes');

    await page.goto(`${baseUrl}/crm/record-page.html?recordId=${PREVIEW_IDS.failed}`);
    await page.getByText('Why it stopped').waitFor();
    await shoot('5-failed');

    await page.goto(`${baseUrl}/crm/record-page.html?recordId=${PREVIEW_IDS.outage}`);
    await page.getByText('Could not load the activation').waitFor();
    await shoot('6-backend-down');
  } finally {
    await browser.close();
  }
  return shots;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      serve: { type: 'boolean', default: false },
      port: { type: 'string' },
    },
  });
  const siteDir = await mkdtemp(join(tmpdir(), 'handoff-crm-sandbox-'));
  await buildCrmSandbox(siteDir);
  const { server, url } = await startPreviewServer(siteDir, values.port ? Number(values.port) : 0);
  console.log(`Built into ${siteDir}`);
  console.log(`Serving ${url}/crm/record-page.html?recordId=${PREVIEW_IDS.fresh}`);
  if (values.serve) return;
  try {
    const outDir = values.out ?? join(siteDir, 'screenshots');
    await mkdir(outDir, { recursive: true });
    for (const file of await screenshots(url, outDir)) console.log(`Screenshot ${file}`);
  } finally {
    server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
