/**
 * Every field of the admin, exception, approval and sidebar operations is checked before anything is
 * looked up or stored: impossible dates, blank names and reasons, unbounded text are 400 with the field.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConnectedTenant } from '../support/connect-tenant';
import { adminCall, type Json, newTenant, workerFetch } from './harness';

let t: ConnectedTenant;
beforeAll(async () => {
  t = await newTenant();
}, 60_000);

async function expectRefused(res: Response, field: string) {
  const body = (await res.json()) as Json;
  expect(res.status, JSON.stringify(body)).toBe(400);
  expect(body.error.code).toBe('BAD_REQUEST');
  expect(body.error.details.map((d: { field: string }) => d.field)).toContain(field);
}

const actor = 'emma.lindqvist@handoff-consulting.example';

describe('edge validation of the remaining operations', () => {
  it('exception edit-and-retry: real dates, non-blank roles and actors, bounded minutes', async () => {
    const cases: [unknown, string][] = [
      [{ actor, changes: { date: '2026-02-30' } }, 'changes.date'],
      [{ actor, changes: { date: '2026-11-31' } }, 'changes.date'],
      [{ actor, changes: { role: '   ' } }, 'changes.role'],
      [{ actor, changes: { minutes: 24 * 60 + 1 } }, 'changes.minutes'],
      [{ actor, changes: { minutes: -30 } }, 'changes.minutes'],
      [{ actor: '  ', changes: { billable: false } }, 'actor'],
    ];
    for (const [body, field] of cases)
      await expectRefused(
        await adminCall(t, 'POST', '/v1/exceptions/exc_nothing/edit-and-retry', body),
        field,
      );
  });

  it('exception skip and retry: a reason of five real characters, a non-blank actor', async () => {
    await expectRefused(
      await adminCall(t, 'POST', '/v1/exceptions/exc_nothing/skip', { actor, reason: '     x     ' }),
      'reason',
    );
    await expectRefused(
      await adminCall(t, 'POST', '/v1/exceptions/exc_nothing/retry', { actor: '\t' }),
      'actor',
    );
  });

  it('approval decision: a non-blank decider, a bounded comment', async () => {
    await expectRefused(
      await adminCall(t, 'POST', '/v1/approvals/apr_nothing/decision', {
        decision: 'accept',
        decidedBy: '  ',
      }),
      'decidedBy',
    );
    await expectRefused(
      await adminCall(t, 'POST', '/v1/approvals/apr_nothing/decision', {
        decision: 'accept',
        decidedBy: actor,
        comment: 'x'.repeat(2001),
      }),
      'comment',
    );
  });

  it('embed tokens: a non-blank project and user', async () => {
    const mint = (body: unknown) =>
      workerFetch('http://handoff/v1/embed-tokens', {
        method: 'POST',
        headers: { authorization: `Bearer ${t.keys.psa}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await expectRefused(await mint({ psaProjectId: '  ', user: 'priya' }), 'psaProjectId');
    await expectRefused(await mint({ psaProjectId: '2041877', user: ' ' }), 'user');
  });

  it('connections: a bounded system name', async () => {
    await expectRefused(
      await adminCall(t, 'PUT', '/v1/admin/connections/erp', { system: 'n'.repeat(41), config: {} }),
      'system',
    );
  });
});
