import type { Contract } from '../../shared/model/contract';
import { money } from '../../shared/model/money';
import type { DealSnapshot } from '../../worker/connectors/ports';

/** A complete, signed fixed-fee contract; tests change one thing at a time. */
export function fixedFeeContract(overrides: Partial<Contract> = {}): Contract {
  return {
    crmOpportunityId: '006000000000001AAA',
    number: 'SOW-1001',
    name: 'EHR rollout',
    status: 'signed',
    effectiveDate: '2026-01-05',
    endDate: '2026-12-18',
    currency: 'USD',
    totalValue: money(15_000_000, 'USD'),
    customer: {
      crmAccountId: '001000000000001AAA',
      name: 'Northwind Health',
      legalEntity: { name: 'Northwind Health, Inc.', billingSubsidiary: 'Lumen Partners US LLC' },
      billingAddress: {
        line1: '500 Harbor Blvd',
        city: 'San Diego',
        region: 'CA',
        postalCode: '92101',
        country: 'US',
      },
      taxRegistration: { scheme: 'EIN', number: '94-1234567', region: 'CA' },
      currency: 'USD',
    },
    lines: [],
    billingModel: {
      type: 'fixed_fee',
      milestones: [
        {
          key: 'a01-1',
          name: 'Discovery',
          amount: money(3_000_000, 'USD'),
          dueDate: '2026-03-01',
          clause: 'SOW §4.1',
          deliverables: ['Current-state assessment'],
        },
        {
          key: 'a01-2',
          name: 'Build',
          amount: money(8_000_000, 'USD'),
          dueDate: '2026-08-01',
          clause: 'SOW §4.2',
          deliverables: [],
        },
        {
          key: 'a01-3',
          name: 'Go-live',
          amount: money(4_000_000, 'USD'),
          dueDate: '2026-12-01',
          clause: 'SOW §4.3',
          deliverables: [],
        },
      ],
    },
    expensePolicy: { billable: true, travelNotToExceed: money(1_200_000, 'USD') },
    projectTemplate: 'fixed-fee-delivery',
    team: [],
    ...overrides,
  };
}

export function snapshotOf(contract: unknown): DealSnapshot {
  return {
    contract,
    accountId: '001000000000001AAA',
    opportunityId: '006000000000001AAA',
    sources: {
      'customer.taxRegistration.number': {
        field: 'Account.Handoff_Tax_Number__c',
        label: 'Tax number on account Northwind Health',
        recordId: '001000000000001AAA',
      },
      totalValue: {
        field: 'Opportunity.Amount',
        label: 'Amount on opportunity EHR rollout',
        recordId: '006000000000001AAA',
      },
    },
  };
}
