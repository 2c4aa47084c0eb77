import { z } from 'zod';
import { formatMoney } from '../../../shared/model/money';
import type { ContractDiff } from './diff-contracts';

export const ApprovalPolicySchema = z.object({
  /** Changes whose budget or milestone total moves by more than this many minor units need an approver. */
  approveAboveMinor: z.number().int().nonnegative().optional(),
  /** Any rate change needs an approver, whatever its size. */
  alwaysForRates: z.boolean().optional(),
});
export type ApprovalPolicy = z.infer<typeof ApprovalPolicySchema>;

export interface ApprovalDecision {
  required: boolean;
  reason: string;
}

/**
 * Whether a change order waits for an approver on a Teams card. The moved amount is the larger of the
 * budget change and the net billing schedule change (absolute). With no threshold, every money change
 * needs approval: money moves only on a person's say unless the firm chose otherwise.
 */
export function needsApproval(diff: ContractDiff, policy: ApprovalPolicy = {}): ApprovalDecision {
  if (diff.empty) return { required: false, reason: 'The amendment changes nothing' };
  if (policy.alwaysForRates && diff.rates.length > 0) {
    const roles = [...new Set(diff.rates.map((r) => r.role))].join(', ');
    return {
      required: true,
      reason: `Rates change for ${roles}; the policy sends every rate change for approval`,
    };
  }
  const budgetDelta = diff.budget ? Math.abs(diff.budget.delta.amountMinor) : 0;
  const scheduleDelta = Math.abs(
    diff.billingSchedule.reduce(
      (sum, l) => sum + (l.amount.after?.amountMinor ?? 0) - (l.amount.before?.amountMinor ?? 0),
      0,
    ),
  );
  const capBefore = diff.notToExceed?.before?.amountMinor ?? 0;
  const capAfter = diff.notToExceed?.after?.amountMinor ?? 0;
  const capDelta = diff.notToExceed ? Math.abs(capAfter - capBefore) : 0;
  const moved = Math.max(budgetDelta, scheduleDelta, capDelta);
  const currency =
    diff.budget?.after.currency ??
    diff.notToExceed?.after?.currency ??
    diff.billingSchedule[0]?.amount.after?.currency;
  const movedText = currency ? formatMoney({ amountMinor: moved, currency }) : String(moved);
  const removedCap = diff.notToExceed && !diff.notToExceed.after;
  if (removedCap) return { required: true, reason: 'The not-to-exceed cap is removed' };
  if (policy.approveAboveMinor === undefined) {
    if (moved > 0) return { required: true, reason: `The contract value moves by ${movedText}` };
    if (diff.rates.length > 0) return { required: true, reason: 'Rates change' };
    return { required: false, reason: 'No money changes (dates or scope only)' };
  }
  if (moved > policy.approveAboveMinor)
    return {
      required: true,
      reason: `The contract value moves by ${movedText}, above the approval threshold of ${currency ? formatMoney({ amountMinor: policy.approveAboveMinor, currency }) : policy.approveAboveMinor}`,
    };
  return {
    required: false,
    reason:
      moved > 0
        ? `The change of ${movedText} is within the approval threshold`
        : 'No money changes above the threshold',
  };
}
