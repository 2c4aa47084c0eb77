import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import {
  APP_PACKAGE_DIR,
  appIdForHost,
  buildAppPackage,
  buildManifest,
  fillTemplate,
} from '../scripts/package';
import { readPngHeader } from '../scripts/png';
import { AppManifestUtils } from './support/app-manifest';

interface Manifest {
  id: string;
  bots: { botId: string }[];
  webApplicationInfo: unknown;
  staticTabs: { name: string; scopes: string[] }[];
  validDomains: string[];
}

const VALUES = { host: 'handoff.example.com', botAppId: '0f6c9a52-3b1d-4e8a-9c7e-2d5b8f1a4c30' };

/** Every string value in the manifest that looks like a URL, with its JSON path. */
function urls(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? [[path, value]] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => urls(v, `${path}[${i}]`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => (k === '$schema' ? [] : urls(v, `${path}.${k}`)));
  return [];
}

describe('Teams app manifest', () => {
  it('validates against the bundled v1.19 schema once the placeholders are filled (offline)', async () => {
    const manifest = await buildManifest(VALUES);
    expect(manifest.manifestVersion).toBe('1.19');
    // The $schema URL maps to the copy inside @microsoft/app-manifest, so no network is needed.
    const errors = await AppManifestUtils.validateAgainstSchema(manifest as never);
    expect(errors).toEqual([]);
  });

  it('the schema does catch a broken manifest (the check above can fail)', async () => {
    const manifest = {
      ...(await buildManifest(VALUES)),
      accentColor: 'blue',
      bots: [{ botId: 'not-a-guid', scopes: [] }],
    };
    const errors = await AppManifestUtils.validateAgainstSchema(manifest as never);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('has the bot, SSO, the two personal tabs, and only the Handoff host as a valid domain', async () => {
    const m = (await buildManifest(VALUES)) as unknown as Manifest;
    expect(m.bots).toEqual([expect.objectContaining({ botId: VALUES.botAppId })]);
    expect(m.webApplicationInfo).toEqual({
      id: VALUES.botAppId,
      resource: `api://handoff.example.com/${VALUES.botAppId}`,
    });
    expect(m.staticTabs.map((t) => [t.name, t.scopes])).toEqual([
      ['My approvals', ['personal']],
      ['Exceptions', ['personal']],
    ]);
    expect(m.validDomains).toEqual(['handoff.example.com']);
    expect(m.validDomains.some((d) => d.includes('*'))).toBe(false);
    expect(m.id).toBe(appIdForHost('handoff.example.com'));
  });

  it('every URL is https on the valid domain', async () => {
    const m = (await buildManifest(VALUES)) as unknown as Manifest;
    const found = urls(m).filter(([path]) => path !== '.webApplicationInfo.resource');
    expect(found.length).toBeGreaterThanOrEqual(7);
    for (const [path, u] of found) {
      const url = new URL(u);
      expect(url.protocol, path).toBe('https:');
      expect(m.validDomains, path).toContain(url.host);
    }
  });

  it('the template itself has no wildcard domain and no URL outside the placeholder host', async () => {
    const template = await readFile(join(APP_PACKAGE_DIR, 'manifest.json'), 'utf8');
    expect(template).not.toMatch(/\*\./);
    expect(JSON.parse(template).validDomains).toEqual(['{{HANDOFF_HOST}}']);
  });

  it('refuses a host with a scheme or a wildcard, a bot id that is not a GUID, and unfilled placeholders', async () => {
    await expect(buildManifest({ ...VALUES, host: 'https://handoff.example.com' })).rejects.toThrow(
      /HANDOFF_HOST/,
    );
    await expect(buildManifest({ ...VALUES, host: '*.example.com' })).rejects.toThrow(/HANDOFF_HOST/);
    await expect(buildManifest({ ...VALUES, botAppId: 'my-bot' })).rejects.toThrow(/BOT_APP_ID/);
    expect(() => fillTemplate('{{A}} {{B}}', { A: 'x' })).toThrow(/\{\{B\}\}/);
  });

  it('icons are PNGs of the sizes Teams requires (color 192×192, outline 32×32 with alpha)', async () => {
    const color = readPngHeader(await readFile(join(APP_PACKAGE_DIR, 'color.png')));
    const outline = readPngHeader(await readFile(join(APP_PACKAGE_DIR, 'outline.png')));
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    expect(outline.colorType).toBe(6);
  });

  it('packages a flat zip with the filled manifest and both icons', async () => {
    const zip = await JSZip.loadAsync(await buildAppPackage(VALUES));
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(JSON.stringify(manifest)).not.toContain('{{');
    expect(await AppManifestUtils.validateAgainstSchema(manifest)).toEqual([]);
    const outline = readPngHeader(await zip.file('outline.png')!.async('uint8array'));
    expect(outline.width).toBe(32);
  });
});
