import type { Instance } from '../kit/emulator';

export type RecordType =
  | 'customer'
  | 'job'
  | 'billingSchedule'
  | 'timeBill'
  | 'expenseReport'
  | 'invoice'
  | 'customerPayment';
export const RECORD_TYPES: RecordType[] = [
  'customer',
  'job',
  'billingSchedule',
  'timeBill',
  'expenseReport',
  'invoice',
  'customerPayment',
];
/** Record types that are transactions: one internal id sequence, rows of SuiteQL's `transaction` table. */
export const TRANSACTION_TYPES = {
  invoice: 'CustInvc',
  expenseReport: 'ExpRept',
  customerPayment: 'CustPymt',
} as const;

/** A stored record: body fields (references as `{ id }`) and sublists as arrays of lines. */
export interface StoredRecord {
  id: string;
  externalId?: string;
  dateCreated: string;
  lastModifiedDate: string;
  fields: Record<string, unknown>;
  sublists: Record<string, Record<string, unknown>[]>;
}

export interface Subsidiary {
  id: string;
  name: string;
  country: string;
  currency: string;
}

export interface Currency {
  id: string;
  symbol: string;
  name: string;
}

export interface Employee {
  id: string;
  entityId: string;
  firstName: string;
  lastName: string;
  email: string;
  title: string;
  subsidiary: string;
  isInactive: boolean;
}

/** Service items (time, expenses and fixed-fee lines are billed through items). */
export interface Item {
  id: string;
  itemId: string;
  displayName: string;
  itemType: 'Service' | 'OthCharge';
}

export interface ExpenseCategory {
  id: string;
  name: string;
}

/** An email sent from a transaction (the Communication subtab), SuiteQL table `message`. */
export interface Message {
  id: string;
  transaction: string;
  subject: string;
  recipientEmail: string;
  messageDate: string;
}

export interface AsyncJob {
  id: string;
  idempotencyKey?: string;
  createdAt: string;
  /** The synchronous answer the request would have had. */
  result: { status: number; location?: string; error?: unknown };
}

export interface NetSuiteState {
  subsidiaries: Record<string, Subsidiary>;
  currencies: Record<string, Currency>;
  employees: Record<string, Employee>;
  items: Record<string, Item>;
  expenseCategories: Record<string, ExpenseCategory>;
  messages: Record<string, Message>;
  records: Record<RecordType, Record<string, StoredRecord>>;
  /**
   * Customers and projects are entities and share one id sequence; transactions (invoice, expense
   * report, payment) share another; `invoiceNumber` is the invoice auto-numbering (INV10001...).
   */
  sequences: {
    entity: number;
    billingSchedule: number;
    asyncJob: number;
    timeBill: number;
    transaction: number;
    invoiceNumber: number;
    message: number;
  };
  /** Issued access tokens → client id and expiry (epoch ms). */
  tokens: Record<string, { clientId: string; expiresAt: number }>;
  asyncJobs: Record<string, AsyncJob>;
}

const emptyRecords = (): Record<RecordType, Record<string, StoredRecord>> =>
  Object.fromEntries(RECORD_TYPES.map((t) => [t, {}])) as Record<RecordType, Record<string, StoredRecord>>;

export function initialNetSuiteState(): NetSuiteState {
  return {
    subsidiaries: {},
    currencies: {},
    employees: {},
    items: {},
    expenseCategories: {},
    messages: {},
    records: emptyRecords(),
    sequences: {
      entity: 100,
      billingSchedule: 0,
      asyncJob: 0,
      timeBill: 0,
      transaction: 1000,
      invoiceNumber: 10000,
      message: 0,
    },
    tokens: {},
    asyncJobs: {},
  };
}

/** State restored from a snapshot taken before issue 3 lacks the newer tables: add them empty. */
export function upgradeState(state: NetSuiteState): NetSuiteState {
  if (state.records.timeBill && state.messages) return state;
  const fresh = initialNetSuiteState();
  state.employees ??= fresh.employees;
  state.items ??= fresh.items;
  state.expenseCategories ??= fresh.expenseCategories;
  state.messages ??= fresh.messages;
  for (const type of RECORD_TYPES) state.records[type] ??= {};
  state.sequences = { ...fresh.sequences, ...state.sequences };
  return state;
}

export function nextRecordId(state: NetSuiteState, type: RecordType): string {
  if (type === 'billingSchedule') return String(++state.sequences.billingSchedule);
  if (type === 'timeBill') return String(++state.sequences.timeBill);
  if (type in TRANSACTION_TYPES) return String(++state.sequences.transaction);
  return String(++state.sequences.entity);
}

const DEMO_PEOPLE: [string, string, string][] = [
  ['Ava', 'Chen', 'Engagement Lead'],
  ['Ben', 'Ortiz', 'Senior Consultant'],
  ['Chloe', 'Martin', 'Consultant'],
  ['Dev', 'Patel', 'Analyst'],
  ['Emma', 'Schulz', 'Project Manager'],
  // The Kantata demo seed's users, so time they log finds its employee here too.
  ['Priya', 'Raman', 'Engagement Lead'],
  ['Marcus', 'Bell', 'Project Manager'],
  ['Lena', 'Ortiz', 'Senior Consultant'],
];

/** The demo consulting firm: a US parent and a German subsidiary, four currencies, its people and items. */
export function seedDemo(instance: Instance<NetSuiteState>): void {
  const s = instance.state;
  s.currencies = {
    '1': { id: '1', symbol: 'USD', name: 'US Dollar' },
    '2': { id: '2', symbol: 'EUR', name: 'Euro' },
    '3': { id: '3', symbol: 'GBP', name: 'British pound' },
    '4': { id: '4', symbol: 'CAD', name: 'Canadian Dollar' },
  };
  s.subsidiaries = {
    '1': { id: '1', name: 'Lumen Partners US LLC', country: 'US', currency: '1' },
    '2': { id: '2', name: 'Lumen Partners GmbH', country: 'DE', currency: '2' },
  };
  s.employees = {};
  for (const [i, [first, last, title]] of DEMO_PEOPLE.entries()) {
    const id = String(11 + i);
    s.employees[id] = {
      id,
      entityId: `${first} ${last}`,
      firstName: first,
      lastName: last,
      email: `${first}.${last}@northwind.example`.toLowerCase(),
      title,
      subsidiary: '1',
      isInactive: false,
    };
  }
  s.items = {
    '21': {
      id: '21',
      itemId: 'Professional Services',
      displayName: 'Professional Services (time)',
      itemType: 'Service',
    },
    '22': {
      id: '22',
      itemId: 'Reimbursable Expenses',
      displayName: 'Reimbursable Expenses',
      itemType: 'OthCharge',
    },
    '23': { id: '23', itemId: 'Milestone Billing', displayName: 'Milestone Billing', itemType: 'Service' },
  };
  s.expenseCategories = Object.fromEntries(
    ['Travel', 'Lodging', 'Meals', 'Software', 'Other'].map((name, i) => [
      String(31 + i),
      { id: String(31 + i), name },
    ]),
  );
}
