/**
 * `npm start`: the sandbox. Everything runs on this machine; nothing needs an account.
 *   npm start              start (state kept in .sandbox/)
 *   npm start -- --reset   start over with fresh demo data
 */
import path from 'node:path';
import { startSandbox } from './sandbox';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `Handoff needs Node 22 or newer (this is ${process.version}). Run it through npm (npm start), which uses the Node 22 from node_modules.`,
  );
  process.exit(1);
}

const root = path.resolve(import.meta.dirname, '..');
const port = (name: string, fallback: number) => Number(process.env[`HANDOFF_${name}_PORT`] ?? fallback);

console.log('Starting the Handoff sandbox (emulators, worker, plugins)...');
const sandbox = await startSandbox({
  dir: path.join(root, '.sandbox'),
  reset: process.argv.includes('--reset'),
  quiet: !process.argv.includes('--verbose'),
  ports: {
    worker: port('WORKER', 8787),
    web: port('WEB', 8790),
    sidebar: port('SIDEBAR', 8794),
    salesforce: port('SALESFORCE', 8791),
    netsuite: port('NETSUITE', 8792),
    kantata: port('KANTATA', 8793),
  },
  latencyMs: { salesforce: 100, kantata: 150, netsuite: 250 },
});

console.log(`
  Handoff sandbox is running.

  Open  ${sandbox.urls.web}              the story: deals to activate, links to every system
        ${sandbox.urls.web}/crm/record-page.html?recordId=006000000000001AAA   a signed deal in Salesforce
        ${sandbox.urls.worker}/console/      the console: sign in as Ava (admin), Emma (finance ops), Dev (delivery ops) or Noah (viewer)
        ${sandbox.urls.worker}/docs          the API reference

  Emulated systems: Salesforce ${sandbox.urls.salesforce} · NetSuite ${sandbox.urls.netsuite} · Kantata ${sandbox.urls.kantata}
  Stop with Ctrl+C. Start over with: npm start -- --reset
`);

const stop = async () => {
  console.log('\nStopping...');
  await sandbox.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
