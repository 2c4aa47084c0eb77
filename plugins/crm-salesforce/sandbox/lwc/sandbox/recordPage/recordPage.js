import { CLOSE_ACTION_SCREEN_EVENT } from 'lightning/actions';
import { RECORD_UPDATED_EVENT } from 'lightning/uiRecordApi';
import { LightningElement } from 'lwc';

/**
 * A stand-in Lightning record page: global header, record highlights with the Activate project quick
 * action, a details card, and our Handoff activation card in the right column. Record data comes from the
 * sandbox server (GET /sandbox/sf/records/{id}); the components talk to it through the stand-in Apex module.
 */

const OBJECTS = {
  '006': {
    apiName: 'Opportunity',
    label: 'Opportunity',
    plural: 'Opportunities',
    icon: 'standard:opportunity',
    activates: true,
  },
  800: {
    apiName: 'Contract',
    label: 'Contract',
    plural: 'Contracts',
    icon: 'standard:contract',
    activates: true,
  },
  '001': {
    apiName: 'Account',
    label: 'Account',
    plural: 'Accounts',
    icon: 'standard:account',
    activates: false,
  },
};
const UNKNOWN_OBJECT = {
  apiName: 'Record',
  label: 'Record',
  plural: 'Records',
  icon: 'standard:record',
  activates: false,
};

const HIGHLIGHTS = {
  Opportunity: [
    ['Account Name', (r) => r.Account?.Name || r.AccountName || r.AccountId],
    ['Close Date', (r) => date(r.CloseDate)],
    ['Amount', (r) => money(r.Amount, r.CurrencyIsoCode)],
    ['Stage', (r) => r.StageName],
    ['SOW Number', (r) => r.Handoff_SOW_Number__c],
    ['Handoff Status', (r) => r.Handoff_Status__c],
  ],
  Contract: [
    ['Contract Number', (r) => r.ContractNumber],
    ['Status', (r) => r.Status],
    ['Start Date', (r) => date(r.StartDate)],
    ['End Date', (r) => date(r.EndDate)],
    ['Customer Signed', (r) => date(r.CustomerSignedDate)],
  ],
  Account: [
    ['Legal Name', (r) => r.Handoff_Legal_Name__c],
    ['Billing Country', (r) => r.BillingCountryCode],
    ['Tax Number', (r) => r.Handoff_Tax_Number__c],
    ['Billing Email', (r) => r.Handoff_Billing_Email__c],
  ],
};

const DETAILS = {
  Opportunity: [
    ['Opportunity Name', 'Name'],
    ['Stage', 'StageName'],
    ['Close Date', 'CloseDate', 'date'],
    ['Amount', 'Amount', 'money'],
    ['SOW Number', 'Handoff_SOW_Number__c'],
    ['Billing Model', 'Handoff_Billing_Model__c'],
    ['Engagement Start Date', 'Handoff_Start_Date__c', 'date'],
    ['Engagement End Date', 'Handoff_End_Date__c', 'date'],
    ['Not To Exceed', 'Handoff_Not_To_Exceed__c', 'money'],
    ['Travel Cap', 'Handoff_Travel_Cap__c', 'money'],
    ['Retainer Amount', 'Handoff_Retainer_Amount__c', 'money'],
    ['Retainer Periods', 'Handoff_Retainer_Periods__c'],
    ['Retainer Period', 'Handoff_Retainer_Period__c'],
    ['Project Template', 'Handoff_Project_Template__c'],
    ['Service Line', 'Handoff_Service_Line__c'],
    ['Handoff Status', 'Handoff_Status__c'],
    ['Handoff Message', 'Handoff_Message__c'],
    ['PSA Project', 'Handoff_PSA_Project_URL__c', 'url'],
    ['ERP Project', 'Handoff_ERP_Project_URL__c', 'url'],
    ['ERP Customer ID', 'Handoff_ERP_Customer_Id__c'],
    ['Handoff Last Sync', 'Handoff_Last_Sync__c', 'datetime'],
    ['Description', 'Description'],
  ],
  Contract: [
    ['Contract Number', 'ContractNumber'],
    ['Status', 'Status'],
    ['Start Date', 'StartDate', 'date'],
    ['End Date', 'EndDate', 'date'],
    ['Customer Signed Date', 'CustomerSignedDate', 'date'],
  ],
  Account: [
    ['Account Name', 'Name'],
    ['Legal Name', 'Handoff_Legal_Name__c'],
    ['Registration Number', 'Handoff_Registration_Number__c'],
    ['Billing Street', 'BillingStreet'],
    ['Billing City', 'BillingCity'],
    ['Billing State', 'BillingState'],
    ['Billing Postal Code', 'BillingPostalCode'],
    ['Billing Country', 'BillingCountryCode'],
    ['Tax Scheme', 'Handoff_Tax_Scheme__c'],
    ['Tax Number', 'Handoff_Tax_Number__c'],
    ['Tax Region', 'Handoff_Tax_Region__c'],
    ['Billing Subsidiary', 'Handoff_Billing_Subsidiary__c'],
    ['Billing Email', 'Handoff_Billing_Email__c'],
  ],
};

function date(value) {
  if (!value) {
    return value;
  }
  const d = new Date(`${value}T00:00:00`);
  return Number.isNaN(d.getTime())
    ? value
    : d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

function dateTime(value) {
  const d = value ? new Date(value) : null;
  return d && !Number.isNaN(d.getTime()) ? d.toLocaleString() : value;
}

function money(value, currency) {
  if (value === null || value === undefined || value === '') {
    return value;
  }
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency || 'USD' }).format(
      Number(value),
    );
  } catch (_e) {
    return String(value);
  }
}

let toastSeq = 0;

export default class RecordPage extends LightningElement {
  recordId = null;
  record = null;
  loadError = null;
  actionOpen = false;
  toasts = [];

  connectedCallback() {
    this.recordId = new URLSearchParams(window.location.search).get('recordId');
    this.onRecordUpdated = () => this.loadRecord();
    this.onKeydown = (event) => {
      if (event.key === 'Escape' && this.actionOpen) {
        this.closeAction();
      }
    };
    window.addEventListener(RECORD_UPDATED_EVENT, this.onRecordUpdated);
    window.addEventListener('keydown', this.onKeydown);
    this.template.addEventListener(CLOSE_ACTION_SCREEN_EVENT, () => this.closeAction());
    this.template.addEventListener('lightning__showtoast', (event) => this.showToast(event.detail || {}));
    this.loadRecord();
  }

  disconnectedCallback() {
    window.removeEventListener(RECORD_UPDATED_EVENT, this.onRecordUpdated);
    window.removeEventListener('keydown', this.onKeydown);
  }

  async loadRecord() {
    if (!this.recordId) {
      this.loadError = 'Open this page with ?recordId=006... (an Opportunity id from the sandbox).';
      return;
    }
    try {
      const response = await fetch(`/sandbox/sf/records/${encodeURIComponent(this.recordId)}`, {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
      });
      if (!response.ok) {
        throw new Error(`The sandbox has no record ${this.recordId} (HTTP ${response.status}).`);
      }
      this.record = await response.json();
      this.loadError = null;
      document.title = `${this.name} | ${this.object.label} | Salesforce`;
    } catch (error) {
      this.loadError = error.message;
    }
  }

  get object() {
    return OBJECTS[String(this.recordId || '').slice(0, 3)] || UNKNOWN_OBJECT;
  }

  get objectApiName() {
    return this.object.apiName;
  }

  get name() {
    const r = this.record || {};
    return r.Name || r.ContractNumber || this.recordId || '';
  }

  get hasRecord() {
    return !!this.record;
  }

  get canActivate() {
    return this.object.activates && !!this.record;
  }

  get activateDisabled() {
    return !this.canActivate;
  }

  get showCard() {
    return this.object.activates && !!this.recordId;
  }

  get highlights() {
    const r = this.record || {};
    return (HIGHLIGHTS[this.object.apiName] || [])
      .map(([label, read]) => ({ key: label, label, value: read(r) }))
      .filter((h) => h.value !== undefined && h.value !== null && h.value !== '');
  }

  get details() {
    const r = this.record || {};
    return (DETAILS[this.object.apiName] || [])
      .filter(([, field]) => r[field] !== undefined && r[field] !== null && r[field] !== '')
      .map(([label, field, kind]) => {
        const raw = r[field];
        let value = String(raw);
        if (kind === 'date') value = date(raw);
        if (kind === 'datetime') value = dateTime(raw);
        if (kind === 'money') value = money(raw, r.CurrencyIsoCode);
        return { key: field, label, value, isUrl: kind === 'url', apiName: field };
      });
  }

  openAction() {
    this.lastFocus = this.template.activeElement;
    this.actionOpen = true;
  }

  closeAction() {
    this.actionOpen = false;
    // Give focus back to the button that opened the action (keyboard users land where they were).
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    setTimeout(() => {
      const button = this.template.querySelector('[data-id="activate-action"]');
      if (button) button.focus();
    }, 0);
  }

  renderedCallback() {
    if (this.actionOpen && !this.focusedModal) {
      this.focusedModal = true;
      const dialog = this.template.querySelector('section[role="dialog"]');
      if (dialog) dialog.focus();
    }
    if (!this.actionOpen) {
      this.focusedModal = false;
    }
  }

  showToast({ title, message, variant }) {
    const id = ++toastSeq;
    const theme =
      { success: 'slds-theme_success', error: 'slds-theme_error', warning: 'slds-theme_warning' }[variant] ||
      'slds-theme_info';
    const icon =
      { success: 'utility:success', error: 'utility:error', warning: 'utility:warning' }[variant] ||
      'utility:info';
    this.toasts = [
      ...this.toasts,
      { id, title, message, className: `slds-notify slds-notify_toast ${theme}`, icon },
    ];
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    setTimeout(() => this.dismissToast(id), 5000);
  }

  dismissToast(id) {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  handleDismissToast(event) {
    this.dismissToast(Number(event.currentTarget.dataset.toastId));
  }
}
