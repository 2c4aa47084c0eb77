import type { z } from 'zod';
import type { Problem } from '../../../shared/api/activation';
import { type Contract, ContractSchema } from '../../../shared/model/contract';
import type { Money } from '../../../shared/model/money';
import { formatMoney, sumMoney } from '../../../shared/model/money';
import type { DealSnapshot, FieldSource } from '../../connectors/ports';

const EU_VAT_PREFIX: Record<string, string> = {
  AT: 'AT',
  BE: 'BE',
  BG: 'BG',
  CY: 'CY',
  CZ: 'CZ',
  DE: 'DE',
  DK: 'DK',
  EE: 'EE',
  ES: 'ES',
  FI: 'FI',
  FR: 'FR',
  GR: 'EL',
  HR: 'HR',
  HU: 'HU',
  IE: 'IE',
  IT: 'IT',
  LT: 'LT',
  LU: 'LU',
  LV: 'LV',
  MT: 'MT',
  NL: 'NL',
  PL: 'PL',
  PT: 'PT',
  RO: 'RO',
  SE: 'SE',
  SI: 'SI',
  SK: 'SK',
};

function humanField(path: string): string {
  const last =
    path
      .split('.')
      .filter((p) => !/^\d+$/.test(p))
      .pop() ?? path;
  return last.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

function getAt(value: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined),
    value,
  );
}

/** The most specific source known for a canonical path ("customer.billingAddress.postalCode" → Account.BillingPostalCode). */
function sourceFor(path: string, sources: Record<string, FieldSource>): FieldSource | undefined {
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n--) {
    const hit = sources[parts.slice(0, n).join('.')];
    if (hit) return hit;
  }
  return undefined;
}

function problem(path: string, message: string, sources: Record<string, FieldSource>, fix?: string): Problem {
  const source = sourceFor(path, sources);
  const where = source ? `${source.label} (${source.field})` : humanField(path);
  return {
    field: path,
    message,
    fix: fix ?? `Fill in or correct ${where}, then click Activate project again.`,
    ...(source ? { source } : {}),
  };
}

function zodProblems(error: z.ZodError, raw: unknown, sources: Record<string, FieldSource>): Problem[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const missing =
      getAt(raw, issue.path as (string | number)[]) === undefined ||
      getAt(raw, issue.path as (string | number)[]) === null;
    const message = missing ? `${humanField(path)} is missing` : `${humanField(path)}: ${issue.message}`;
    return problem(path, message, sources);
  });
}

function notSigned(status: string, sources: Record<string, FieldSource>): Problem {
  return problem(
    'status',
    `The contract is ${status}, not signed`,
    sources,
    'Close the opportunity as Closed Won and activate its contract once the customer has signed.',
  );
}

/**
 * Everything that must hold before Handoff writes anywhere. Returns every problem at once, each with
 * the field, a plain message and where to fix it in the CRM, so the seller fixes all of them in one go.
 */
export function validateContract(snapshot: DealSnapshot): { contract?: Contract; problems: Problem[] } {
  const { sources } = snapshot;
  const parsed = ContractSchema.safeParse(snapshot.contract);
  if (!parsed.success) {
    // Report the signature status too, even when other fields are missing: it is usually the first fix.
    const status = (snapshot.contract as { status?: unknown } | null)?.status;
    const unsigned =
      typeof status === 'string' && status !== 'signed' && status !== 'active'
        ? [notSigned(status, sources)]
        : [];
    return { problems: [...unsigned, ...zodProblems(parsed.error, snapshot.contract, sources)] };
  }
  const c = parsed.data;
  const problems: Problem[] = [];

  if (c.status !== 'signed' && c.status !== 'active') problems.push(notSigned(c.status, sources));
  if (c.endDate && c.endDate < c.effectiveDate) {
    problems.push(
      problem('endDate', `End date ${c.endDate} is before the start date ${c.effectiveDate}`, sources),
    );
  }

  const monies: [string, Money | undefined][] = [
    ['totalValue', c.totalValue],
    ['expensePolicy.travelNotToExceed', c.expensePolicy.travelNotToExceed],
    ...(c.billingModel.type === 'fixed_fee'
      ? c.billingModel.milestones.map(
          (m, i) => [`billingModel.milestones.${i}.amount`, m.amount] as [string, Money],
        )
      : []),
    ...(c.billingModel.type === 'time_and_materials'
      ? [['billingModel.notToExceed', c.billingModel.notToExceed] as [string, Money | undefined]]
      : []),
    ...(c.billingModel.type === 'retainer'
      ? [['billingModel.amountPerPeriod', c.billingModel.amountPerPeriod] as [string, Money]]
      : []),
    ...(c.rateCard?.rates.map((r, i) => [`rateCard.rates.${i}.rate`, r.rate] as [string, Money]) ?? []),
  ];
  for (const [path, m] of monies) {
    if (m && m.currency !== c.currency) {
      problems.push(
        problem(
          path,
          `${humanField(path)} is in ${m.currency} but the contract is in ${c.currency}`,
          sources,
          `Use ${c.currency} for every amount on this deal, or change the deal's currency.`,
        ),
      );
    }
  }
  if (c.customer.currency !== c.currency) {
    problems.push(
      problem(
        'customer.currency',
        `The customer is billed in ${c.customer.currency} but the contract is in ${c.currency}`,
        sources,
      ),
    );
  }

  const bm = c.billingModel;
  if (bm.type === 'fixed_fee') {
    const same = bm.milestones.every((m) => m.amount.currency === c.currency);
    if (same) {
      const total = sumMoney(
        bm.milestones.map((m) => m.amount),
        c.currency,
      );
      if (total.amountMinor !== c.totalValue.amountMinor) {
        problems.push(
          problem(
            'billingModel.milestones',
            `Milestones add up to ${formatMoney(total)} but the contract value is ${formatMoney(c.totalValue)}`,
            sources,
            'Make the milestone amounts add up to the opportunity amount (or correct the amount).',
          ),
        );
      }
    }
    bm.milestones.forEach((m, i) => {
      if (m.dueDate < c.effectiveDate || (c.endDate && m.dueDate > c.endDate)) {
        problems.push(
          problem(
            `billingModel.milestones.${i}.dueDate`,
            `Milestone "${m.name}" is due ${m.dueDate}, outside the contract term`,
            sources,
          ),
        );
      }
    });
  }
  if (bm.type === 'time_and_materials') {
    if (!c.rateCard) {
      problems.push(
        problem(
          'rateCard',
          'A time-and-materials contract needs a rate card',
          sources,
          'Add at least one Handoff Rate (role and hourly rate) to the opportunity.',
        ),
      );
    }
    if (bm.notToExceed && bm.notToExceed.amountMinor <= 0) {
      problems.push(
        problem('billingModel.notToExceed', 'The not-to-exceed cap must be more than zero', sources),
      );
    }
  }
  if (bm.type === 'retainer' && bm.amountPerPeriod.currency === c.currency) {
    const expected = bm.amountPerPeriod.amountMinor * bm.periods;
    if (expected !== c.totalValue.amountMinor) {
      problems.push(
        problem(
          'billingModel.amountPerPeriod',
          `${bm.periods} periods of ${formatMoney(bm.amountPerPeriod)} do not add up to the contract value ${formatMoney(c.totalValue)}`,
          sources,
        ),
      );
    }
  }
  c.rateCard?.rates.forEach((r, i) => {
    if (r.effectiveTo && r.effectiveTo < r.effectiveFrom) {
      problems.push(
        problem(`rateCard.rates.${i}.effectiveTo`, `The ${r.role} rate ends before it starts`, sources),
      );
    }
  });

  const vatPrefix = EU_VAT_PREFIX[c.customer.billingAddress.country];
  if (vatPrefix) {
    const tax = c.customer.taxRegistration;
    if (
      tax.scheme.toUpperCase() !== 'VAT' ||
      !tax.number.toUpperCase().replace(/\s/g, '').startsWith(vatPrefix)
    ) {
      problems.push(
        problem(
          'customer.taxRegistration.number',
          `A customer in ${c.customer.billingAddress.country} needs an EU VAT number starting with ${vatPrefix}`,
          sources,
          `Enter the VAT number with its ${vatPrefix} prefix and set the tax scheme to VAT.`,
        ),
      );
    }
  }
  return problems.length ? { problems } : { contract: c, problems };
}
