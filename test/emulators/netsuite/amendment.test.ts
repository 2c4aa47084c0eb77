import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Contract, ContractSchema, type Customer } from '../../../shared/model/contract';
import type { BillingSchedule } from '../../../shared/model/project';
import { createNetSuiteConnector } from '../../../worker/connectors/netsuite';
import { EMULATOR_OUTBOUND } from '../../support/outbound';
import {
  createNetSuiteEmulator,
  type NetSuiteState,
  type NetSuiteTestCredentials,
  netsuiteTestCredentials,
} from './index';

const emulator = createNetSuiteEmulator();
let server: { url: string; close(): Promise<void> };
let creds: NetSuiteTestCredentials;
beforeAll(async () => {
  [server, creds] = await Promise.all([emulator.listen(0), netsuiteTestCredentials()]);
});
afterAll(() => server.close());

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' as const });
const customer: Customer = {
  crmAccountId: '001000000000001AAA',
  name: 'Acme',
  legalEntity: { name: 'Acme Industrie GmbH', billingSubsidiary: 'Lumen Partners GmbH' },
  billingAddress: { line1: 'Hauptstraße 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
  taxRegistration: { scheme: 'VAT', number: 'DE123456789' },
  currency: 'EUR',
};
const milestones = [
  { key: 'm1', name: 'Discovery', amount: eur(1_000_000), dueDate: '2025-02-01' },
  { key: 'm2', name: 'Build', amount: eur(2_000_000), dueDate: '2025-04-01' },
];
const contract: Contract = ContractSchema.parse({
  crmOpportunityId: '006A',
  number: 'SOW-2025-001',
  name: 'Acme platform rollout',
  status: 'signed',
  effectiveDate: '2025-01-06',
  endDate: '2025-06-30',
  currency: 'EUR',
  totalValue: eur(3_000_000),
  customer,
  billingModel: { type: 'fixed_fee', milestones },
});
const schedule = (ms: typeof milestones): BillingSchedule => ({
  type: 'milestone',
  currency: 'EUR',
  lines: ms.map((m) => ({
    key: m.key,
    description: m.name,
    date: m.dueDate,
    amount: m.amount,
    milestoneKey: m.key,
  })),
});

describe('NetSuite applyAmendment', () => {
  it('updates the billing schedule and the project once; the same amendment again writes nothing', async () => {
    const res = await fetch(`${server.url}/__emulator/instances`, {
      method: 'POST',
      body: JSON.stringify({ id: 'amend1', seed: 'demo', config: { options: creds.options } }),
    });
    const { baseUrl } = (await res.json()) as { baseUrl: string };
    const erp = createNetSuiteConnector(
      {
        accountId: 'TSTDRV42_SB1',
        baseUrl,
        auth: creds.auth,
        timeoutMs: 3000,
      },
      { outbound: EMULATOR_OUTBOUND },
    );
    const cust = await erp.upsertCustomer(customer, 'a:customer');
    const project = await erp.upsertProject(
      { name: 'Acme platform rollout', customerId: cust.id, contract },
      'a:project',
    );
    const sched = await erp.upsertBillingSchedule(
      {
        projectId: project.id,
        customerId: cust.id,
        schedule: schedule(milestones),
        name: 'SOW-2025-001 milestones',
      },
      'a:schedule',
    );
    const effects = async () =>
      (
        (await (await fetch(`${server.url}/__emulator/instances/amend1/effects`)).json()) as {
          effects: Record<string, number>;
        }
      ).effects;
    const before = await effects();

    const amended = [
      milestones[0]!,
      { ...milestones[1]!, amount: eur(2_500_000), dueDate: '2025-05-01' },
      { key: 'm3', name: 'Hypercare', amount: eur(500_000), dueDate: '2025-07-15' },
    ];
    const input = {
      projectId: project.id,
      billingScheduleId: sched.id,
      schedule: schedule(amended),
      endDate: '2025-07-31',
    };
    expect(await erp.applyAmendment(input, 'amd-1')).toEqual({ scheduleUpdated: true, projectUpdated: true });
    const once = await effects();
    expect((once['billingSchedule.update'] ?? 0) - (before['billingSchedule.update'] ?? 0)).toBe(1);
    expect((once['job.update'] ?? 0) - (before['job.update'] ?? 0)).toBe(1);

    expect(await erp.applyAmendment(input, 'amd-1')).toEqual({
      scheduleUpdated: false,
      projectUpdated: false,
    });
    expect(await effects()).toEqual(once);

    const s = (await (
      await fetch(`${server.url}/__emulator/instances/amend1/state`)
    ).json()) as NetSuiteState;
    const bs = s.records.billingSchedule[sched.id]!;
    expect(bs.sublists.milestone?.map((l) => [l.milestoneAmount, l.milestoneDate])).toEqual([
      [25, '2025-02-01'],
      [62.5, '2025-05-01'],
      [12.5, '2025-07-15'],
    ]);
    expect(s.records.job[project.id]!.fields).toMatchObject({
      jobPrice: 40000,
      projectedEndDate: '2025-07-31',
    });
  });
});
