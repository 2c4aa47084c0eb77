import { byExternalId } from './external-id-index';
import { durationMinutes } from './record-rules';
import { type NetSuiteState, type RecordType, type StoredRecord, TRANSACTION_TYPES } from './state';

/**
 * The SuiteQL tables the emulator keeps, with the column names SuiteQL uses (lower case). Rows are
 * built on demand; `id` and `externalid` lookups go through the indexes so a query for a batch of
 * external ids costs O(batch), not O(table).
 */
export type Row = Record<string, string>;
export interface Table {
  rows(): Iterable<Row>;
  lookup?(column: 'id' | 'externalid', value: string): Row[];
}

const text = (v: unknown) =>
  v === undefined || v === null
    ? ''
    : typeof v === 'object'
      ? String((v as { id?: unknown }).id ?? '')
      : String(v);
const tf = (v: unknown) => (v === true ? 'T' : 'F');
/** SuiteQL shows dates in the account's date format (here the US default, M/D/YYYY) unless TO_CHAR'd. */
export const accountDate = (iso: unknown) => {
  const m = typeof iso === 'string' ? /^(\d{4})-(\d{2})-(\d{2})/.exec(iso) : null;
  return m ? `${Number(m[2])}/${Number(m[3])}/${m[1]}` : '';
};

function* mapped<T>(values: Iterable<T>, f: (v: T) => Row): Iterable<Row> {
  for (const v of values) yield f(v);
}

function recordTable(
  state: NetSuiteState,
  types: RecordType[],
  row: (r: StoredRecord, type: RecordType) => Row,
): Table {
  return {
    *rows() {
      for (const type of types) yield* mapped(Object.values(state.records[type]), (r) => row(r, type));
    },
    lookup(column, value) {
      const out: Row[] = [];
      for (const type of types) {
        const r = column === 'id' ? state.records[type][value] : byExternalId(state, type, value);
        if (r) out.push(row(r, type));
      }
      return out;
    },
  };
}

function transactionRow(r: StoredRecord, type: RecordType): Row {
  const f = r.fields;
  const entity = type === 'customerPayment' ? f.customer : type === 'expenseReport' ? f.employee : f.entity;
  const currency = type === 'expenseReport' ? f.expenseReportCurrency : f.currency;
  return {
    id: r.id,
    externalid: r.externalId ?? '',
    type: TRANSACTION_TYPES[type as keyof typeof TRANSACTION_TYPES],
    tranid: text(f.tranId),
    trandate: text(f.tranDate),
    entity: text(entity),
    status: text(f.status),
    currency: text(currency),
    foreigntotal: text(f.total ?? f.payment ?? ''),
    foreignamountpaid: type === 'invoice' ? text(f.amountPaid ?? 0) : '',
    foreignamountunpaid: type === 'invoice' ? text(f.amountRemaining ?? 0) : '',
    memo: text(f.memo),
    email: text(f.email),
    tobeemailed: tf(f.toBeEmailed),
    createddate: r.dateCreated,
  };
}

export function suiteQlTable(state: NetSuiteState, name: string): Table | undefined {
  switch (name) {
    case 'currency':
      return {
        rows: () =>
          mapped(Object.values(state.currencies), (c) => ({ id: c.id, symbol: c.symbol, name: c.name })),
      };
    case 'subsidiary':
      return {
        rows: () =>
          mapped(Object.values(state.subsidiaries), (s) => ({
            id: s.id,
            name: s.name,
            country: s.country,
            currency: s.currency,
          })),
      };
    case 'employee':
      return {
        rows: () =>
          mapped(Object.values(state.employees), (e) => ({
            id: e.id,
            entityid: e.entityId,
            firstname: e.firstName,
            lastname: e.lastName,
            email: e.email,
            title: e.title,
            subsidiary: e.subsidiary,
            isinactive: tf(e.isInactive),
          })),
      };
    case 'item':
      return {
        rows: () =>
          mapped(Object.values(state.items), (i) => ({
            id: i.id,
            itemid: i.itemId,
            displayname: i.displayName,
            itemtype: i.itemType,
            isinactive: 'F',
          })),
      };
    case 'expensecategory':
      return {
        rows: () =>
          mapped(Object.values(state.expenseCategories), (c) => ({
            id: c.id,
            name: c.name,
            isinactive: 'F',
          })),
      };
    case 'message':
      return {
        rows: () =>
          mapped(Object.values(state.messages), (m) => ({
            id: m.id,
            transaction: m.transaction,
            subject: m.subject,
            recipientemail: m.recipientEmail,
            messagedate: m.messageDate,
            emailed: 'T',
          })),
      };
    case 'customer':
      return recordTable(state, ['customer'], (r) => ({
        id: r.id,
        externalid: r.externalId ?? '',
        companyname: text(r.fields.companyName),
        entityid: text(r.fields.entityId),
        subsidiary: text(r.fields.subsidiary),
        currency: text(r.fields.currency),
      }));
    case 'job':
      return recordTable(state, ['job'], (r) => ({
        id: r.id,
        externalid: r.externalId ?? '',
        companyname: text(r.fields.companyName),
        entityid: text(r.fields.entityId),
        parent: text(r.fields.parent),
        jobbillingtype: text(r.fields.jobBillingType),
      }));
    case 'billingschedule':
      return recordTable(state, ['billingSchedule'], (r) => ({
        id: r.id,
        externalid: r.externalId ?? '',
        name: text(r.fields.name),
        scheduletype: text(r.fields.scheduleType),
        project: text(r.fields.project),
      }));
    case 'timebill':
      return recordTable(state, ['timeBill'], (r) => ({
        id: r.id,
        externalid: r.externalId ?? '',
        employee: text(r.fields.employee),
        customer: text(r.fields.customer),
        trandate: text(r.fields.tranDate),
        hours: String(durationMinutes(r.fields.hours) / 60),
        isbillable: tf(r.fields.isBillable),
        item: text(r.fields.item),
        rate: text(r.fields.rate),
        approvalstatus: text(r.fields.approvalStatus),
        memo: text(r.fields.memo),
      }));
    case 'transaction':
      return recordTable(state, ['invoice', 'expenseReport', 'customerPayment'], transactionRow);
    default:
      return undefined;
  }
}

/** Columns whose values are dates (shown in the account's format unless TO_CHAR'd). */
export const DATE_COLUMNS = new Set(['trandate', 'messagedate']);
