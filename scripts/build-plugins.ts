/**
 * `npm run build:plugins`: the browser bundles of the plugins, into dist/plugins.
 *   dist/plugins/sidebar/   the PSA sidebar (index.html, app.js, host.js): serve it from your Handoff origin
 *   dist/plugins/crm/       the LWC on a stand-in record page (the sandbox's; Salesforce builds its own)
 *   dist/plugins/teams/     the Teams tab (tab.html) and the sandbox's stand-in chat pane
 *   dist/plugins/_headers   who may frame each page (Kantata for the sidebar, Teams and Microsoft 365 for
 *                           the tab); SIDEBAR_FRAME_ANCESTORS adds a firm's own PSA origins (comma-separated)
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildCrmSandbox } from '../plugins/crm-salesforce/sandbox/build';
import { pluginHeaders } from '../plugins/frame-ancestors';
import { buildSidebar } from '../plugins/psa-sidebar/build';
import { buildTeamsPane } from '../plugins/teams/pane/build';
import { buildTeamsTab } from '../plugins/teams/tab/build';

const out = path.resolve(import.meta.dirname, '..', 'dist', 'plugins');
const sidebar = await buildSidebar(out);
await buildCrmSandbox(out);
// The Teams tab calls the API on the origin that serves it; set HANDOFF_API_BASE to build for another.
await buildTeamsTab(out, process.env.HANDOFF_API_BASE ? { apiBase: process.env.HANDOFF_API_BASE } : {});
await buildTeamsPane(out);
const extra = (process.env.SIDEBAR_FRAME_ANCESTORS ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
await writeFile(path.join(out, '_headers'), pluginHeaders(extra));
console.log(`Built into ${out}: sidebar ${(sidebar.gzipBytes / 1024).toFixed(1)} KB gzipped.`);
