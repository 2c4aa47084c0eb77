import { APPROVAL_STATUSES, JOB_BILLING_TYPES, SCHEDULE_TYPES } from './record-rules';
import { recordHref } from './record-store';
import type { NetSuiteState, RecordType, StoredRecord } from './state';
import { INVOICE_STATUSES } from './transaction-rules';

/** How GET shows a record: references as `{ id, refName, links }`, sublists as links unless expanded. */
const REF_TYPES: Record<string, string> = {
  subsidiary: 'subsidiary',
  currency: 'currency',
  parent: 'customer',
  project: 'job',
  billingSchedule: 'billingSchedule',
  employee: 'employee',
  customer: 'customer',
  entity: 'customer',
  item: 'serviceItem',
  category: 'expenseCategory',
  doc: 'invoice',
  expenseReportCurrency: 'currency',
};
const SELECT_LABELS: Record<string, Record<string, string>> = {
  jobBillingType: JOB_BILLING_TYPES,
  scheduleType: SCHEDULE_TYPES,
  approvalStatus: APPROVAL_STATUSES,
  status: INVOICE_STATUSES,
  price: { '-1': 'Custom', '1': 'Base Price' },
};

function refName(state: NetSuiteState, target: string, id: string): string | undefined {
  if (target === 'subsidiary') return state.subsidiaries[id]?.name;
  if (target === 'currency') return state.currencies[id]?.name;
  if (target === 'employee') return state.employees[id]?.entityId;
  if (target === 'serviceItem') return state.items[id]?.itemId;
  if (target === 'expenseCategory') return state.expenseCategories[id]?.name;
  if (target === 'invoice') return state.records.invoice[id]?.fields.tranId as string | undefined;
  // Customers and projects share the entity id sequence: a reference to either resolves here.
  const record =
    state.records[target as RecordType]?.[id] ?? (target === 'customer' ? state.records.job[id] : undefined);
  return (record?.fields.companyName ?? record?.fields.name) as string | undefined;
}

function viewValue(state: NetSuiteState, base: string, name: string, value: unknown): unknown {
  const id = (value as { id?: unknown } | null)?.id;
  if (typeof id !== 'string') return value;
  const named = REF_TYPES[name];
  const target = named === 'customer' && !state.records.customer[id] && state.records.job[id] ? 'job' : named;
  if (target)
    return {
      links: [{ rel: 'self', href: recordHref(base, target, id) }],
      id,
      refName: refName(state, target, id) ?? id,
    };
  return { id, refName: SELECT_LABELS[name]?.[id] ?? id };
}

export function sublistView(base: string, type: RecordType, record: StoredRecord, name: string) {
  const lines = record.sublists[name] ?? [];
  const href = `${recordHref(base, type, record.id)}/${name}`;
  return {
    links: [{ rel: 'self', href }],
    items: lines.map((line) => ({ links: [], ...line })),
    totalResults: lines.length,
    count: lines.length,
    hasMore: false,
    offset: 0,
  };
}

export function recordView(
  state: NetSuiteState,
  base: string,
  type: RecordType,
  record: StoredRecord,
  opts: { fields?: string[]; expandSubResources?: boolean },
): Record<string, unknown> {
  const self = recordHref(base, type, record.id);
  const view: Record<string, unknown> = { links: [{ rel: 'self', href: self }], id: record.id };
  if (record.externalId) view.externalId = record.externalId;
  view.dateCreated = record.dateCreated;
  view.lastModifiedDate = record.lastModifiedDate;
  for (const [name, value] of Object.entries(record.fields)) view[name] = viewValue(state, base, name, value);
  for (const name of Object.keys(record.sublists)) {
    view[name] = opts.expandSubResources
      ? sublistView(base, type, record, name)
      : { links: [{ rel: 'self', href: `${self}/${name}` }] };
  }
  if (!opts.fields) return view;
  const keep = new Set(['links', 'id', ...opts.fields]);
  return Object.fromEntries(Object.entries(view).filter(([k]) => keep.has(k)));
}
