import { describe, expect, it } from 'vitest';
import {
  type AdaptiveCard,
  cardBytes,
  changeOrderCard,
  exceptionCard,
  formatMoney,
  MAX_CARD_BYTES,
  milestoneAcceptanceCard,
  VERBS,
} from '../cards';
import { changeOrderInput, exceptionInput, milestoneInput } from './fixtures';

/** Every Action.Execute in a card, including those inside Action.ShowCard forms. */
function executes(card: {
  actions?: unknown[];
}): { verb: string; data: unknown; associatedInputs?: string }[] {
  const out: { verb: string; data: unknown; associatedInputs?: string }[] = [];
  for (const a of (card.actions ?? []) as Record<string, unknown>[]) {
    if (a.type === 'Action.Execute') out.push(a as never);
    if (a.type === 'Action.ShowCard') out.push(...executes(a.card as { actions?: unknown[] }));
  }
  return out;
}

const json = (c: AdaptiveCard) => JSON.stringify(c);

describe('formatMoney', () => {
  it('uses the ISO exponent and never a float', () => {
    expect(formatMoney({ amountMinor: 4_500_000, currency: 'USD' })).toBe('USD 45,000.00');
    expect(formatMoney({ amountMinor: 123_456, currency: 'JPY' })).toBe('JPY 123,456');
    expect(formatMoney({ amountMinor: 1_234_567, currency: 'KWD' })).toBe('KWD 1,234.567');
    expect(formatMoney({ amountMinor: -5, currency: 'EUR' })).toBe('EUR -0.05');
    expect(formatMoney({ amountMinor: 9_007_199_254_740_991, currency: 'USD' })).toBe(
      'USD 90,071,992,547,409.91',
    );
    expect(() => formatMoney({ amountMinor: 1, currency: 'XXX' })).toThrow(/Unknown/);
  });
});

describe('milestoneAcceptanceCard', () => {
  it('is an Adaptive Card 1.5 that refreshes for the approver, with Accept and a Reject form that requires a comment', () => {
    const c = milestoneAcceptanceCard(milestoneInput());
    expect(c.version).toBe('1.5');
    expect(c.refresh).toEqual({
      action: {
        type: 'Action.Execute',
        verb: 'refresh',
        data: { kind: 'milestoneAcceptance', approvalId: 'apr_01HX' },
      },
      userIds: ['29:1abcDanaMri'],
    });
    expect(json(c)).toContain('USD 45,000.00');
    expect(json(c)).toContain('SOW §4.2');
    expect(json(c)).toContain('UAT sign-off sheet');
    const ex = executes(c);
    expect(ex.map((e) => e.verb)).toEqual([VERBS.milestoneAccept, VERBS.milestoneReject]);
    expect(ex[0]!.data).toEqual({ kind: 'milestoneAcceptance', approvalId: 'apr_01HX' });
    expect(ex[0]!.associatedInputs).toBe('none');
    expect(ex[1]!.associatedInputs).toBe('auto');
    const form = (c.actions![1] as unknown as { card: { body: Record<string, unknown>[] } }).card.body[0]!;
    expect(form).toMatchObject({ type: 'Input.Text', id: 'comment', isRequired: true });
  });

  it('has no actions for someone who is not the approver, and says who it waits on', () => {
    const c = milestoneAcceptanceCard(milestoneInput({ viewer: 'viewer' }));
    expect(executes(c)).toEqual([]);
    expect(json(c)).toContain('Awaiting acceptance by Dana Whitfield');
  });

  it('shows the decision and the invoice number, without actions, once decided', () => {
    const c = milestoneAcceptanceCard(
      milestoneInput({
        decision: {
          outcome: 'accepted',
          by: 'Dana Whitfield',
          at: '2026-03-30T10:00:00Z',
          invoiceNumber: 'INV-1042',
        },
      }),
    );
    expect(executes(c)).toEqual([]);
    expect(json(c)).toContain('Accepted by Dana Whitfield on {{DATE(2026-03-30T10:00:00Z, SHORT)}}');
    expect(json(c)).toContain('Invoice INV-1042');
  });
});

describe('changeOrderCard', () => {
  it('shows before and after for scope, rates, budget, milestones, billing and the superseded time', () => {
    const c = changeOrderCard(changeOrderInput());
    const s = json(c);
    expect(s).toContain('Change order A-3');
    expect(s).toContain('Senior consultant: USD 180.00 / h → USD 195.00 / h');
    expect(s).toContain('Data engineer: new at USD 160.00 / h');
    expect(s).toContain('+USD 22,500.00');
    expect(s).toContain('Added: Inventory go-live, USD 22,500.00 on Jun 30, 2026');
    expect(s).toContain(
      'Changed: Phase 2 go-live, USD 30,000.00 on May 15, 2026 → USD 30,000.00 on May 29, 2026',
    );
    expect(s).toContain('14 entries, 37.5 h, USD 6,750.00 logged since Apr 1, 2026');
    expect(s).toContain('Marco Brandt');
    expect(executes(c).map((e) => e.verb)).toEqual([VERBS.changeOrderApprove, VERBS.changeOrderReject]);
  });

  it('decided: no actions', () => {
    const c = changeOrderCard(
      changeOrderInput({
        decision: { outcome: 'approved', by: 'Dana Whitfield', at: '2026-03-31T08:00:00Z' },
      }),
    );
    expect(executes(c)).toEqual([]);
    expect(json(c)).toContain('Approved by Dana Whitfield');
  });
});

describe('exceptionCard', () => {
  it('offers Retry, Skip with a required reason, and Reassign to a listed person', () => {
    const c = exceptionCard(exceptionInput());
    const s = json(c);
    expect(s).toContain('Customer must have a billing address');
    expect(s).toContain('"value":"2 d"');
    expect(s).toContain('Add a billing address');
    expect(executes(c).map((e) => e.verb)).toEqual([
      VERBS.exceptionRetry,
      VERBS.exceptionSkip,
      VERBS.exceptionReassign,
    ]);
    expect(s).toContain('"type":"Input.ChoiceSet"');
    expect(s).toContain('"value":"29:1abcLeeMri"');
  });

  it('resolved: no actions', () => {
    const c = exceptionCard(
      exceptionInput({
        resolution: { outcome: 'skipped', by: 'Lee Okafor', at: '2026-03-30T13:00:00Z', note: 'Duplicate' },
      }),
    );
    expect(executes(c)).toEqual([]);
    expect(json(c)).toContain('Skipped by Lee Okafor');
  });
});

describe('card size', () => {
  it('stays under 28 KB even for oversized inputs', () => {
    const long = 'x'.repeat(20_000);
    const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });
    const many = Array.from({ length: 500 }, (_, i) => `Deliverable ${i} ${'y'.repeat(300)}`);
    const cards = [
      milestoneAcceptanceCard(
        milestoneInput({
          contractClause: long,
          evidence: { completedAt: '2026-03-28T16:30:00Z', deliverables: many },
        }),
      ),
      changeOrderCard(
        changeOrderInput({
          scope: { before: long, after: long },
          rates: Array.from({ length: 300 }, (_, i) => ({
            role: `Role ${i} ${'r'.repeat(300)}`,
            before: usd(i),
            after: usd(i + 1),
          })),
          milestones: Array.from({ length: 300 }, (_, i) => ({
            name: `M${i}`,
            kind: 'added' as const,
            after: { amount: usd(i) },
          })),
          billingSchedule: {
            before: Array.from({ length: 300 }, (_, i) => ({
              label: `L${i} ${'b'.repeat(200)}`,
              amount: usd(i),
            })),
            after: Array.from({ length: 300 }, (_, i) => ({ label: `L${i}`, amount: usd(i) })),
          },
        }),
      ),
      exceptionCard(
        exceptionInput({
          reason: long,
          suggestedFix: long,
          assignees: Array.from({ length: 1000 }, (_, i) => ({
            name: `Person ${i} ${'p'.repeat(100)}`,
            id: `29:${i}`,
          })),
        }),
      ),
    ];
    for (const [i, c] of cards.entries()) expect(cardBytes(c), `card ${i}`).toBeLessThan(MAX_CARD_BYTES);
    // And the everyday cards are far below it.
    expect(cardBytes(changeOrderCard(changeOrderInput()))).toBeLessThan(12_000);
  });
});
