import { type Money, sumMoney } from '../../../shared/model/money';
import { ConnectorError } from '../errors';
import type { ErpAmendmentInput } from '../ports';
import { BILLING_SCHEDULE_SUBLISTS, billingScheduleBody } from './billing-schedule-body';
import type { NetSuiteConnection } from './config';
import { moneyNumber, toJson } from './decimal-json';
import type { RestClient } from './rest-client';
import { SYSTEM } from './vendor-error';

/**
 * applyAmendment updates the project's billing schedule and the project (`job`) itself. NetSuite
 * commits every PATCH as a new save (lastModifiedDate, system notes), so each record is read first
 * (`GET ...?expandSubResources=true`) and written only where it differs: a retry, or the same amendment
 * delivered twice, writes nothing. Sublists are replaced (`?replace=milestone,recurrence`), never appended.
 */

type Json = Record<string, unknown>;

async function read(client: RestClient, type: string, id: string): Promise<Json> {
  const res = await client.send({
    method: 'GET',
    path: `/record/v1/${type}/${id}`,
    query: { expandSubResources: 'true' },
    context: `${type} read`,
  });
  return (await res.json()) as Json;
}

async function patch(client: RestClient, type: string, id: string, body: Json, replace: string[] = []) {
  const res = await client.send({
    method: 'PATCH',
    path: `/record/v1/${type}/${id}`,
    query: replace.length ? { replace: replace.join(',') } : undefined,
    body: toJson(body),
    context: `${type} amendment`,
  });
  await res.body?.cancel();
}

const num = (v: unknown) => (v === undefined || v === null ? undefined : Number(v));
/** A decimalLiteral (JSON.rawJSON object where supported) as a number, for comparison only. */
const lit = (v: unknown) => Number(typeof v === 'object' ? JSON.stringify(v) : v);
const idOf = (v: unknown) =>
  v && typeof v === 'object' ? String((v as { id?: unknown }).id ?? '') : undefined;
const itemsOf = (v: unknown) => ((v as { items?: Json[] } | undefined)?.items ?? []) as Json[];

/** The wanted schedule's comparable content against what NetSuite holds. */
function scheduleDiffers(current: Json, wanted: Json): boolean {
  if (idOf(current.scheduleType) !== idOf(wanted.scheduleType)) return true;
  const compare = (name: string, fields: string[]) => {
    const have = itemsOf(current[name]);
    const want = itemsOf(wanted[name]);
    if (have.length !== want.length) return true;
    return want.some((w, i) =>
      fields.some((f) => {
        const a = have[i]?.[f];
        const b = w[f];
        return typeof b === 'object' || typeof b === 'number' ? num(a) !== lit(b) : a !== b;
      }),
    );
  };
  return (
    compare('milestone', ['milestoneAmount', 'milestoneDate', 'comments']) ||
    compare('recurrence', ['recurrenceDate', 'amount'])
  );
}

function assertId(id: string, field: string) {
  if (!/^\d+$/.test(id))
    throw new ConnectorError({
      system: SYSTEM,
      message: `"${id}" is not a NetSuite internal id`,
      retryable: false,
      code: 'NETSUITE_INVALID_ID',
      field,
    });
}

export async function applyErpAmendment(
  client: RestClient,
  config: NetSuiteConnection,
  input: ErpAmendmentInput,
): Promise<{ scheduleUpdated: boolean; projectUpdated: boolean }> {
  assertId(input.projectId, 'projectId');
  assertId(input.billingScheduleId, 'billingScheduleId');
  const { schedule } = input;
  const cap = input.notToExceed;
  if (cap && cap.currency !== schedule.currency)
    throw new ConnectorError({
      system: SYSTEM,
      message: `The not-to-exceed is in ${cap.currency}, the schedule in ${schedule.currency}`,
      retryable: false,
      code: 'NETSUITE_SCHEDULE_INVALID',
      field: 'notToExceed',
    });

  const current = await read(client, 'billingSchedule', input.billingScheduleId);
  const wanted = billingScheduleBody({
    projectId: input.projectId,
    schedule,
    name: String(current.name ?? ''),
  });
  let scheduleUpdated = false;
  if (scheduleDiffers(current, wanted)) {
    const { name: _name, project: _project, ...changes } = wanted;
    await patch(client, 'billingSchedule', input.billingScheduleId, changes, BILLING_SCHEDULE_SUBLISTS);
    scheduleUpdated = true;
  }

  const job = await read(client, 'job', input.projectId);
  const price: Money | undefined =
    input.price ??
    (schedule.lines.length
      ? sumMoney(
          schedule.lines.map((l) => l.amount),
          schedule.currency,
        )
      : undefined);
  const change: Json = {};
  if (price && num(job.jobPrice) !== lit(moneyNumber(price))) change.jobPrice = moneyNumber(price);
  if (input.endDate && job.projectedEndDate !== input.endDate) change.projectedEndDate = input.endDate;
  const capField = config.customFields.notToExceed;
  if (cap && capField && num(job[capField]) !== lit(moneyNumber(cap))) change[capField] = moneyNumber(cap);
  if (Object.keys(change).length) await patch(client, 'job', input.projectId, change);
  return { scheduleUpdated, projectUpdated: Object.keys(change).length > 0 };
}
