// @vitest-environment jsdom
import { h, render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SLA, type SlaPolicy } from '../../../shared/api/exceptions';
import { useCsrf } from '../src/api';
import { SlaPolicyPanel } from '../src/pages/sla';

/** The SLA panel under the workbench, against answers shaped by the API's shared type. */
const sent: { method: string; url: string; headers: Record<string, string>; body?: unknown }[] = [];

function serve(policy: SlaPolicy) {
  globalThis.fetch = (async (input: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    sent.push({ method, url: input, headers: (init?.headers ?? {}) as Record<string, string>, body });
    if (input !== '/v1/console/sla') return new Response('{}', { status: 404 });
    if (method === 'PUT') {
      // Between loading the page and saving, an admin took this person's admin role away.
      if (body.owners['finance-ops'] === 12)
        return Response.json(
          {
            error: {
              code: 'FORBIDDEN',
              message:
                'Your role cannot do this (connections:manage); ask an admin of your firm for a role that can.',
            },
          },
          { status: 403 },
        );
      return Response.json(body);
    }
    return Response.json(policy);
  }) as typeof fetch;
}

async function until(check: () => boolean) {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

const input = (label: string) =>
  document.querySelector<HTMLInputElement>(`input[aria-label="${label}: hours"]`);
/** A person typing: the value, its input event, then the render that follows before their next action. */
const type = async (el: HTMLInputElement, value: string) => {
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  await new Promise((r) => setTimeout(r, 20));
};

afterEach(() => {
  render(null, document.body);
  sent.length = 0;
});

describe('SLA per owner queue', () => {
  it("shows the firm's hours per owner, and an admin saves new ones with the CSRF token", async () => {
    serve(DEFAULT_SLA);
    useCsrf('csrf-sla');
    render(h(SlaPolicyPanel, { canEdit: true }), document.body);
    await until(() => input('Finance ops') !== null);
    expect(input('Finance ops')!.value).toBe('24');
    expect(input('Delivery ops')!.value).toBe('48');
    expect(input('Any other owner')!.value).toBe('48');

    await type(input('Finance ops')!, '8');
    document.querySelector<HTMLFormElement>('form')!.requestSubmit();
    await until(() => document.querySelector('[role="status"]') !== null);
    const put = sent.find((s) => s.method === 'PUT')!;
    expect(put.headers['x-csrf-token']).toBe('csrf-sla');
    expect(put.body).toEqual({ owners: { ...DEFAULT_SLA.owners, 'finance-ops': 8 }, defaultHours: 48 });
    expect(document.querySelector('[role="status"]')!.textContent).toMatch(/follow the new hours/);
  });

  it('shows a refusal in words and keeps what was typed', async () => {
    serve(DEFAULT_SLA);
    render(h(SlaPolicyPanel, { canEdit: true }), document.body);
    await until(() => input('Finance ops') !== null);
    await type(input('Finance ops')!, '12');
    document.querySelector<HTMLFormElement>('form')!.requestSubmit();
    await until(() => document.querySelector('[role="alert"]') !== null);
    expect(document.querySelector('[role="alert"]')!.textContent).toContain('ask an admin of your firm');
    expect(input('Finance ops')!.value).toBe('12');
    expect(document.querySelector('[role="status"]')).toBeNull();
  });

  it('shows the hours without inputs or a save button to a role that cannot change them', async () => {
    serve({ owners: { 'finance-ops': 12 }, defaultHours: 36 });
    render(h(SlaPolicyPanel, { canEdit: false }), document.body);
    await until(() => document.body.textContent?.includes('Finance ops') ?? false);
    expect(document.querySelectorAll('input').length).toBe(0);
    expect(document.querySelector('button')).toBeNull();
    expect(document.body.textContent).toContain('12');
    expect(document.body.textContent).toContain('36');
  });
});
