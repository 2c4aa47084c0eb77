import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pluginHeaders } from '../../plugins/frame-ancestors';
import { buildTeamsTab } from '../../plugins/teams/tab/build';

const section = (file: string, path: string) => file.split('\n\n').find((b) => b.startsWith(path)) ?? '';

describe("plugin pages' headers", () => {
  it('lets only Kantata frame the sidebar and only Teams and Microsoft 365 frame the tab', () => {
    const file = pluginHeaders();
    expect(section(file, '/sidebar/*')).toContain(
      'frame-ancestors https://*.mavenlink.com https://*.kantata.com\n',
    );
    const teams = section(file, '/teams/*');
    for (const host of ['https://*.cloud.microsoft', 'https://teams.microsoft.com', 'https://*.office.com'])
      expect(teams).toContain(host);
    expect(teams).not.toContain('kantata');
    expect(file).not.toMatch(/127\.0\.0\.1|localhost|http:| \*(\s|$)|'self'/);
  });

  it("adds a firm's own PSA origin to the sidebar, and refuses anything that is not an https origin", () => {
    expect(section(pluginHeaders(['https://psa.acme.example']), '/sidebar/*')).toContain(
      'https://psa.acme.example',
    );
    for (const bad of [
      'http://psa.acme.example',
      'https://*',
      '*',
      'https://psa.acme.example/path',
      "'self'",
    ])
      expect(() => pluginHeaders([bad])).toThrow(/not an https origin/);
  });

  it('builds the Teams tab with a policy: own scripts, hashed style, no loopback', async () => {
    const out = await mkdtemp(join(tmpdir(), 'handoff-tab-csp-'));
    try {
      await buildTeamsTab(out, { apiBase: 'https://api.handoff.example' });
      const html = await readFile(join(out, 'teams', 'tab.html'), 'utf8');
      const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
      expect(csp).toContain("connect-src 'self' https://res.cdn.office.net https://api.handoff.example");
      expect(csp).not.toMatch(/unsafe|127\.0\.0\.1|localhost/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
