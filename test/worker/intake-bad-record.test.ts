/**
 * One bad record never blocks the rest: a PSA page with one expense in a shape Handoff cannot read still
 * brings in every other entry of the project (time included); the bad one becomes one exception naming the
 * record and the field, and stays one exception however often the project is polled.
 */
import { describe, expect, it } from 'vitest';
import {
  approveExpenseReport,
  findUserByEmail,
  logApprovedTime,
  logExpense,
  staffPerson,
  submitExpenseReport,
} from '../emulators/kantata/demo-actions';
import { kantataActor } from '../support/delivery-demo';
import {
  activate,
  fastWorkflows,
  injectFaults,
  newTenant,
  psaProjectIdOf,
  readinessOf,
  syncNow,
  waitForActivation,
  waitForReadiness,
} from './harness';

const GLOBEX = '006000000000002AAA';

describe('one bad record never blocks the rest', () => {
  it('takes the rest of the page and opens one exception for the unreadable expense, with its field', async () => {
    await using _wf = await fastWorkflows();
    const t = await newTenant();
    await activate(t, GLOBEX);
    const ws = psaProjectIdOf(await waitForActivation(t, GLOBEX));
    const actor = kantataActor(t.instances.kantata.baseUrl, t.emulatorSecrets.kantataToken);
    const dev = (await findUserByEmail(actor, 'dev.patel@lumenpartners.example'))!;
    await staffPerson(actor, ws, dev, 'Analyst');
    await logApprovedTime(actor, [
      { workspaceId: ws, userId: dev, date: '2026-11-17', minutes: 120 },
      { workspaceId: ws, userId: dev, date: '2026-11-18', minutes: 90 },
    ]);
    const expense = (amountInCents: number) =>
      logExpense(actor, {
        workspaceId: ws,
        userId: dev,
        date: '2026-11-18',
        category: 'Meals',
        amountInCents,
      });
    const [fine, bad] = [await expense(4_500), await expense(6_000)];
    await approveExpenseReport(actor, await submitExpenseReport(actor, [fine!, bad!], dev));
    await injectFaults(t, 'kantata', [
      { kind: 'malform', path: '^/api/v1/expenses', set: { [`expenses.${bad}.amount_in_cents`]: null } },
    ]);

    await syncNow(t);
    const r = await waitForReadiness(
      t,
      ws,
      (x) => x.counts.timeEntries === 2 && x.counts.expenses === 1 && x.exceptions.length > 0,
    );
    const unreadable = r.exceptions.filter((e) => e.rule === 'PSA_RECORD_UNREADABLE');
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]).toMatchObject({ owner: 'delivery-ops', subject: expect.stringContaining(bad!) });
    expect(unreadable[0]!.reason).toContain('expenses.amount_in_cents');
    expect(unreadable[0]!.suggestedFix).toMatch(/Correct the expense in the PSA/);

    // Polled again (the record still unreadable): still one exception, and nothing else changes.
    await syncNow(t);
    await new Promise((res) => setTimeout(res, 1000));
    const again = await readinessOf(t, ws);
    expect(again.exceptions.filter((e) => e.rule === 'PSA_RECORD_UNREADABLE')).toHaveLength(1);
    expect(again.counts).toMatchObject({ timeEntries: 2, expenses: 1 });
  });
});
