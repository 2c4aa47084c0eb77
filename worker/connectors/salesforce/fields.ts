/**
 * The Salesforce fields Handoff reads at activation (plugins/crm-salesforce/DATA-MODEL.md), with the
 * sentence-case labels used to tell a seller where to fix a value.
 */

export const OPPORTUNITY_FIELDS = {
  Id: 'Opportunity',
  Name: 'Opportunity name',
  AccountId: 'Account',
  StageName: 'Stage',
  CloseDate: 'Close date',
  Amount: 'Amount',
  CurrencyIsoCode: 'Opportunity currency',
  ContractId: 'Contract',
  Description: 'Description',
  Handoff_SOW_Number__c: 'SOW number',
  Handoff_Billing_Model__c: 'Billing model',
  Handoff_Start_Date__c: 'Start date',
  Handoff_End_Date__c: 'End date',
  Handoff_Not_To_Exceed__c: 'Not-to-exceed amount',
  Handoff_Travel_Cap__c: 'Travel cap',
  Handoff_Retainer_Amount__c: 'Retainer amount',
  Handoff_Retainer_Periods__c: 'Retainer periods',
  Handoff_Retainer_Period__c: 'Retainer period',
  Handoff_Project_Template__c: 'Project template',
  Handoff_Service_Line__c: 'Service line',
} as const;

/** Read through Opportunity.Account in the same query. State/country picklists are on, so the *Code fields exist. */
export const ACCOUNT_FIELDS = {
  Id: 'Account',
  Name: 'Account name',
  BillingStreet: 'Billing street',
  BillingCity: 'Billing city',
  BillingState: 'Billing state/province',
  BillingStateCode: 'Billing state/province',
  BillingPostalCode: 'Billing zip/postal code',
  BillingCountryCode: 'Billing country',
  CurrencyIsoCode: 'Account currency',
  Handoff_Legal_Name__c: 'Legal name',
  Handoff_Registration_Number__c: 'Registration number',
  Handoff_Tax_Scheme__c: 'Tax scheme',
  Handoff_Tax_Number__c: 'Tax number',
  Handoff_Tax_Region__c: 'Tax region',
  Handoff_Billing_Subsidiary__c: 'Billing subsidiary',
  Handoff_Billing_Email__c: 'Billing email',
} as const;

/** Read through Opportunity.Contract. */
export const CONTRACT_FIELDS = {
  Id: 'Contract',
  ContractNumber: 'Contract number',
  Status: 'Contract status',
  StartDate: 'Contract start date',
  EndDate: 'Contract end date',
  CustomerSignedDate: 'Customer signed date',
  ActivatedDate: 'Activated date',
} as const;

export const MILESTONE_FIELDS = {
  Id: 'Milestone',
  Name: 'Milestone name',
  Amount__c: 'Amount',
  Due_Date__c: 'Due date',
  Clause__c: 'Clause',
  Deliverables__c: 'Deliverables',
  Sequence__c: 'Sequence',
} as const;

export const RATE_FIELDS = {
  Id: 'Rate',
  Name: 'Rate name',
  Role__c: 'Role',
  Rate__c: 'Rate',
  Unit__c: 'Unit',
  Effective_From__c: 'Effective from',
  Effective_To__c: 'Effective to',
  Planned_Hours__c: 'Planned hours',
  Person_Name__c: 'Person name',
  Person_Email__c: 'Person email',
} as const;

export const WRITE_BACK_FIELDS = {
  status: 'Handoff_Status__c',
  activationId: 'Handoff_Activation_Id__c',
  message: 'Handoff_Message__c',
  psaProjectUrl: 'Handoff_PSA_Project_URL__c',
  erpProjectUrl: 'Handoff_ERP_Project_URL__c',
  erpCustomerId: 'Handoff_ERP_Customer_Id__c',
  erpProjectId: 'Handoff_ERP_Project_Id__c',
  psaProjectId: 'Handoff_PSA_Project_Id__c',
  lastSync: 'Handoff_Last_Sync__c',
  billedAmount: 'Handoff_Billed_Amount__c',
  paidAmount: 'Handoff_Paid_Amount__c',
  unbilledAmount: 'Handoff_Unbilled_Amount__c',
  lastInvoiceNumber: 'Handoff_Last_Invoice__c',
  lastInvoiceStatus: 'Handoff_Last_Invoice_Status__c',
} as const;
