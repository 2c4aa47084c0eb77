import { describe, expect, it } from 'vitest';
import { money } from '../../shared/model/money';
import { validateContract } from '../../worker/domain/activation/validate-contract';
import { fixedFeeContract, snapshotOf } from '../factories/contract';

describe('contract validation before anything is written', () => {
  it('accepts a complete signed fixed-fee contract', () => {
    const { contract, problems } = validateContract(snapshotOf(fixedFeeContract()));
    expect(problems).toEqual([]);
    expect(contract?.number).toBe('SOW-1001');
  });

  it('names milestones that do not add up, with both amounts', () => {
    const { problems } = validateContract(
      snapshotOf(fixedFeeContract({ totalValue: money(16_000_000, 'USD') })),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]?.field).toBe('billingModel.milestones');
    expect(problems[0]?.message).toContain('$150,000.00');
    expect(problems[0]?.message).toContain('$160,000.00');
  });

  it('refuses amounts in another currency than the contract', () => {
    const c = fixedFeeContract();
    c.expensePolicy.travelNotToExceed = money(500_000, 'EUR');
    const { problems } = validateContract(snapshotOf(c));
    expect(problems.map((p) => p.field)).toEqual(['expensePolicy.travelNotToExceed']);
    expect(problems[0]?.fix).toMatch(/USD/);
  });

  it('lists every missing field at once and says where to fix it in the CRM', () => {
    const c = fixedFeeContract() as unknown as {
      customer: { taxRegistration: { number?: string }; billingAddress: { postalCode?: string } };
    };
    delete c.customer.taxRegistration.number;
    delete c.customer.billingAddress.postalCode;
    const { contract, problems } = validateContract(snapshotOf(c));
    expect(contract).toBeUndefined();
    expect(problems.map((p) => p.field).sort()).toEqual([
      'customer.billingAddress.postalCode',
      'customer.taxRegistration.number',
    ]);
    const tax = problems.find((p) => p.field === 'customer.taxRegistration.number')!;
    expect(tax.message).toBe('Number is missing');
    expect(tax.source?.field).toBe('Account.Handoff_Tax_Number__c');
    expect(tax.fix).toContain('Tax number on account Northwind Health');
  });

  it('requires an EU VAT number with its country prefix for an EU customer', () => {
    const c = fixedFeeContract();
    c.customer.billingAddress.country = 'DE';
    c.customer.taxRegistration = { scheme: 'VAT', number: '123456789' };
    expect(validateContract(snapshotOf(c)).problems.map((p) => p.field)).toEqual([
      'customer.taxRegistration.number',
    ]);
    c.customer.taxRegistration.number = 'DE123456789';
    expect(validateContract(snapshotOf(c)).problems).toEqual([]);
  });

  it('refuses an unsigned contract and a T&M contract without a rate card', () => {
    const c = fixedFeeContract({
      status: 'negotiating',
      billingModel: { type: 'time_and_materials' },
      rateCard: undefined,
    });
    const fields = validateContract(snapshotOf(c)).problems.map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['status', 'rateCard']));
  });

  it('checks a retainer adds up to the contract value', () => {
    const c = fixedFeeContract({
      billingModel: {
        type: 'retainer',
        amountPerPeriod: money(1_000_000, 'USD'),
        period: 'monthly',
        periods: 12,
      },
    });
    expect(validateContract(snapshotOf(c)).problems.map((p) => p.field)).toEqual([
      'billingModel.amountPerPeriod',
    ]);
    c.totalValue = money(12_000_000, 'USD');
    expect(validateContract(snapshotOf(c)).problems).toEqual([]);
  });
});
