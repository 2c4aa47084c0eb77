/**
 * `npm run build:plugins`: the browser bundles of the plugins, into dist/plugins.
 *   dist/plugins/sidebar/   the PSA sidebar (index.html, app.js, host.js): serve it from your Handoff origin
 *   dist/plugins/crm/       the LWC on a stand-in record page (the sandbox's; Salesforce builds its own)
 */
import path from 'node:path';
import { buildCrmSandbox } from '../plugins/crm-salesforce/sandbox/build';
import { buildSidebar } from '../plugins/psa-sidebar/build';

const out = path.resolve(import.meta.dirname, '..', 'dist', 'plugins');
const sidebar = await buildSidebar(out);
await buildCrmSandbox(out);
console.log(`Built into ${out}: sidebar ${(sidebar.gzipBytes / 1024).toFixed(1)} KB gzipped.`);
