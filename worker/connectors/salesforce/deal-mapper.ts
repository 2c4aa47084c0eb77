import { CURRENCY_EXPONENTS, type CurrencyCode } from '../../../shared/model/currency';
import { fromDecimal, type Money } from '../../../shared/model/money';
import type { DealSnapshot, FieldSource } from '../ports';
import type { DealRows } from './deal-request';
import { ACCOUNT_FIELDS, CONTRACT_FIELDS, MILESTONE_FIELDS, OPPORTUNITY_FIELDS, RATE_FIELDS } from './fields';

/**
 * Salesforce rows → the canonical Contract shape, deliberately without validation: a missing or
 * unusable value stays undefined so the caller's zod validation lists every problem at once, and
 * `sources` says, for each canonical path (zod's issue path joined with dots, e.g.
 * "customer.billingAddress.postalCode" or "billingModel.milestones.1.amount"), which Salesforce field
 * on which record the seller should fix. Values read from Salesforce are treated like user input:
 * wrong types become undefined rather than being trusted.
 */

type Row = Record<string, unknown>;

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v)
    ? v
    : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))
      ? Number(v)
      : undefined;
const date = (v: unknown): string | undefined =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined;
const row = (v: unknown): Row | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Row) : undefined;

/** Salesforce DateTime ("2026-09-30T16:00:00.000+0000") → ISO 8601 with a colon in the offset. */
function dateTime(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const iso = v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  return Number.isNaN(Date.parse(iso)) ? undefined : iso;
}

const isCurrency = (c: string | undefined): c is CurrencyCode =>
  c !== undefined && Object.hasOwn(CURRENCY_EXPONENTS, c);

function moneyOf(v: unknown, currency: string | undefined): Money | undefined {
  const n = typeof v === 'number' || typeof v === 'string' ? v : undefined;
  if (n === undefined || n === '' || !isCurrency(currency)) return undefined;
  try {
    return fromDecimal(n, currency);
  } catch {
    return undefined;
  }
}

function status(stage: string | undefined, contract: Row | undefined): string | undefined {
  if (!stage) return undefined;
  if (stage === 'Closed Lost') return 'terminated';
  const contractStatus = str(contract?.Status);
  if (stage === 'Closed Won') {
    if (!contract || contractStatus === 'Activated') return 'signed';
    if (contractStatus === 'Expired') return 'expired';
    // Won, but its contract is still in Draft or approval.
    return 'negotiating';
  }
  return ['Prospecting', 'Qualification', 'Needs Analysis'].includes(stage) ? 'draft' : 'negotiating';
}

const BILLING_MODELS: Record<string, 'fixed_fee' | 'time_and_materials' | 'retainer'> = {
  'Fixed Fee': 'fixed_fee',
  'Time and Materials': 'time_and_materials',
  Retainer: 'retainer',
};

function splitStreet(street: string | undefined): { line1?: string; line2?: string } {
  const lines = (street ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return { line1: lines[0], line2: lines.length > 1 ? lines.slice(1).join(', ') : undefined };
}

/** The rate record in force for a role: the one that started last. */
function latestPerRole(rates: Row[]): Row[] {
  const byRole = new Map<string, Row>();
  for (const r of rates) {
    const role = str(r.Role__c);
    if (!role) continue;
    const prev = byRole.get(role);
    if (!prev || (date(r.Effective_From__c) ?? '') >= (date(prev.Effective_From__c) ?? ''))
      byRole.set(role, r);
  }
  return [...byRole.values()];
}

export function mapDeal(rows: DealRows): DealSnapshot {
  const opp = rows.opportunity;
  const account = row(opp.Account);
  const contract = row(opp.Contract);
  const oppId = String(opp.Id);
  const oppName = str(opp.Name) ?? oppId;
  const accountId = str(opp.AccountId) ?? str(account?.Id);
  const accountName = str(account?.Name) ?? accountId ?? 'unknown account';
  const contractId = str(opp.ContractId) ?? str(contract?.Id);
  const contractLabel = str(contract?.ContractNumber) ?? contractId ?? '';

  const sources: Record<string, FieldSource> = {};
  const onOpp = (path: string, field: keyof typeof OPPORTUNITY_FIELDS) => {
    sources[path] = {
      field: `Opportunity.${field}`,
      label: `${OPPORTUNITY_FIELDS[field]} on opportunity ${oppName}`,
      recordId: oppId,
    };
  };
  const onAccount = (path: string, field: keyof typeof ACCOUNT_FIELDS) => {
    sources[path] = accountId
      ? {
          field: `Account.${field}`,
          label: `${ACCOUNT_FIELDS[field]} on account ${accountName}`,
          recordId: accountId,
        }
      : { field: 'Opportunity.AccountId', label: `Account on opportunity ${oppName}`, recordId: oppId };
  };
  const onContract = (path: string, field: keyof typeof CONTRACT_FIELDS) => {
    if (contractId)
      sources[path] = {
        field: `Contract.${field}`,
        label: `${CONTRACT_FIELDS[field]} on contract ${contractLabel}`,
        recordId: contractId,
      };
  };

  const currency = str(opp.CurrencyIsoCode) ?? str(account?.CurrencyIsoCode);
  const customerCurrency = str(account?.CurrencyIsoCode) ?? currency;
  const model = BILLING_MODELS[str(opp.Handoff_Billing_Model__c) ?? ''];

  onOpp('crmOpportunityId', 'Id');
  onOpp('number', 'Handoff_SOW_Number__c');
  onOpp('name', 'Name');
  onOpp('status', 'StageName');
  onOpp('currency', 'CurrencyIsoCode');
  onOpp('totalValue', 'Amount');
  onOpp('serviceLine', 'Handoff_Service_Line__c');
  onOpp('projectTemplate', 'Handoff_Project_Template__c');
  onOpp('billingModel', 'Handoff_Billing_Model__c');
  onOpp('billingModel.type', 'Handoff_Billing_Model__c');
  onOpp('expensePolicy.travelNotToExceed', 'Handoff_Travel_Cap__c');
  if (contractId) {
    onContract('crmContractId', 'Id');
    onContract('signedAt', 'ActivatedDate');
  }
  const effectiveDate = date(opp.Handoff_Start_Date__c) ?? date(contract?.StartDate);
  if (!date(opp.Handoff_Start_Date__c) && date(contract?.StartDate)) onContract('effectiveDate', 'StartDate');
  else onOpp('effectiveDate', 'Handoff_Start_Date__c');
  const endDate = date(opp.Handoff_End_Date__c) ?? date(contract?.EndDate);
  if (!date(opp.Handoff_End_Date__c) && date(contract?.EndDate)) onContract('endDate', 'EndDate');
  else onOpp('endDate', 'Handoff_End_Date__c');

  // ---- customer ------------------------------------------------------------------------------
  sources.customer = {
    field: 'Opportunity.AccountId',
    label: `Account on opportunity ${oppName}`,
    recordId: oppId,
  };
  onAccount('customer.crmAccountId', 'Id');
  onAccount('customer.name', 'Name');
  onAccount('customer.legalEntity.name', 'Handoff_Legal_Name__c');
  onAccount('customer.legalEntity.registrationNumber', 'Handoff_Registration_Number__c');
  onAccount('customer.legalEntity.billingSubsidiary', 'Handoff_Billing_Subsidiary__c');
  onAccount('customer.billingAddress', 'BillingStreet');
  onAccount('customer.billingAddress.line1', 'BillingStreet');
  onAccount('customer.billingAddress.line2', 'BillingStreet');
  onAccount('customer.billingAddress.city', 'BillingCity');
  onAccount('customer.billingAddress.region', 'BillingStateCode');
  onAccount('customer.billingAddress.postalCode', 'BillingPostalCode');
  onAccount('customer.billingAddress.country', 'BillingCountryCode');
  onAccount('customer.taxRegistration', 'Handoff_Tax_Number__c');
  onAccount('customer.taxRegistration.scheme', 'Handoff_Tax_Scheme__c');
  onAccount('customer.taxRegistration.number', 'Handoff_Tax_Number__c');
  onAccount('customer.taxRegistration.region', 'Handoff_Tax_Region__c');
  onAccount('customer.currency', 'CurrencyIsoCode');
  onAccount('customer.email', 'Handoff_Billing_Email__c');
  const street = splitStreet(str(account?.BillingStreet));
  const customer = {
    crmAccountId: accountId,
    name: str(account?.Name),
    legalEntity: {
      // Without a separate legal name, the account name is the name the customer contracts under.
      name: str(account?.Handoff_Legal_Name__c) ?? str(account?.Name),
      registrationNumber: str(account?.Handoff_Registration_Number__c),
      billingSubsidiary: str(account?.Handoff_Billing_Subsidiary__c),
    },
    billingAddress: {
      line1: street.line1,
      line2: street.line2,
      city: str(account?.BillingCity),
      region: str(account?.BillingStateCode) ?? str(account?.BillingState),
      postalCode: str(account?.BillingPostalCode),
      country: str(account?.BillingCountryCode),
    },
    taxRegistration: {
      scheme: str(account?.Handoff_Tax_Scheme__c),
      number: str(account?.Handoff_Tax_Number__c),
      region: str(account?.Handoff_Tax_Region__c),
    },
    currency: customerCurrency,
    email: str(account?.Handoff_Billing_Email__c),
  };

  // ---- milestones and rates ------------------------------------------------------------------
  const milestoneSource = (i: number, m: Row, key: string, field: keyof typeof MILESTONE_FIELDS) => {
    const id = String(m.Id);
    sources[`billingModel.milestones.${i}${key ? `.${key}` : ''}`] = {
      field: `Handoff_Milestone__c.${field}`,
      label: `${MILESTONE_FIELDS[field]} on milestone ${str(m.Name) ?? id} of opportunity ${oppName}`,
      recordId: id,
    };
  };
  const milestones = rows.milestones.map((m, i) => {
    milestoneSource(i, m, '', 'Id');
    milestoneSource(i, m, 'key', 'Id');
    milestoneSource(i, m, 'name', 'Name');
    milestoneSource(i, m, 'amount', 'Amount__c');
    milestoneSource(i, m, 'dueDate', 'Due_Date__c');
    milestoneSource(i, m, 'clause', 'Clause__c');
    milestoneSource(i, m, 'deliverables', 'Deliverables__c');
    return {
      key: String(m.Id),
      name: str(m.Name),
      amount: moneyOf(m.Amount__c, currency),
      dueDate: date(m.Due_Date__c),
      clause: str(m.Clause__c),
      deliverables: (str(m.Deliverables__c) ?? '')
        .split(/\r?\n/)
        .map((d) => d.trim())
        .filter(Boolean),
    };
  });
  sources['billingModel.milestones'] = {
    field: 'Handoff_Milestone__c',
    label: `Milestones on opportunity ${oppName}`,
    recordId: oppId,
  };

  const rateSource = (path: string, r: Row, field: keyof typeof RATE_FIELDS) => {
    const id = String(r.Id);
    sources[path] = {
      field: `Handoff_Rate__c.${field}`,
      label: `${RATE_FIELDS[field]} on rate ${str(r.Role__c) ?? str(r.Name) ?? id} of opportunity ${oppName}`,
      recordId: id,
    };
  };
  const rates = rows.rates.map((r, i) => {
    rateSource(`rateCard.rates.${i}`, r, 'Id');
    rateSource(`rateCard.rates.${i}.role`, r, 'Role__c');
    rateSource(`rateCard.rates.${i}.rate`, r, 'Rate__c');
    rateSource(`rateCard.rates.${i}.unit`, r, 'Unit__c');
    rateSource(`rateCard.rates.${i}.effectiveFrom`, r, 'Effective_From__c');
    rateSource(`rateCard.rates.${i}.effectiveTo`, r, 'Effective_To__c');
    return {
      role: str(r.Role__c),
      rate: moneyOf(r.Rate__c, currency),
      unit: str(r.Unit__c) === 'Day' ? ('day' as const) : ('hour' as const),
      effectiveFrom: date(r.Effective_From__c),
      effectiveTo: date(r.Effective_To__c),
    };
  });
  sources.rateCard = {
    field: 'Handoff_Rate__c',
    label: `Rates on opportunity ${oppName}`,
    recordId: oppId,
  };
  sources['rateCard.rates'] = sources.rateCard;
  const current = latestPerRole(rows.rates);
  const team = current.map((r, i) => {
    rateSource(`team.${i}.role`, r, 'Role__c');
    rateSource(`team.${i}.personName`, r, 'Person_Name__c');
    rateSource(`team.${i}.email`, r, 'Person_Email__c');
    rateSource(`team.${i}.plannedHours`, r, 'Planned_Hours__c');
    return {
      role: str(r.Role__c),
      personName: str(r.Person_Name__c),
      email: str(r.Person_Email__c),
      plannedHours: num(r.Planned_Hours__c),
    };
  });

  // ---- billing model and lines ---------------------------------------------------------------
  let billingModel: Record<string, unknown>;
  let lines: Record<string, unknown>[] = [];
  if (model === 'fixed_fee') {
    billingModel = { type: 'fixed_fee', milestones };
    lines = milestones.map((m, i) => {
      sources[`lines.${i}`] = sources[`billingModel.milestones.${i}`]!;
      sources[`lines.${i}.total`] = sources[`billingModel.milestones.${i}.amount`]!;
      sources[`lines.${i}.unitPrice`] = sources[`billingModel.milestones.${i}.amount`]!;
      return {
        key: m.key,
        description: m.name,
        kind: 'service',
        quantity: 1,
        unitPrice: m.amount,
        total: m.amount,
      };
    });
  } else if (model === 'time_and_materials') {
    onOpp('billingModel.notToExceed', 'Handoff_Not_To_Exceed__c');
    billingModel = {
      type: 'time_and_materials',
      notToExceed: moneyOf(opp.Handoff_Not_To_Exceed__c, currency),
    };
    const planned = current.filter((r) => (num(r.Planned_Hours__c) ?? 0) > 0);
    lines = planned.map((r, i) => {
      const rate = moneyOf(r.Rate__c, currency);
      const hours = num(r.Planned_Hours__c)!;
      rateSource(`lines.${i}`, r, 'Planned_Hours__c');
      rateSource(`lines.${i}.unitPrice`, r, 'Rate__c');
      rateSource(`lines.${i}.quantity`, r, 'Planned_Hours__c');
      return {
        key: String(r.Id),
        description: `${str(r.Role__c) ?? 'Role'}: ${hours} ${str(r.Unit__c) === 'Day' ? 'days' : 'hours'} planned`,
        kind: 'service',
        role: str(r.Role__c),
        quantity: hours,
        unitPrice: rate,
        // Hours may be fractional; the line total is rounded to the currency's minor unit.
        total: rate
          ? { amountMinor: Math.round(rate.amountMinor * hours), currency: rate.currency }
          : undefined,
      };
    });
  } else if (model === 'retainer') {
    onOpp('billingModel.amountPerPeriod', 'Handoff_Retainer_Amount__c');
    onOpp('billingModel.period', 'Handoff_Retainer_Period__c');
    onOpp('billingModel.periods', 'Handoff_Retainer_Periods__c');
    const period = str(opp.Handoff_Retainer_Period__c);
    billingModel = {
      type: 'retainer',
      amountPerPeriod: moneyOf(opp.Handoff_Retainer_Amount__c, currency),
      period: period === 'Monthly' ? 'monthly' : period === 'Quarterly' ? 'quarterly' : undefined,
      periods: num(opp.Handoff_Retainer_Periods__c),
    };
  } else {
    billingModel = { type: undefined };
  }

  const contractShape = {
    crmOpportunityId: oppId,
    crmContractId: contractId,
    number: str(opp.Handoff_SOW_Number__c),
    name: str(opp.Name),
    status: status(str(opp.StageName), contract),
    signedAt: dateTime(contract?.ActivatedDate),
    effectiveDate,
    endDate,
    currency,
    totalValue: moneyOf(opp.Amount, currency),
    serviceLine: str(opp.Handoff_Service_Line__c),
    customer,
    lines,
    billingModel,
    rateCard:
      rates.length > 0
        ? { name: `${str(opp.Handoff_SOW_Number__c) ?? oppName} rate card`, currency, rates }
        : undefined,
    expensePolicy: { billable: true, travelNotToExceed: moneyOf(opp.Handoff_Travel_Cap__c, currency) },
    projectTemplate: str(opp.Handoff_Project_Template__c),
    team,
  };

  return { contract: contractShape, sources, accountId: accountId ?? '', opportunityId: oppId, contractId };
}
