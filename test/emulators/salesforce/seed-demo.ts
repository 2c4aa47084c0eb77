import { makeId } from './ids';
import { addUser } from './openid';
import { insertSeedRecord } from './records';
import type { SalesforceInstance } from './state';

/**
 * Seed `demo`: the CRM of Lumen Partners, a consulting firm, with the deals the sandbox walks through.
 * Ids are stable so tests and the sandbox can name them (see DEMO_IDS).
 */

export const DEMO_IDS = {
  user: makeId('005', 1),
  /** Priya Natarajan, a person of the firm who signs in to Handoff's console with Salesforce. */
  consoleUser: makeId('005', 2),
  accounts: {
    northwind: makeId('001', 1),
    globex: makeId('001', 2),
    brandt: makeId('001', 3),
    initech: makeId('001', 4),
  },
  opportunities: {
    northwind: makeId('006', 1),
    globex: makeId('006', 2),
    brandt: makeId('006', 3),
    initech: makeId('006', 4),
    /** Still in negotiation: not signed, nothing to activate. */
    northwindAddOn: makeId('006', 5),
  },
  contracts: { northwind: makeId('800', 1), brandt: makeId('800', 2) },
  milestones: {
    northwindDiscovery: makeId('a01', 1),
    northwindBuild: makeId('a01', 2),
    northwindGoLive: makeId('a01', 3),
    brandtBlueprint: makeId('a01', 4),
    brandtRealisation: makeId('a01', 5),
    brandtCutover: makeId('a01', 6),
    initechDesign: makeId('a01', 7),
    initechBuild: makeId('a01', 8),
  },
} as const;

/** The demo firm's Salesforce person for the console's sign-in (OpenID Connect, the web server flow). */
export const DEMO_CONSOLE_USER = {
  firstName: 'Priya',
  lastName: 'Natarajan',
  email: 'priya.natarajan@lumenpartners.example',
};

export function seedDemo(inst: SalesforceInstance): void {
  const { state } = inst;
  state.orgName = 'Lumen Partners';
  addUser(inst, DEMO_CONSOLE_USER);
  const A = DEMO_IDS.accounts;
  const O = DEMO_IDS.opportunities;
  const K = DEMO_IDS.contracts;

  insertSeedRecord(state, 'Account', 1, {
    Name: 'Northwind Health',
    Type: 'Customer - Direct',
    Industry: 'Healthcare',
    BillingStreet: '500 Harbor Blvd\nSuite 1200',
    BillingCity: 'San Diego',
    BillingState: 'California',
    BillingStateCode: 'CA',
    BillingPostalCode: '92101',
    BillingCountry: 'United States',
    BillingCountryCode: 'US',
    Phone: '+1 619 555 0100',
    Website: 'https://northwindhealth.example',
    CurrencyIsoCode: 'USD',
    Handoff_Legal_Name__c: 'Northwind Health, Inc.',
    Handoff_Registration_Number__c: 'C4012345',
    Handoff_Tax_Scheme__c: 'EIN',
    Handoff_Tax_Number__c: '94-3145678',
    Handoff_Tax_Region__c: 'CA',
    Handoff_Billing_Subsidiary__c: 'Lumen Partners US LLC',
    Handoff_Billing_Email__c: 'ap@northwindhealth.example',
  });
  insertSeedRecord(state, 'Account', 2, {
    Name: 'Globex Manufacturing',
    Type: 'Customer - Direct',
    Industry: 'Manufacturing',
    BillingStreet: '1200 Industrial Pkwy',
    BillingCity: 'Buffalo',
    BillingState: 'New York',
    BillingStateCode: 'NY',
    BillingPostalCode: '14203',
    BillingCountry: 'United States',
    BillingCountryCode: 'US',
    CurrencyIsoCode: 'USD',
    Handoff_Legal_Name__c: 'Globex Manufacturing Corporation',
    Handoff_Tax_Scheme__c: 'EIN',
    Handoff_Tax_Number__c: '16-1234567',
    Handoff_Tax_Region__c: 'NY',
    Handoff_Billing_Subsidiary__c: 'Lumen Partners US LLC',
    Handoff_Billing_Email__c: 'payables@globex.example',
  });
  insertSeedRecord(state, 'Account', 3, {
    Name: 'Brandt Logistik GmbH',
    Type: 'Customer - Direct',
    Industry: 'Transportation',
    BillingStreet: 'Speicherstraße 12',
    BillingCity: 'Hamburg',
    BillingState: 'Hamburg',
    BillingStateCode: 'HH',
    BillingPostalCode: '20457',
    BillingCountry: 'Germany',
    BillingCountryCode: 'DE',
    CurrencyIsoCode: 'EUR',
    Handoff_Legal_Name__c: 'Brandt Logistik GmbH',
    Handoff_Registration_Number__c: 'HRB 123456',
    Handoff_Tax_Scheme__c: 'VAT',
    Handoff_Tax_Number__c: 'DE123456789',
    Handoff_Tax_Region__c: 'DE',
    Handoff_Billing_Subsidiary__c: 'Lumen Partners GmbH',
    Handoff_Billing_Email__c: 'rechnungen@brandt-logistik.example',
  });
  // Initech is incomplete on purpose: no tax number, no billing postal code, no legal name.
  insertSeedRecord(state, 'Account', 4, {
    Name: 'Initech',
    Type: 'Prospect',
    Industry: 'Technology',
    BillingStreet: '4120 Freidrich Ln',
    BillingCity: 'Austin',
    BillingState: 'Texas',
    BillingStateCode: 'TX',
    BillingCountry: 'United States',
    BillingCountryCode: 'US',
    CurrencyIsoCode: 'USD',
    Handoff_Tax_Scheme__c: 'EIN',
    Handoff_Billing_Subsidiary__c: 'Lumen Partners US LLC',
  });

  insertSeedRecord(state, 'Contract', 1, {
    AccountId: A.northwind,
    ContractNumber: '00000101',
    Status: 'Activated',
    StartDate: '2026-10-15',
    ContractTerm: 6,
    CustomerSignedDate: '2026-09-28',
    ActivatedDate: '2026-09-30T16:00:00.000+0000',
    CurrencyIsoCode: 'USD',
    Description: 'Statement of work SOW-1001: EHR rollout',
  });
  insertSeedRecord(state, 'Contract', 2, {
    AccountId: A.brandt,
    ContractNumber: '00000102',
    Status: 'Activated',
    StartDate: '2026-11-01',
    ContractTerm: 9,
    CustomerSignedDate: '2026-10-20',
    ActivatedDate: '2026-10-21T08:30:00.000+0000',
    CurrencyIsoCode: 'EUR',
    Description: 'Leistungsbeschreibung SOW-1003: S/4HANA finance transformation',
  });
  state.counters.ContractNumber = 102;

  insertSeedRecord(state, 'Opportunity', 1, {
    Name: 'Northwind EHR rollout',
    AccountId: A.northwind,
    StageName: 'Closed Won',
    CloseDate: '2026-09-30',
    Amount: 150000,
    Probability: 100,
    ContractId: K.northwind,
    CurrencyIsoCode: 'USD',
    Description: 'Electronic health record rollout across 4 hospitals, fixed fee in three milestones.',
    Handoff_SOW_Number__c: 'SOW-1001',
    Handoff_Billing_Model__c: 'Fixed Fee',
    Handoff_Start_Date__c: '2026-10-15',
    Handoff_End_Date__c: '2027-04-14',
    Handoff_Travel_Cap__c: 12000,
    Handoff_Project_Template__c: 'fixed-fee-delivery',
    Handoff_Service_Line__c: 'Healthcare Technology',
  });
  insertSeedRecord(state, 'Opportunity', 2, {
    Name: 'Globex data platform',
    AccountId: A.globex,
    StageName: 'Closed Won',
    CloseDate: '2026-10-10',
    Amount: 233800,
    Probability: 100,
    CurrencyIsoCode: 'USD',
    Description: 'Cloud data platform build, time and materials with a not-to-exceed.',
    Handoff_SOW_Number__c: 'SOW-1002',
    Handoff_Billing_Model__c: 'Time and Materials',
    Handoff_Start_Date__c: '2026-11-02',
    Handoff_End_Date__c: '2027-06-30',
    Handoff_Not_To_Exceed__c: 250000,
    Handoff_Travel_Cap__c: 18000,
    Handoff_Project_Template__c: 'time-and-materials',
    Handoff_Service_Line__c: 'Data & Analytics',
  });
  insertSeedRecord(state, 'Opportunity', 3, {
    Name: 'Brandt S/4 finance transformation',
    AccountId: A.brandt,
    StageName: 'Closed Won',
    CloseDate: '2026-10-21',
    Amount: 96000,
    Probability: 100,
    ContractId: K.brandt,
    CurrencyIsoCode: 'EUR',
    Handoff_SOW_Number__c: 'SOW-1003',
    Handoff_Billing_Model__c: 'Fixed Fee',
    Handoff_Start_Date__c: '2026-11-01',
    Handoff_End_Date__c: '2027-07-31',
    Handoff_Travel_Cap__c: 8000,
    Handoff_Project_Template__c: 'fixed-fee-delivery',
    Handoff_Service_Line__c: 'Finance Transformation',
  });
  insertSeedRecord(state, 'Opportunity', 4, {
    Name: 'Initech TPS modernisation',
    AccountId: A.initech,
    StageName: 'Closed Won',
    CloseDate: '2026-10-28',
    Amount: 60000,
    Probability: 100,
    CurrencyIsoCode: 'USD',
    Handoff_SOW_Number__c: 'SOW-1004',
    Handoff_Billing_Model__c: 'Fixed Fee',
    Handoff_Start_Date__c: '2026-11-16',
    Handoff_End_Date__c: '2027-02-26',
    Handoff_Service_Line__c: 'Application Modernisation',
  });
  insertSeedRecord(state, 'Opportunity', 5, {
    Name: 'Northwind analytics add-on',
    AccountId: A.northwind,
    StageName: 'Proposal/Price Quote',
    CloseDate: '2026-12-15',
    Amount: 45000,
    Probability: 60,
    CurrencyIsoCode: 'USD',
    Handoff_Billing_Model__c: 'Time and Materials',
  });

  const milestone = (
    n: number,
    opp: string,
    seq: number,
    name: string,
    amount: number,
    due: string,
    clause: string,
    deliverables: string[],
    currency: string,
  ) =>
    insertSeedRecord(state, 'Handoff_Milestone__c', n, {
      Name: name,
      Opportunity__c: opp,
      Amount__c: amount,
      Due_Date__c: due,
      Clause__c: clause,
      Deliverables__c: deliverables.join('\n'),
      Sequence__c: seq,
      CurrencyIsoCode: currency,
    });
  milestone(
    1,
    O.northwind,
    1,
    'Discovery',
    30000,
    '2026-11-30',
    'SOW §4.1',
    ['Current-state assessment', 'Target clinical workflow design'],
    'USD',
  );
  milestone(
    2,
    O.northwind,
    2,
    'Build',
    80000,
    '2027-02-15',
    'SOW §4.2',
    ['Configured EHR build', 'Interface specifications', 'Test scripts'],
    'USD',
  );
  milestone(
    3,
    O.northwind,
    3,
    'Go-live',
    40000,
    '2027-04-01',
    'SOW §4.3',
    ['Go-live cutover', 'Hypercare report'],
    'USD',
  );
  milestone(
    4,
    O.brandt,
    1,
    'Blueprint',
    28800,
    '2026-12-18',
    'SOW §3.1',
    ['Finance process blueprint', 'Fit-gap analysis'],
    'EUR',
  );
  milestone(
    5,
    O.brandt,
    2,
    'Realisation',
    48000,
    '2027-04-30',
    'SOW §3.2',
    ['Configured S/4HANA finance', 'Data migration runbook'],
    'EUR',
  );
  milestone(
    6,
    O.brandt,
    3,
    'Cutover',
    19200,
    '2027-07-15',
    'SOW §3.3',
    ['Cutover plan', 'Go-live sign-off'],
    'EUR',
  );
  // 20,000 + 25,000 is 45,000 against a 60,000 opportunity: the sum check must catch it.
  milestone(7, O.initech, 1, 'Design', 20000, '2026-12-11', 'SOW §2.1', ['Solution design'], 'USD');
  milestone(8, O.initech, 2, 'Build', 25000, '2027-02-19', 'SOW §2.2', ['Modernised TPS reports'], 'USD');

  const rate = (
    n: number,
    role: string,
    value: number,
    from: string,
    to: string | null,
    hours: number | null,
    person?: [string, string],
  ) =>
    insertSeedRecord(state, 'Handoff_Rate__c', n, {
      Name: `${role} ${from}`,
      Opportunity__c: O.globex,
      Role__c: role,
      Rate__c: value,
      Unit__c: 'Hour',
      Effective_From__c: from,
      Effective_To__c: to,
      Planned_Hours__c: hours,
      Person_Name__c: person?.[0] ?? null,
      Person_Email__c: person?.[1] ?? null,
      CurrencyIsoCode: 'USD',
    });
  rate(1, 'Engagement Lead', 275, '2026-01-01', null, 80, [
    'Dana Whitfield',
    'dana.whitfield@lumenpartners.example',
  ]);
  // Superseded rate: the renegotiated card moved Senior Consultant from 195.00 to 210.00 on 1 July.
  rate(2, 'Senior Consultant', 195, '2026-01-01', '2026-06-30', null);
  rate(3, 'Senior Consultant', 210, '2026-07-01', null, 400, [
    'Ravi Menon',
    'ravi.menon@lumenpartners.example',
  ]);
  rate(4, 'Consultant', 165, '2026-01-01', null, 600);
  rate(5, 'Analyst', 120, '2026-01-01', null, 240);
}
