import { describe, expect, it } from 'vitest';
import { json, newTenant, workerFetch } from '../harness';

describe('response headers', () => {
  it('authenticated JSON is never cached or sniffed, and cannot be framed', async () => {
    const t = await newTenant();
    for (const res of [
      await workerFetch('http://handoff/v1/exceptions', {
        headers: { authorization: `Bearer ${t.keys.admin}` },
      }),
      await workerFetch('http://handoff/v1/exceptions'), // refused: errors too
    ]) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      await res.body?.cancel();
    }
  });

  it('the API reference allows its own style by nonce and nothing else', async () => {
    const res = await workerFetch('http://handoff/docs');
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-inline|script-src|127\.0\.0\.1|localhost/);
    expect(await res.text()).toContain(`<style nonce="${nonce}">`);
    // A new nonce for every answer.
    const again = (await workerFetch('http://handoff/docs')).headers.get('content-security-policy');
    expect(again).not.toBe(csp);
  });

  it('answers a truncated body with 400 and the field to fix, before authentication costs anything', async () => {
    const res = await workerFetch('http://handoff/v1/activations', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"crmRecordId": "006',
    });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.details[0].field).toBe('(body)');
    expect(body.error.details[0].fix).toMatch(/JSON/);
  });
});
