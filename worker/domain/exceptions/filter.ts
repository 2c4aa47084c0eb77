import { and, eq, inArray, isNull, lt, not, notInArray, or, type SQL, sql } from 'drizzle-orm';
import type { ErrorDetail } from '../../../shared/api/errors';
import {
  EXCEPTION_STATUSES,
  type ExceptionFilter,
  ExceptionFilterFields,
  type ExceptionStatus,
  type SlaPolicy,
  TAG_PATTERN,
} from '../../../shared/api/exceptions';
import { exceptionsTable, exceptionTagsTable } from '../../db/schema';
import { ApiError } from '../../http/api-error';

const HOUR_MS = 3_600_000;
const TOKEN = /^[\w.@:+-]{1,120}$/;
const MAX_VALUES = 20;

type Raw = Record<string, unknown>;

/**
 * The workbench's filters from a query string or a job's `selection.filter`: every value checked, and each
 * one that is wrong named with its fix (under `prefix`, e.g. `selection.filter.`), all at once.
 */
export function parseExceptionFilter(raw: Raw, prefix = ''): ExceptionFilter {
  const problems: ErrorDetail[] = [];
  const bad = (field: keyof typeof ExceptionFilterFields | string, message: string, fix: string) =>
    problems.push({ field: `${prefix}${field}`, message, fix });
  const known = new Set(Object.keys(ExceptionFilterFields));
  for (const k of Object.keys(raw))
    if (!known.has(k) && raw[k] !== undefined)
      bad(k, `Unknown filter ${k}`, `Filter by ${[...known].join(', ')}.`);

  const list = (field: 'status' | 'owner' | 'code' | 'system'): string[] | undefined => {
    const v = raw[field];
    if (v === undefined || v === '') return undefined;
    const values = (Array.isArray(v) ? v : [v]).flatMap((x) =>
      typeof x === 'string' ? x.split(',').map((s) => s.trim()) : [x],
    );
    if (values.length > MAX_VALUES || values.some((x) => typeof x !== 'string' || !TOKEN.test(x))) {
      bad(
        field,
        `${field} must be up to ${MAX_VALUES} values of letters, digits or . _ @ : + -`,
        `Send ${field} as ${ExceptionFilterFields[field]}; several comma-separated.`,
      );
      return undefined;
    }
    return [...new Set(values as string[])];
  };
  const one = (field: 'projectKey' | 'assignee' | 'tag', pattern: RegExp): string | undefined => {
    const v = raw[field];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string' || !pattern.test(v)) {
      bad(field, `${field} is not valid`, `Send ${field} as ${ExceptionFilterFields[field]}.`);
      return undefined;
    }
    return v;
  };

  const out: ExceptionFilter = {};
  const status = list('status');
  if (status) {
    const unknown = status.filter((s) => !(EXCEPTION_STATUSES as readonly string[]).includes(s));
    if (unknown.length)
      bad('status', `Unknown status ${unknown.join(', ')}`, `Use ${ExceptionFilterFields.status}.`);
    else out.status = status as ExceptionStatus[];
  }
  for (const f of ['owner', 'code', 'system'] as const) {
    const v = list(f);
    if (v) out[f] = v;
  }
  const projectKey = one('projectKey', /^[\w.:-]{1,64}$/);
  if (projectKey) out.projectKey = projectKey;
  const assignee = one('assignee', TOKEN);
  if (assignee) out.assignee = assignee === 'none' ? null : assignee;
  const tag = one('tag', TAG_PATTERN);
  if (tag) out.tag = tag;

  const hours = raw.olderThanHours;
  if (hours !== undefined && hours !== '') {
    const n = typeof hours === 'string' && /^\d+(\.\d+)?$/.test(hours) ? Number(hours) : hours;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 24 * 3650)
      bad('olderThanHours', 'olderThanHours must be a number of hours', 'Send e.g. olderThanHours=24.');
    else out.olderThanHours = n;
  }
  const overdue = raw.overdue;
  if (overdue !== undefined && overdue !== '') {
    if (overdue === true || overdue === 'true') out.overdue = true;
    else if (overdue === false || overdue === 'false') out.overdue = false;
    else bad('overdue', 'overdue must be true or false', 'Send overdue=true or overdue=false.');
  }
  const q = raw.q;
  if (q !== undefined && q !== '') {
    if (typeof q !== 'string' || q.trim().length === 0 || q.length > 200)
      bad('q', 'q must be 1-200 characters', 'Search with a few words, or an exception or subject id.');
    else out.q = q.trim();
  }
  if (problems.length)
    throw new ApiError(
      'BAD_REQUEST',
      'The filters are not valid; see details for each one to fix.',
      problems,
    );
  return out;
}

/** Hours an owner has before an open exception is overdue. */
export const slaHours = (policy: SlaPolicy, owner: string) => policy.owners[owner] ?? policy.defaultHours;

const OPEN: ExceptionStatus[] = ['open', 'retrying'];

/** Open and past the owner's SLA at `nowMs`, as a condition (one branch per owner the policy names). */
export function overdueCondition(policy: SlaPolicy, nowMs: number): SQL {
  const before = (hours: number) => new Date(nowMs - hours * HOUR_MS).toISOString();
  const named = Object.keys(policy.owners);
  const late = or(
    ...named.map((o) =>
      and(eq(exceptionsTable.owner, o), lt(exceptionsTable.createdAt, before(policy.owners[o]!))),
    ),
    and(
      named.length ? notInArray(exceptionsTable.owner, named) : undefined,
      lt(exceptionsTable.createdAt, before(policy.defaultHours)),
    ),
  )!;
  return and(inArray(exceptionsTable.status, OPEN), late)!;
}

/** The filter as conditions on `exceptions`, always within the tenant. */
export function filterConditions(
  tenantId: string,
  f: ExceptionFilter,
  policy: SlaPolicy,
  nowMs: number,
): SQL[] {
  const conds: SQL[] = [eq(exceptionsTable.tenantId, tenantId)];
  if (f.status) conds.push(inArray(exceptionsTable.status, f.status));
  if (f.owner) conds.push(inArray(exceptionsTable.owner, f.owner));
  if (f.code) conds.push(inArray(exceptionsTable.code, f.code));
  if (f.system) conds.push(inArray(exceptionsTable.system, f.system));
  if (f.projectKey) conds.push(eq(exceptionsTable.projectKey, f.projectKey));
  if (f.assignee === null) conds.push(isNull(exceptionsTable.assignee));
  else if (f.assignee) conds.push(eq(exceptionsTable.assignee, f.assignee));
  if (f.tag)
    conds.push(
      sql`exists (select 1 from ${exceptionTagsTable} where ${exceptionTagsTable.tenantId} = ${exceptionsTable.tenantId} and ${exceptionTagsTable.exceptionId} = ${exceptionsTable.id} and ${exceptionTagsTable.tag} = ${f.tag})`,
    );
  if (f.olderThanHours !== undefined)
    conds.push(lt(exceptionsTable.createdAt, new Date(nowMs - f.olderThanHours * HOUR_MS).toISOString()));
  if (f.overdue !== undefined) {
    const overdue = overdueCondition(policy, nowMs);
    conds.push(f.overdue ? overdue : not(overdue));
  }
  if (f.q) {
    const pattern = `%${f.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    conds.push(
      or(
        sql`${exceptionsTable.title} like ${pattern} escape '\\'`,
        sql`${exceptionsTable.reason} like ${pattern} escape '\\'`,
        eq(exceptionsTable.subjectId, f.q),
        eq(exceptionsTable.id, f.q),
      )!,
    );
  }
  return conds;
}

/** A position in the list (newest first): the last row's creation time and id. */
export interface ListCursor {
  createdAt: string;
  id: string;
}

export function encodeCursor(c: ListCursor): string {
  return btoa(`${c.createdAt}|${c.id}`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeCursor(raw: string): ListCursor {
  let text = '';
  try {
    text = atob(raw.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    // refused below
  }
  const m = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\|([\w.:-]{1,128})$/.exec(text);
  if (!m)
    throw new ApiError('BAD_REQUEST', 'The cursor is not one this list gave.', [
      {
        field: 'cursor',
        message: 'not a cursor of this list',
        fix: 'Send the nextCursor of the previous page unchanged, or leave cursor out to start from the newest.',
      },
    ]);
  return { createdAt: m[1]!, id: m[2]! };
}

/** Rows after the cursor in the list's order (created_at, id descending). */
export function afterCursor(c: ListCursor): SQL {
  return or(
    lt(exceptionsTable.createdAt, c.createdAt),
    and(eq(exceptionsTable.createdAt, c.createdAt), lt(exceptionsTable.id, c.id)),
  )!;
}
