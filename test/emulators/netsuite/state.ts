import type { Instance } from '../kit/emulator';

export type RecordType = 'customer' | 'job' | 'billingSchedule';
export const RECORD_TYPES: RecordType[] = ['customer', 'job', 'billingSchedule'];

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
  records: Record<RecordType, Record<string, StoredRecord>>;
  /** Customers and projects are both entities in NetSuite and share one id sequence. */
  sequences: { entity: number; billingSchedule: number; asyncJob: number };
  /** Issued access tokens → client id and expiry (epoch ms). */
  tokens: Record<string, { clientId: string; expiresAt: number }>;
  asyncJobs: Record<string, AsyncJob>;
}

export function initialNetSuiteState(): NetSuiteState {
  return {
    subsidiaries: {},
    currencies: {},
    records: { customer: {}, job: {}, billingSchedule: {} },
    sequences: { entity: 100, billingSchedule: 0, asyncJob: 0 },
    tokens: {},
    asyncJobs: {},
  };
}

export function nextRecordId(state: NetSuiteState, type: RecordType): string {
  if (type === 'billingSchedule') return String(++state.sequences.billingSchedule);
  return String(++state.sequences.entity);
}

/** The demo consulting firm: a US parent and a German subsidiary, four currencies. */
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
}
