import { allocateMoney, money, toDecimalString } from '../../../shared/model/money';
import type { BillingSchedule } from '../../../shared/model/project';
import { ConnectorError } from '../errors';
import { decimalLiteral } from './decimal-json';
import { SYSTEM } from './vendor-error';

/**
 * NetSuite bills a milestone (and an interval) as a percentage of the project price ("Creating a
 * Milestone Billing Schedule": "enter the percentage of the total project amount"). Amounts become
 * percentages with two decimals that add up to exactly 100 (largest remainder), and the exact amount
 * is kept in the line's comment for the person reading the schedule.
 */
function percentages(schedule: BillingSchedule): string[] {
  const weights = schedule.lines.map((l) => {
    if (l.amount.currency !== schedule.currency || l.amount.amountMinor < 0) {
      throw new ConnectorError({
        system: SYSTEM,
        message: `Billing line ${l.key} must be a non-negative amount in ${schedule.currency}`,
        retryable: false,
        code: 'NETSUITE_SCHEDULE_INVALID',
        field: `schedule.lines.${l.key}.amount`,
      });
    }
    return l.amount.amountMinor;
  });
  if (weights.length === 0 || weights.every((w) => w === 0)) {
    throw new ConnectorError({
      system: SYSTEM,
      message: 'A milestone or interval billing schedule needs at least one line with an amount',
      retryable: false,
      code: 'NETSUITE_SCHEDULE_INVALID',
      field: 'schedule.lines',
    });
  }
  // 10000 hundredths of a percent; the currency only carries the exponent (2) for formatting.
  return allocateMoney(money(10_000, 'USD'), weights).map((share) => toDecimalString(share));
}

function lineComment(l: BillingSchedule['lines'][number]): string {
  return `${l.description} (${l.amount.currency} ${toDecimalString(l.amount)})`;
}

/** Canonical schedule → NetSuite `billingSchedule` body, tied to the project through the `project` field. */
export function billingScheduleBody(input: {
  projectId: string;
  schedule: BillingSchedule;
  name: string;
}): Record<string, unknown> {
  const { schedule } = input;
  const base = { name: input.name, project: { id: input.projectId } };
  if (schedule.type === 'milestone') {
    const pct = percentages(schedule);
    return {
      ...base,
      scheduleType: { id: 'FBM' },
      milestone: {
        items: schedule.lines.map((l, i) => ({
          milestoneAmount: decimalLiteral(pct[i]!),
          milestoneDate: l.date,
          comments: lineComment(l),
        })),
      },
    };
  }
  if (schedule.type === 'fixed_recurring') {
    const pct = percentages(schedule);
    return {
      ...base,
      scheduleType: { id: 'FBI' },
      frequency: { id: 'CUSTOM' },
      recurrence: {
        items: schedule.lines.map((l, i) => ({ recurrenceDate: l.date, amount: decimalLiteral(pct[i]!) })),
      },
    };
  }
  return {
    ...base,
    scheduleType: { id: 'TM' },
    frequency: { id: 'MONTHLY' },
    ...(schedule.frequency === 'quarterly' ? { repeatEvery: { id: '3' } } : {}),
    inArrears: true,
  };
}

/** Sublists the upsert replaces rather than appends to (NetSuite adds lines by default). */
export const BILLING_SCHEDULE_SUBLISTS = ['milestone', 'recurrence'];
