/**
 * The org's metadata: the objects the emulator knows, with their key prefixes and fields, standard
 * ones as Salesforce names them and the Handoff package's custom ones from
 * plugins/crm-salesforce/DATA-MODEL.md. Everything the API refuses (unknown field, read-only field,
 * bad picklist value, value too long) is decided from this table.
 */

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'url'
  | 'picklist'
  | 'currency'
  | 'double'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'boolean'
  | 'reference';

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  /** Max characters for text types. */
  length?: number;
  /** Not createable/updateable through the API (system, formula, auto-number and roll-up fields). */
  readOnly?: boolean;
  /** Must have a value on create. */
  required?: boolean;
  externalId?: boolean;
  unique?: boolean;
  picklist?: string[];
  /** Reference fields: target object and relationship name used in SOQL (Account, Opportunity__r). */
  referenceTo?: string;
  relationshipName?: string;
}

export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  fields: FieldDef[];
}

const system = (owner: boolean): FieldDef[] => [
  { name: 'Id', label: 'Record ID', type: 'id', readOnly: true },
  { name: 'IsDeleted', label: 'Deleted', type: 'boolean', readOnly: true },
  ...(owner
    ? [
        {
          name: 'OwnerId',
          label: 'Owner ID',
          type: 'reference',
          referenceTo: 'User',
          relationshipName: 'Owner',
        } satisfies FieldDef,
      ]
    : []),
  { name: 'CreatedDate', label: 'Created Date', type: 'datetime', readOnly: true },
  {
    name: 'CreatedById',
    label: 'Created By ID',
    type: 'reference',
    readOnly: true,
    referenceTo: 'User',
    relationshipName: 'CreatedBy',
  },
  { name: 'LastModifiedDate', label: 'Last Modified Date', type: 'datetime', readOnly: true },
  {
    name: 'LastModifiedById',
    label: 'Last Modified By ID',
    type: 'reference',
    readOnly: true,
    referenceTo: 'User',
    relationshipName: 'LastModifiedBy',
  },
  { name: 'SystemModstamp', label: 'System Modstamp', type: 'datetime', readOnly: true },
];

const currencyIsoCode: FieldDef = {
  name: 'CurrencyIsoCode',
  label: 'Currency ISO Code',
  type: 'picklist',
  picklist: ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'CHF', 'JPY', 'SEK', 'DKK', 'NOK', 'PLN', 'SGD', 'INR'],
};

const STAGES = [
  'Prospecting',
  'Qualification',
  'Needs Analysis',
  'Value Proposition',
  'Id. Decision Makers',
  'Perception Analysis',
  'Proposal/Price Quote',
  'Negotiation/Review',
  'Closed Won',
  'Closed Lost',
];

export const OBJECTS: ObjectDef[] = [
  {
    // The org itself: one read-only record whose Id is the org id (00D...), readable with the api scope.
    name: 'Organization',
    label: 'Organization',
    labelPlural: 'Organizations',
    keyPrefix: '00D',
    custom: false,
    fields: [
      { name: 'Id', label: 'Organization ID', type: 'id', readOnly: true },
      { name: 'Name', label: 'Name', type: 'string', length: 80, readOnly: true },
      { name: 'OrganizationType', label: 'Edition', type: 'string', length: 40, readOnly: true },
      { name: 'IsSandbox', label: 'Is Sandbox', type: 'boolean', readOnly: true },
    ],
  },
  {
    name: 'User',
    label: 'User',
    labelPlural: 'Users',
    keyPrefix: '005',
    custom: false,
    fields: [
      ...system(false),
      { name: 'Username', label: 'Username', type: 'string', length: 80, required: true, unique: true },
      { name: 'FirstName', label: 'First Name', type: 'string', length: 40 },
      { name: 'LastName', label: 'Last Name', type: 'string', length: 80, required: true },
      { name: 'Name', label: 'Full Name', type: 'string', length: 121, readOnly: true },
      { name: 'Email', label: 'Email', type: 'email', length: 128, required: true },
      { name: 'Title', label: 'Title', type: 'string', length: 80 },
      { name: 'IsActive', label: 'Active', type: 'boolean' },
    ],
  },
  {
    name: 'Account',
    label: 'Account',
    labelPlural: 'Accounts',
    keyPrefix: '001',
    custom: false,
    fields: [
      ...system(true),
      { name: 'Name', label: 'Account Name', type: 'string', length: 255, required: true },
      {
        name: 'Type',
        label: 'Account Type',
        type: 'picklist',
        picklist: ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Partner', 'Other'],
      },
      {
        name: 'Industry',
        label: 'Industry',
        type: 'picklist',
        picklist: ['Healthcare', 'Manufacturing', 'Transportation', 'Technology', 'Other'],
      },
      { name: 'BillingStreet', label: 'Billing Street', type: 'textarea', length: 255 },
      { name: 'BillingCity', label: 'Billing City', type: 'string', length: 40 },
      { name: 'BillingState', label: 'Billing State/Province', type: 'string', length: 80 },
      { name: 'BillingStateCode', label: 'Billing State/Province Code', type: 'string', length: 10 },
      { name: 'BillingPostalCode', label: 'Billing Zip/Postal Code', type: 'string', length: 20 },
      { name: 'BillingCountry', label: 'Billing Country', type: 'string', length: 80 },
      { name: 'BillingCountryCode', label: 'Billing Country Code', type: 'string', length: 10 },
      { name: 'Phone', label: 'Account Phone', type: 'string', length: 40 },
      { name: 'Website', label: 'Website', type: 'url', length: 255 },
      currencyIsoCode,
      { name: 'Handoff_Legal_Name__c', label: 'Legal Name', type: 'string', length: 255 },
      { name: 'Handoff_Registration_Number__c', label: 'Registration Number', type: 'string', length: 64 },
      { name: 'Handoff_Tax_Scheme__c', label: 'Tax Scheme', type: 'string', length: 20 },
      { name: 'Handoff_Tax_Number__c', label: 'Tax Number', type: 'string', length: 40 },
      { name: 'Handoff_Tax_Region__c', label: 'Tax Region', type: 'string', length: 40 },
      { name: 'Handoff_Billing_Subsidiary__c', label: 'Billing Subsidiary', type: 'string', length: 80 },
      { name: 'Handoff_Billing_Email__c', label: 'Billing Email', type: 'email', length: 80 },
    ],
  },
  {
    name: 'Contract',
    label: 'Contract',
    labelPlural: 'Contracts',
    keyPrefix: '800',
    custom: false,
    fields: [
      ...system(true),
      {
        name: 'AccountId',
        label: 'Account ID',
        type: 'reference',
        required: true,
        referenceTo: 'Account',
        relationshipName: 'Account',
      },
      { name: 'ContractNumber', label: 'Contract Number', type: 'string', length: 30, readOnly: true },
      {
        name: 'Status',
        label: 'Status',
        type: 'picklist',
        picklist: ['Draft', 'In Approval Process', 'Activated'],
      },
      { name: 'StartDate', label: 'Contract Start Date', type: 'date' },
      { name: 'EndDate', label: 'Contract End Date', type: 'date', readOnly: true },
      { name: 'ContractTerm', label: 'Contract Term', type: 'double' },
      { name: 'CustomerSignedDate', label: 'Customer Signed Date', type: 'date' },
      { name: 'ActivatedDate', label: 'Activated Date', type: 'datetime', readOnly: true },
      { name: 'Description', label: 'Description', type: 'textarea', length: 32000 },
      currencyIsoCode,
    ],
  },
  {
    name: 'Opportunity',
    label: 'Opportunity',
    labelPlural: 'Opportunities',
    keyPrefix: '006',
    custom: false,
    fields: [
      ...system(true),
      { name: 'Name', label: 'Name', type: 'string', length: 120, required: true },
      {
        name: 'AccountId',
        label: 'Account ID',
        type: 'reference',
        referenceTo: 'Account',
        relationshipName: 'Account',
      },
      { name: 'StageName', label: 'Stage', type: 'picklist', required: true, picklist: STAGES },
      { name: 'CloseDate', label: 'Close Date', type: 'date', required: true },
      { name: 'Amount', label: 'Amount', type: 'currency' },
      { name: 'Probability', label: 'Probability (%)', type: 'percent' },
      { name: 'IsClosed', label: 'Closed', type: 'boolean', readOnly: true },
      { name: 'IsWon', label: 'Won', type: 'boolean', readOnly: true },
      {
        name: 'ContractId',
        label: 'Contract ID',
        type: 'reference',
        referenceTo: 'Contract',
        relationshipName: 'Contract',
      },
      { name: 'Description', label: 'Description', type: 'textarea', length: 32000 },
      currencyIsoCode,
      { name: 'Handoff_SOW_Number__c', label: 'SOW Number', type: 'string', length: 40 },
      {
        name: 'Handoff_Billing_Model__c',
        label: 'Billing Model',
        type: 'picklist',
        picklist: ['Fixed Fee', 'Time and Materials', 'Retainer'],
      },
      { name: 'Handoff_Start_Date__c', label: 'Start Date', type: 'date' },
      { name: 'Handoff_End_Date__c', label: 'End Date', type: 'date' },
      { name: 'Handoff_Not_To_Exceed__c', label: 'Not To Exceed', type: 'currency' },
      { name: 'Handoff_Travel_Cap__c', label: 'Travel Cap', type: 'currency' },
      { name: 'Handoff_Retainer_Amount__c', label: 'Retainer Amount', type: 'currency' },
      { name: 'Handoff_Retainer_Periods__c', label: 'Retainer Periods', type: 'double' },
      {
        name: 'Handoff_Retainer_Period__c',
        label: 'Retainer Period',
        type: 'picklist',
        picklist: ['Monthly', 'Quarterly'],
      },
      { name: 'Handoff_Project_Template__c', label: 'Project Template', type: 'string', length: 80 },
      { name: 'Handoff_Service_Line__c', label: 'Service Line', type: 'string', length: 80 },
      {
        name: 'Handoff_Status__c',
        label: 'Handoff Status',
        type: 'picklist',
        picklist: ['Queued', 'Activating', 'Retrying', 'Active', 'Needs fixes', 'Failed'],
      },
      {
        name: 'Handoff_Activation_Id__c',
        label: 'Handoff Activation Id',
        type: 'string',
        length: 64,
        externalId: true,
        unique: true,
      },
      { name: 'Handoff_Message__c', label: 'Handoff Message', type: 'textarea', length: 32768 },
      { name: 'Handoff_PSA_Project_URL__c', label: 'PSA Project URL', type: 'url', length: 255 },
      { name: 'Handoff_ERP_Project_URL__c', label: 'ERP Project URL', type: 'url', length: 255 },
      { name: 'Handoff_ERP_Customer_Id__c', label: 'ERP Customer Id', type: 'string', length: 64 },
      { name: 'Handoff_ERP_Project_Id__c', label: 'ERP Project Id', type: 'string', length: 64 },
      { name: 'Handoff_PSA_Project_Id__c', label: 'PSA Project Id', type: 'string', length: 64 },
      { name: 'Handoff_Last_Sync__c', label: 'Handoff Last Sync', type: 'datetime' },
      { name: 'Handoff_Billed_Amount__c', label: 'Billed', type: 'currency' },
      { name: 'Handoff_Paid_Amount__c', label: 'Paid', type: 'currency' },
      { name: 'Handoff_Unbilled_Amount__c', label: 'Unbilled', type: 'currency' },
      { name: 'Handoff_Last_Invoice__c', label: 'Last Invoice', type: 'string', length: 40 },
      { name: 'Handoff_Last_Invoice_Status__c', label: 'Last Invoice Status', type: 'string', length: 40 },
    ],
  },
  {
    name: 'Handoff_Milestone__c',
    label: 'Handoff Milestone',
    labelPlural: 'Handoff Milestones',
    keyPrefix: 'a01',
    custom: true,
    fields: [
      ...system(false),
      { name: 'Name', label: 'Milestone Name', type: 'string', length: 80 },
      {
        name: 'Opportunity__c',
        label: 'Opportunity',
        type: 'reference',
        required: true,
        referenceTo: 'Opportunity',
        relationshipName: 'Opportunity__r',
      },
      { name: 'Amount__c', label: 'Amount', type: 'currency' },
      { name: 'Due_Date__c', label: 'Due Date', type: 'date' },
      { name: 'Clause__c', label: 'Clause', type: 'string', length: 255 },
      { name: 'Deliverables__c', label: 'Deliverables', type: 'textarea', length: 32768 },
      { name: 'Sequence__c', label: 'Sequence', type: 'double' },
      currencyIsoCode,
    ],
  },
  {
    name: 'Handoff_Rate__c',
    label: 'Handoff Rate',
    labelPlural: 'Handoff Rates',
    keyPrefix: 'a02',
    custom: true,
    fields: [
      ...system(false),
      { name: 'Name', label: 'Rate Name', type: 'string', length: 80 },
      {
        name: 'Opportunity__c',
        label: 'Opportunity',
        type: 'reference',
        required: true,
        referenceTo: 'Opportunity',
        relationshipName: 'Opportunity__r',
      },
      { name: 'Role__c', label: 'Role', type: 'string', length: 80 },
      { name: 'Rate__c', label: 'Rate', type: 'currency' },
      { name: 'Unit__c', label: 'Unit', type: 'picklist', picklist: ['Hour', 'Day'] },
      { name: 'Effective_From__c', label: 'Effective From', type: 'date' },
      { name: 'Effective_To__c', label: 'Effective To', type: 'date' },
      { name: 'Planned_Hours__c', label: 'Planned Hours', type: 'double' },
      { name: 'Person_Name__c', label: 'Person Name', type: 'string', length: 121 },
      { name: 'Person_Email__c', label: 'Person Email', type: 'email', length: 80 },
      currencyIsoCode,
    ],
  },
];

/** Case-insensitive lookups, as the API resolves names. */
export function findObject(name: string): ObjectDef | undefined {
  const lower = name.toLowerCase();
  return OBJECTS.find((o) => o.name.toLowerCase() === lower);
}

export function findField(obj: ObjectDef, name: string): FieldDef | undefined {
  const lower = name.toLowerCase();
  return obj.fields.find((f) => f.name.toLowerCase() === lower);
}

export function findRelationship(obj: ObjectDef, name: string): FieldDef | undefined {
  const lower = name.toLowerCase();
  return obj.fields.find((f) => f.type === 'reference' && f.relationshipName?.toLowerCase() === lower);
}

export function objectByPrefix(id: string): ObjectDef | undefined {
  const prefix = id.slice(0, 3);
  return OBJECTS.find((o) => o.keyPrefix === prefix);
}
