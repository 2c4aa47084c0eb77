import { byExternalId } from './external-id-index';
import type { NetSuiteEmulatorOptions } from './options';
import type { NetSuiteState, RecordType, StoredRecord } from './state';
import { checkTransaction } from './transaction-rules';
import type { ErrorDetail } from './vendor-errors';

/**
 * The subset of each record's fields the emulator knows, with the kind of value NetSuite expects.
 * Anything else in a body is refused, as NetSuite refuses a field the record (or its form) lacks.
 */
type RefTarget =
  | 'subsidiary'
  | 'currency'
  | 'customer'
  | 'job'
  | 'billingSchedule'
  /** A customer or a project: both are entities, and transactions name either. */
  | 'entity'
  | 'employee'
  | 'item'
  | 'expenseCategory'
  | 'invoice';
type FieldKind =
  | { kind: 'string'; max?: number }
  | { kind: 'boolean' }
  | { kind: 'number' }
  /** NetSuite duration (time bill hours): "H:MM" or decimal hours. */
  | { kind: 'duration' }
  | { kind: 'date' }
  | { kind: 'email' }
  | { kind: 'ref'; target: RefTarget; label: string }
  | { kind: 'select'; values: Record<string, string> };

const str = (max?: number): FieldKind => ({ kind: 'string', max });
const bool: FieldKind = { kind: 'boolean' };
const num: FieldKind = { kind: 'number' };
const date: FieldKind = { kind: 'date' };

export const JOB_BILLING_TYPES = {
  CB: 'Charge-Based',
  FBI: 'Fixed Bid, Interval',
  FBM: 'Fixed Bid, Milestone',
  TM: 'Time and Materials',
};
export const SCHEDULE_TYPES = { ...JOB_BILLING_TYPES, STDRD: 'Standard' };
const FREQUENCIES = {
  ANNUALLY: 'Annually',
  CUSTOM: 'Custom',
  DAILY: 'Daily',
  ENDOFPERIOD: 'End of Period',
  MONTHLY: 'Monthly',
  NEVER: 'Never',
  ONETIME: 'One Time',
  STARTOFPERIOD: 'Start of Period',
  WEEKLY: 'Weekly',
};
/** Time approval statuses (Time Tracking with approval routing). */
export const APPROVAL_STATUSES = { '1': 'Pending Approval', '2': 'Approved', '3': 'Rejected' };
/** Price levels: -1 is "Custom", which makes the `rate` on the time bill the one billed. */
const PRICE_LEVELS = { '-1': 'Custom', '1': 'Base Price' };
const ref = (target: RefTarget, label: string): FieldKind => ({ kind: 'ref', target, label });

const REPEAT_EVERY = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [String(i + 1), String(i + 1)]));

interface RecordSpec {
  fields: Record<string, FieldKind>;
  sublists: Record<string, Record<string, FieldKind>>;
}

const ADDRESS_FIELDS: Record<string, FieldKind> = {
  addressee: str(150),
  attention: str(150),
  addr1: str(150),
  addr2: str(150),
  addr3: str(150),
  city: str(50),
  state: str(50),
  zip: str(36),
  addrPhone: str(32),
  country: { kind: 'select', values: {} },
};

export const SPECS: Record<RecordType, RecordSpec> = {
  customer: {
    fields: {
      externalId: str(),
      entityId: str(83),
      companyName: str(83),
      isPerson: bool,
      firstName: str(32),
      lastName: str(32),
      subsidiary: { kind: 'ref', target: 'subsidiary', label: 'Subsidiary' },
      currency: { kind: 'ref', target: 'currency', label: 'Currency' },
      email: { kind: 'email' },
      phone: str(32),
      vatRegNumber: str(20),
      comments: str(999),
      isInactive: bool,
    },
    sublists: {
      addressBook: {
        label: str(),
        defaultBilling: bool,
        defaultShipping: bool,
        isResidential: bool,
        addressBookAddress: { kind: 'string' },
      },
    },
  },
  job: {
    fields: {
      externalId: str(),
      entityId: str(83),
      companyName: str(83),
      parent: { kind: 'ref', target: 'customer', label: 'Customer' },
      subsidiary: { kind: 'ref', target: 'subsidiary', label: 'Subsidiary' },
      currency: { kind: 'ref', target: 'currency', label: 'Currency' },
      startDate: date,
      projectedEndDate: date,
      jobPrice: num,
      comments: str(999),
      isInactive: bool,
      jobBillingType: { kind: 'select', values: JOB_BILLING_TYPES },
      billingSchedule: { kind: 'ref', target: 'billingSchedule', label: 'Billing Schedule' },
    },
    sublists: {},
  },
  billingSchedule: {
    fields: {
      externalId: str(),
      name: str(100),
      isInactive: bool,
      isPublic: bool,
      inArrears: bool,
      initialAmount: str(),
      scheduleType: { kind: 'select', values: SCHEDULE_TYPES },
      project: { kind: 'ref', target: 'job', label: 'Project' },
      frequency: { kind: 'select', values: FREQUENCIES },
      repeatEvery: { kind: 'select', values: REPEAT_EVERY },
    },
    sublists: {
      milestone: { milestoneAmount: num, milestoneDate: date, comments: str(999), milestoneCompleted: bool },
      recurrence: { recurrenceDate: date, amount: num, count: num, relativeToPrevious: bool },
    },
  },
  timeBill: {
    fields: {
      externalId: str(),
      employee: ref('employee', 'Employee'),
      customer: ref('entity', 'Customer:Project'),
      tranDate: date,
      hours: { kind: 'duration' },
      isBillable: bool,
      item: ref('item', 'Service Item'),
      price: { kind: 'select', values: PRICE_LEVELS },
      rate: num,
      memo: str(4000),
      approvalStatus: { kind: 'select', values: APPROVAL_STATUSES },
    },
    sublists: {},
  },
  expenseReport: {
    fields: {
      externalId: str(),
      employee: ref('employee', 'Employee'),
      tranDate: date,
      memo: str(999),
      expenseReportCurrency: ref('currency', 'Currency'),
      supervisorApproval: bool,
      accountingApproval: bool,
      complete: bool,
    },
    sublists: {
      expense: {
        expenseDate: date,
        category: ref('expenseCategory', 'Category'),
        amount: num,
        currency: ref('currency', 'Currency'),
        isBillable: bool,
        customer: ref('entity', 'Customer:Project'),
        memo: str(4000),
      },
    },
  },
  invoice: {
    fields: {
      externalId: str(),
      entity: ref('entity', 'Customer:Project'),
      tranDate: date,
      dueDate: date,
      currency: ref('currency', 'Currency'),
      memo: str(999),
      otherRefNum: str(45),
      email: { kind: 'email' },
      toBeEmailed: bool,
    },
    sublists: {
      item: { item: ref('item', 'Item'), description: str(4000), amount: num, quantity: num, rate: num },
    },
  },
  customerPayment: {
    fields: {
      externalId: str(),
      customer: ref('entity', 'Customer'),
      payment: num,
      currency: ref('currency', 'Currency'),
      tranDate: date,
      memo: str(999),
    },
    sublists: { apply: { doc: ref('invoice', 'Invoice'), apply: bool, amount: num } },
  },
};

export type Problem = ErrorDetail & { status: number };

const invalidValue = (value: unknown, path: string): Problem => ({
  status: 400,
  code: 'INVALID_CONTENT',
  path,
  detail: `Error while accessing a resource. You have entered an Invalid Field Value ${typeof value === 'object' ? JSON.stringify(value) : String(value)} for the following field: ${path}`,
});

const unknownField = (type: RecordType, path: string): Problem => ({
  status: 400,
  code: 'INVALID_CONTENT',
  path,
  detail: `Error while accessing a resource. Invalid field '${path}'. The field does not exist on record type '${type}'.`,
});

export const userError = (detail: string, path?: string): Problem => ({
  status: 400,
  code: 'USER_ERROR',
  detail: `Error while accessing a resource. ${detail}`,
  path,
});

/** A reference as REST accepts it: `{ "id": "12" }` or `{ "externalId": "abc" }`. Returns the internal id. */
export function resolveRef(state: NetSuiteState, target: RefTarget, value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const ref = value as { id?: unknown; externalId?: unknown };
  if (target === 'subsidiary')
    return typeof ref.id === 'string' && state.subsidiaries[ref.id] ? ref.id : undefined;
  if (target === 'currency')
    return typeof ref.id === 'string' && state.currencies[ref.id] ? ref.id : undefined;
  const id = typeof ref.id === 'string' || typeof ref.id === 'number' ? String(ref.id) : undefined;
  if (target === 'employee')
    return id && state.employees[id] && !state.employees[id]!.isInactive ? id : undefined;
  if (target === 'item') return id && state.items[id] ? id : undefined;
  if (target === 'expenseCategory') return id && state.expenseCategories[id] ? id : undefined;
  const types: RecordType[] = target === 'entity' ? ['customer', 'job'] : [target];
  for (const type of types) {
    if (id !== undefined && state.records[type][id]) return id;
    if (id === undefined && typeof ref.externalId === 'string') {
      const found = byExternalId(state, type, ref.externalId);
      if (found) return found.id;
    }
  }
  return undefined;
}

function checkValue(
  state: NetSuiteState,
  kind: FieldKind,
  value: unknown,
  path: string,
): { ok: true; value: unknown } | { ok: false; problem: Problem } {
  const bad = () => ({ ok: false as const, problem: invalidValue(value, path) });
  switch (kind.kind) {
    case 'string':
      if (typeof value !== 'string' || (kind.max !== undefined && value.length > kind.max)) return bad();
      return { ok: true, value };
    case 'boolean':
      return typeof value === 'boolean' ? { ok: true, value } : bad();
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? { ok: true, value } : bad();
    case 'duration': {
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0)
        return { ok: true, value: formatDuration(Math.round(value * 60)) };
      const m = typeof value === 'string' ? /^(\d{1,4}):([0-5]\d)$/.exec(value) : null;
      return m ? { ok: true, value: formatDuration(Number(m[1]) * 60 + Number(m[2])) } : bad();
    }
    case 'date':
      return typeof value === 'string' &&
        /^\d{4}-\d{2}-\d{2}$/.test(value) &&
        !Number.isNaN(Date.parse(value))
        ? { ok: true, value }
        : bad();
    case 'email':
      return typeof value === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)
        ? { ok: true, value }
        : bad();
    case 'ref': {
      const id = resolveRef(state, kind.target, value);
      return id ? { ok: true, value: { id } } : bad();
    }
    case 'select': {
      const id = (value as { id?: unknown } | null)?.id;
      if (typeof id !== 'string') return bad();
      const known =
        Object.keys(kind.values).length === 0 ? /^[A-Z]{2}$/.test(id) : Object.hasOwn(kind.values, id);
      return known ? { ok: true, value: { id } } : bad();
    }
  }
}

function checkAddress(state: NetSuiteState, value: unknown, path: string): Problem | Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return invalidValue(value, path);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const kind = ADDRESS_FIELDS[k];
    if (!kind) return unknownField('customer', `${path}.${k}`);
    const checked = checkValue(state, kind, v, `${path}.${k}`);
    if (!checked.ok) return checked.problem;
    out[k] = checked.value;
  }
  return out;
}

export interface NormalisedBody {
  fields: Record<string, unknown>;
  /** null = field set to null (NetSuite deletes the value). */
  cleared: string[];
  sublists: Record<string, Record<string, unknown>[]>;
}

/** Check every field of a request body and normalise references to `{ id }`. */
export function normaliseBody(
  state: NetSuiteState,
  options: NetSuiteEmulatorOptions,
  type: RecordType,
  body: Record<string, unknown>,
): NormalisedBody | Problem {
  const spec = SPECS[type];
  const custom = new Set((options.customFields as Record<string, string[] | undefined>)[type] ?? []);
  const out: NormalisedBody = { fields: {}, cleared: [], sublists: {} };
  for (const [name, value] of Object.entries(body)) {
    if (name === 'id' || name === 'links') continue;
    if (value === null) {
      out.cleared.push(name);
      continue;
    }
    const kind = spec.fields[name];
    if (kind) {
      const checked = checkValue(state, kind, value, name);
      if (!checked.ok) return checked.problem;
      out.fields[name] = checked.value;
      continue;
    }
    if (custom.has(name)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) return invalidValue(value, name);
      out.fields[name] = value;
      continue;
    }
    const lineSpec = spec.sublists[name];
    if (!lineSpec) return unknownField(type, name);
    const items = (value as { items?: unknown }).items;
    if (!Array.isArray(items)) return invalidValue(value, name);
    const lines: Record<string, unknown>[] = [];
    for (const [i, line] of items.entries()) {
      if (typeof line !== 'object' || line === null) return invalidValue(line, `${name}.items[${i}]`);
      const outLine: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(line)) {
        const path = `${name}.items[${i}].${k}`;
        if (k === 'addressBookAddress' && name === 'addressBook') {
          const address = checkAddress(state, v, path);
          if ('status' in address && 'code' in address) return address as Problem;
          outLine[k] = address;
          continue;
        }
        const lineKind = lineSpec[k];
        if (!lineKind) return unknownField(type, path);
        const checked = checkValue(state, lineKind, v, path);
        if (!checked.ok) return checked.problem;
        outLine[k] = checked.value;
      }
      lines.push(outLine);
    }
    out.sublists[name] = lines;
  }
  return out;
}

const sum = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) * 1e6) / 1e6;
const idOf = (v: unknown) => (v as { id?: string } | undefined)?.id;

/** Mandatory fields and cross-field rules, checked on the record as it would be saved. */
export function checkRecord(
  state: NetSuiteState,
  type: RecordType,
  record: StoredRecord,
): Problem | undefined {
  const f = record.fields;
  const missing = (label: string) => userError(`Please enter value(s) for: ${label}.`);
  if (type === 'timeBill' || type === 'expenseReport' || type === 'invoice' || type === 'customerPayment')
    return checkTransaction(state, type, record, missing);
  if (type === 'customer') {
    if (f.isPerson === true ? !f.lastName : !f.companyName)
      return missing(f.isPerson === true ? 'Last Name' : 'Company Name');
    if (!f.subsidiary) return missing('Subsidiary');
    const defaults = (record.sublists.addressBook ?? []).filter((l) => l.defaultBilling === true);
    if (defaults.length > 1)
      return userError('Only one address can be the default billing address.', 'addressBook');
  }
  if (type === 'job') {
    if (!f.companyName) return missing('Project Name');
    if (!f.parent && !f.subsidiary) return missing('Subsidiary');
    if (f.startDate && f.projectedEndDate && String(f.projectedEndDate) < String(f.startDate)) {
      return userError('The projected end date cannot be earlier than the start date.', 'projectedEndDate');
    }
    const scheduleId = idOf(f.billingSchedule);
    const schedule = scheduleId ? state.records.billingSchedule[scheduleId] : undefined;
    const billingType = idOf(f.jobBillingType);
    if (schedule && billingType && idOf(schedule.fields.scheduleType) !== billingType) {
      return userError(
        'The billing schedule type does not match the project billing type.',
        'billingSchedule',
      );
    }
  }
  if (type === 'billingSchedule') {
    if (!f.name) return missing('Name');
    const scheduleType = idOf(f.scheduleType) ?? 'STDRD';
    const milestones = record.sublists.milestone ?? [];
    const recurrence = record.sublists.recurrence ?? [];
    if (scheduleType !== 'STDRD' && !f.project) return missing('Project');
    if (scheduleType === 'FBM') {
      if (milestones.length === 0) return missing('Milestone');
      if (
        milestones.some(
          (m) => typeof m.milestoneAmount !== 'number' || m.milestoneAmount < 0 || m.milestoneAmount > 100,
        )
      ) {
        return userError('A milestone amount is a percentage between 0 and 100.', 'milestone');
      }
      if (milestones.some((m) => !m.milestoneDate)) return missing('Milestone Date');
      if (sum(milestones.map((m) => m.milestoneAmount as number)) > 100) {
        return userError('The total of the milestone percentages cannot exceed 100%.', 'milestone');
      }
    } else if (milestones.length > 0) {
      return userError(
        'Milestones can only be entered on a Fixed Bid, Milestone billing schedule.',
        'milestone',
      );
    }
    if (idOf(f.frequency) === 'CUSTOM') {
      if (recurrence.length === 0) return missing('Recurrence');
      if (recurrence.some((r) => !r.recurrenceDate || typeof r.amount !== 'number'))
        return missing('Recurrence Date');
      if (sum(recurrence.map((r) => r.amount as number)) > 100)
        return userError('The recurrence percentages cannot exceed 100%.', 'recurrence');
    } else if (recurrence.length > 0) {
      return userError('Recurrence lines need the Custom frequency.', 'recurrence');
    }
  }
  return undefined;
}

export function formatDuration(minutes: number): string {
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}

export function durationMinutes(value: unknown): number {
  const m = typeof value === 'string' ? /^(\d+):(\d\d)$/.exec(value) : null;
  return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
}
