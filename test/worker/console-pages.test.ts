import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

/** The console is served by the worker's own origin, under a policy that runs only its own files. */
describe('the console page', () => {
  it('serves the page, its script and its styles under a strict policy', async () => {
    const page = await SELF.fetch('http://handoff/console/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/console/app.js"></script>');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');

    const js = await SELF.fetch('http://handoff/console/app.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await js.text()).length).toBeGreaterThan(1000);
    const css = await SELF.fetch('http://handoff/console/app.css');
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
  });

  it('answers /console/sign-in (where sign-in failures and invitations land) with the same page', async () => {
    const res = await SELF.fetch('http://handoff/console/sign-in?error=not_a_member');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('/console/app.js');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('leaves the API to the worker: an unknown API path is a JSON 404, not the page', async () => {
    const res = await SELF.fetch('http://handoff/v1/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
  });
});
