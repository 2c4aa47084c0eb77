import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import JSZip from 'jszip';

/**
 * Builds the Teams app package (manifest.json + color.png + outline.png, zipped flat as Teams expects)
 * from appPackage/, with the placeholders filled:
 *   {{HANDOFF_HOST}}  the Handoff host name, e.g. handoff.example.com (no scheme, no wildcard)
 *   {{BOT_APP_ID}}    the Entra app id of the Azure Bot (also the SSO app: webApplicationInfo.id)
 *   {{TEAMS_APP_ID}}  the Teams app id; by default a stable UUID derived from the host, so re-packaging
 *                     for the same host updates the same app instead of installing a second one
 *   {{APP_VERSION}}   semver, default 1.0.0 (Teams needs a higher one to update an uploaded app)
 *
 * CLI: tsx plugins/teams/scripts/package.ts --host h --bot-app-id id [--app-id id] [--version v] [--out f]
 * (or HANDOFF_HOST, BOT_APP_ID, TEAMS_APP_ID, APP_VERSION in the environment).
 */

export const APP_PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'appPackage');

export interface PackageValues {
  host: string;
  botAppId: string;
  appId?: string;
  version?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A bare DNS name: Teams validDomains must not hold a scheme, and we never want a wildcard here.
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** A UUID (v5 layout) from the host, so one Handoff host always packages the same Teams app id. */
export function appIdForHost(host: string): string {
  const h = createHash('sha1').update(`handoff-teams:${host.toLowerCase()}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export function resolveValues(v: PackageValues): Record<string, string> {
  if (!HOST.test(v.host))
    throw new Error(`HANDOFF_HOST must be a host name like handoff.example.com, got "${v.host}"`);
  if (!GUID.test(v.botAppId))
    throw new Error(`BOT_APP_ID must be the bot's Entra app id (a GUID), got "${v.botAppId}"`);
  const appId = v.appId ?? appIdForHost(v.host);
  if (!GUID.test(appId)) throw new Error(`TEAMS_APP_ID must be a GUID, got "${appId}"`);
  const version = v.version ?? '1.0.0';
  if (!/^\d+\.\d+\.\d+$/.test(version))
    throw new Error(`APP_VERSION must be semver like 1.2.3, got "${version}"`);
  return {
    HANDOFF_HOST: v.host.toLowerCase(),
    BOT_APP_ID: v.botAppId.toLowerCase(),
    TEAMS_APP_ID: appId,
    APP_VERSION: version,
  };
}

/** Replaces every {{NAME}}; a placeholder left unfilled is an error, not a broken package. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  const out = template.replace(/\{\{([A-Z_]+)\}\}/g, (m, name: string) => values[name] ?? m);
  const left = out.match(/\{\{[A-Z_]+\}\}/g);
  if (left) throw new Error(`Unfilled placeholders: ${[...new Set(left)].join(', ')}`);
  return out;
}

export async function buildManifest(v: PackageValues): Promise<Record<string, unknown>> {
  const template = await readFile(join(APP_PACKAGE_DIR, 'manifest.json'), 'utf8');
  return JSON.parse(fillTemplate(template, resolveValues(v)));
}

export async function buildAppPackage(v: PackageValues): Promise<Uint8Array> {
  const manifest = await buildManifest(v);
  const zip = new JSZip();
  // Fixed dates keep the zip byte-for-byte reproducible for the same inputs.
  const date = new Date('2026-01-01T00:00:00Z');
  zip.file('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`, { date });
  for (const icon of ['color.png', 'outline.png'])
    zip.file(icon, await readFile(join(APP_PACKAGE_DIR, icon)), { date });
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      'bot-app-id': { type: 'string' },
      'app-id': { type: 'string' },
      version: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const host = values.host ?? process.env.HANDOFF_HOST;
  const botAppId = values['bot-app-id'] ?? process.env.BOT_APP_ID;
  if (!host || !botAppId) {
    console.error(
      'usage: package.ts --host handoff.example.com --bot-app-id <GUID> [--app-id <GUID>] [--version 1.0.0] [--out handoff-teams.zip]',
    );
    process.exit(2);
  }
  const appId = values['app-id'] ?? process.env.TEAMS_APP_ID;
  const version = values.version ?? process.env.APP_VERSION;
  const zip = await buildAppPackage({
    host,
    botAppId,
    ...(appId ? { appId } : {}),
    ...(version ? { version } : {}),
  });
  const out = values.out ?? 'handoff-teams.zip';
  await writeFile(out, zip);
  console.log(`${out}: ${zip.length} bytes`);
}
