import type { BillingModel, Contract } from '../../../shared/model/contract';
import { type Money, money, sumMoney } from '../../../shared/model/money';
import type { ErpProjectInput } from '../ports';
import type { NetSuiteCustomFields } from './config';
import { moneyNumber } from './decimal-json';

/**
 * Project billing types of the `job` record (select ids): Fixed Bid Milestone, Time and Materials,
 * Fixed Bid Interval (a fixed fee billed at set dates: Handoff's retainer).
 */
export const JOB_BILLING_TYPE: Record<BillingModel['type'], 'FBM' | 'TM' | 'FBI'> = {
  fixed_fee: 'FBM',
  time_and_materials: 'TM',
  retainer: 'FBI',
};

/** The price milestone and interval percentages apply to: the fee itself, not the contract's whole value. */
export function projectPrice(contract: Contract): Money {
  const model = contract.billingModel;
  if (model.type === 'fixed_fee')
    return sumMoney(
      model.milestones.map((m) => m.amount),
      contract.currency,
    );
  if (model.type === 'retainer')
    return money(model.amountPerPeriod.amountMinor * model.periods, model.amountPerPeriod.currency);
  return contract.totalValue;
}

/** ErpProjectInput → NetSuite `job` (project) body; the parent is the customer, links go to custom fields. */
export function projectBody(
  input: ErpProjectInput,
  refs: { currencyId: string },
  fields: NetSuiteCustomFields,
): Record<string, unknown> {
  const c = input.contract;
  const body: Record<string, unknown> = {
    companyName: input.name,
    parent: { id: input.customerId },
    currency: { id: refs.currencyId },
    startDate: c.effectiveDate,
    ...(c.endDate ? { projectedEndDate: c.endDate } : {}),
    jobBillingType: { id: JOB_BILLING_TYPE[c.billingModel.type] },
    jobPrice: moneyNumber(projectPrice(c)),
  };
  if (fields.contractNumber) body[fields.contractNumber] = c.number;
  if (fields.psaProjectId && input.psaProjectId) body[fields.psaProjectId] = input.psaProjectId;
  if (fields.psaProjectUrl && input.psaProjectUrl) body[fields.psaProjectUrl] = input.psaProjectUrl;
  if (fields.notToExceed && c.billingModel.type === 'time_and_materials' && c.billingModel.notToExceed) {
    body[fields.notToExceed] = moneyNumber(c.billingModel.notToExceed);
  }
  return body;
}
