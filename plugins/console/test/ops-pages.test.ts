// @vitest-environment jsdom
import { h, render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeadLetterPage, DeadLetterView, ReplayResult } from '../../../shared/api/dead-letters';
import type { Health } from '../../../shared/api/health';
import { useCsrf } from '../src/api';
import { DeadLettersPage } from '../src/pages/dead-letters';
import { HealthPage } from '../src/pages/health';
import { parseHash } from '../src/router';

/**
 * The console's Health and Dead letters pages against answers shaped by the API's shared types (the worker
 * suites prove the API gives them): what an operator sees, and what a click sends.
 */

const sent: { method: string; url: string; headers: Record<string, string>; body?: unknown }[] = [];

function serve(answers: Record<string, unknown>) {
  globalThis.fetch = (async (input: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    sent.push({
      method,
      url: input,
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    });
    const key = `${method} ${input.split('?')[0]}`;
    if (!(key in answers)) return new Response('{}', { status: 404 });
    return Response.json(answers[key]);
  }) as typeof fetch;
}

async function until(check: () => boolean) {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

afterEach(() => {
  render(null, document.body);
  sent.length = 0;
});

const quiet = {
  lastFailureAt: null,
  lastFailureReason: null,
  failuresLastHour: 0,
  errorRate: 0,
  consecutiveFailures: 0,
  offlineSince: null,
  offlineReason: null,
  lastCheckedAt: null,
  lastCheckError: null,
};

const health: Health = {
  generatedAt: '2026-11-18T09:30:00.000Z',
  connections: [
    {
      role: 'crm',
      system: 'salesforce',
      state: 'online',
      lastSuccessAt: '2026-11-18T09:29:00.000Z',
      callsLastHour: 4,
      ...quiet,
    },
    {
      role: 'erp',
      system: 'netsuite',
      state: 'offline',
      lastSuccessAt: null,
      callsLastHour: 5,
      ...quiet,
      failuresLastHour: 5,
      errorRate: 1,
      consecutiveFailures: 5,
      lastFailureAt: '2026-11-18T09:04:40.000Z',
      lastFailureReason: 'netsuite unreachable: Network connection lost.',
      offlineSince: '2026-11-18T09:04:40.000Z',
      offlineReason: '5 calls in a row failed within 20 s',
    },
  ],
  erpGovernor: {
    system: 'netsuite',
    limit: 5,
    inFlight: 0,
    waiting: 0,
    pausedUntil: null,
    throttled: 0,
    maxInFlight: 3,
  },
  queues: {
    delivery: { queued: 50, waitingForOutage: 50, oldestQueuedAgeSeconds: 600 },
    activations: { waiting: 0, retrying: 0 },
    amendments: { waiting: 0 },
  },
  deadLetters: { waiting: 2 },
  exceptions: { open: 3, overdue: 1, slaHours: 24 },
  attention: [
    {
      kind: 'connection-offline',
      severity: 'critical',
      title: 'NetSuite (ERP) is offline',
      detail: '50 posting(s) wait for it.',
      action: "Check NetSuite's status page.",
      link: '/health',
    },
    {
      kind: 'dead-letters',
      severity: 'warning',
      title: '2 dead letter(s) waiting',
      detail: 'Messages that exhausted their retries.',
      action: 'Fix the cause, then replay them.',
      link: '/dead-letters',
    },
  ],
};

const letter = (id: string, itemId: string | null): DeadLetterView => ({
  id,
  queue: 'handoff-posting',
  state: 'waiting',
  itemId,
  correlationId: `corr-${id}`,
  attempts: 9,
  times: 1,
  reason: 'NetSuite timebill write failed (500)',
  exceptionId: `exc_${id}`,
  outcome: null,
  firstSeenAt: '2026-11-18T09:12:44.000Z',
  lastSeenAt: '2026-11-18T09:12:44.000Z',
  handledBy: null,
  handledAt: null,
  note: null,
});

describe('Health', () => {
  it('puts what needs a person first, with what to do, then each connection and the backlog', async () => {
    serve({ 'GET /v1/console/health': health });
    render(h(HealthPage, {}), document.body);
    await until(() => document.body.textContent?.includes('NetSuite (ERP) is offline') ?? false);
    const banners = [...document.querySelectorAll('.banner')];
    expect(banners.map((b) => b.className)).toEqual(['banner critical', 'banner warning']);
    expect(banners[0]!.getAttribute('role')).toBe('alert');
    expect(banners[1]!.querySelector('a')?.getAttribute('href')).toBe('#/dead-letters');
    const erp = [...document.querySelectorAll('tbody tr')].find((r) => r.textContent?.startsWith('ERP'))!;
    expect(erp.querySelector('.state')?.textContent).toBe('Offline');
    expect(erp.textContent).toContain('5 calls in a row failed');
    expect(erp.textContent).toContain('100 % of 5 calls');
    expect(document.body.textContent).toContain('50 waiting for the ERP to come back');
    expect(document.querySelector('a.overdue')?.getAttribute('href')).toBe('#/exceptions?overdue=true');
  });
});

describe('Dead letters', () => {
  it('lists the waiting letters with why, and replays the selected ones with the CSRF token', async () => {
    const page: DeadLetterPage = {
      deadLetters: [letter('dl_1', 'time:101'), letter('dl_2', 'time:102')],
      nextCursor: null,
      total: 2,
    };
    const replayed: ReplayResult = { sent: 1, results: [{ id: 'dl_2', outcome: 'sent' }], remaining: 0 };
    serve({ 'GET /v1/dead-letters': page, 'POST /v1/dead-letters/replay': replayed });
    useCsrf('csrf-123');
    render(h(DeadLettersPage, { route: parseHash('#/dead-letters'), canReplay: true }), document.body);
    await until(() => document.body.textContent?.includes('time:102') ?? false);
    expect(sent[0]!.url).toBe('/v1/dead-letters?queue=handoff-posting&limit=50&state=waiting');
    expect(document.body.textContent).toContain('2 letter(s)');
    expect(document.body.textContent).toContain('NetSuite timebill write failed (500)');

    const box = document.querySelector<HTMLInputElement>('input[aria-label="Select time:102"]')!;
    box.click();
    await until(() => document.body.textContent?.includes('Replay 1 selected') ?? false);
    [...document.querySelectorAll('button')]
      .find((b) => b.textContent?.startsWith('Replay 1 selected'))!
      .click();
    await until(() => document.querySelector('[role="status"]') !== null);
    const post = sent.find((s) => s.method === 'POST')!;
    expect(post.url).toBe('/v1/dead-letters/replay');
    expect(post.body).toEqual({ ids: ['dl_2'] });
    expect(post.headers['x-csrf-token']).toBe('csrf-123');
    expect(document.querySelector('[role="status"]')?.textContent).toBe(
      'Replayed: 1 sent to its queue again.',
    );
  });

  it('shows no replay controls to a person whose role cannot replay', async () => {
    serve({
      'GET /v1/dead-letters': { deadLetters: [letter('dl_1', 'time:101')], nextCursor: null, total: 1 },
    });
    render(h(DeadLettersPage, { route: parseHash('#/dead-letters'), canReplay: false }), document.body);
    await until(() => document.body.textContent?.includes('time:101') ?? false);
    expect(document.querySelector('input[type="checkbox"]')).toBeNull();
    expect([...document.querySelectorAll('button')].some((b) => b.textContent?.startsWith('Replay'))).toBe(
      false,
    );
  });
});
