import type { Contract, TeamRole } from '../../../shared/model/contract';
import { allocateMoney, money, sumMoney } from '../../../shared/model/money';
import type { BillingSchedule, ProjectSpec, WbsNode } from '../../../shared/model/project';

/** Phases every project template starts with; milestones add a phase each with their deliverables. */
const TEMPLATE_PHASES: Record<string, string[]> = {
  'standard-delivery': ['Mobilisation', 'Delivery', 'Closure'],
  'fixed-fee-delivery': ['Mobilisation', 'Closure'],
  'time-and-materials': ['Mobilisation', 'Delivery', 'Closure'],
};

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function teamOf(contract: Contract): TeamRole[] {
  if (contract.team.length) return contract.team;
  const roles = new Map<string, TeamRole>();
  for (const rate of contract.rateCard?.rates ?? [])
    if (!roles.has(rate.role)) roles.set(rate.role, { role: rate.role });
  return [...roles.values()];
}

/** The PSA project a contract becomes: template, WBS, milestones, rate card, budget and roles. */
export function planProject(contract: Contract): ProjectSpec {
  const phases = TEMPLATE_PHASES[contract.projectTemplate] ?? TEMPLATE_PHASES['standard-delivery']!;
  const milestones = contract.billingModel.type === 'fixed_fee' ? contract.billingModel.milestones : [];
  const wbs: WbsNode[] = phases.map((name) => ({ key: `phase-${slug(name)}`, name }));
  const closure = wbs.pop();
  for (const m of milestones) {
    wbs.push({
      key: `ms-${m.key}`,
      name: m.name,
      children: m.deliverables.map((d, i) => ({ key: `ms-${m.key}-d${i + 1}`, name: d })),
    });
  }
  if (closure) wbs.push(closure);
  const bm = contract.billingModel;
  const budget = bm.type === 'time_and_materials' && bm.notToExceed ? bm.notToExceed : contract.totalValue;
  return {
    name: `${contract.customer.name}: ${contract.name}`,
    template: contract.projectTemplate,
    startDate: contract.effectiveDate,
    endDate: contract.endDate,
    budget,
    wbs,
    milestones,
    rateCard: contract.rateCard,
    team: teamOf(contract),
    description: `${contract.number}. Provisioned by Handoff from CRM opportunity ${contract.crmOpportunityId}.`,
  };
}

function addMonths(isoDate: string, months: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

/** The ERP billing schedule: milestone amounts, T&M with its cap, or the retainer's periods. */
export function planBillingSchedule(contract: Contract): BillingSchedule {
  const bm = contract.billingModel;
  switch (bm.type) {
    case 'fixed_fee':
      return {
        type: 'milestone',
        currency: contract.currency,
        lines: bm.milestones.map((m) => ({
          key: m.key,
          description: m.clause ? `${m.name} (${m.clause})` : m.name,
          date: m.dueDate,
          amount: m.amount,
          milestoneKey: m.key,
        })),
      };
    case 'time_and_materials':
      return {
        type: 'time_and_materials',
        currency: contract.currency,
        lines: [],
        notToExceed: bm.notToExceed,
        frequency: 'monthly',
      };
    case 'retainer': {
      const step = bm.period === 'monthly' ? 1 : 3;
      const total = money(bm.amountPerPeriod.amountMinor * bm.periods, bm.amountPerPeriod.currency);
      const shares = allocateMoney(
        total,
        Array.from({ length: bm.periods }, () => 1),
      );
      return {
        type: 'fixed_recurring',
        currency: contract.currency,
        frequency: bm.period,
        lines: shares.map((amount, i) => ({
          key: `period-${i + 1}`,
          description: `${contract.name}: retainer period ${i + 1} of ${bm.periods}`,
          date: addMonths(contract.effectiveDate, i * step),
          amount,
        })),
      };
    }
  }
}

export function scheduleTotal(schedule: BillingSchedule) {
  return sumMoney(
    schedule.lines.map((l) => l.amount),
    schedule.currency,
  );
}
