import { formatMoney } from '../../../shared/model/money';
import type { PsaBillingStatus } from '../ports';
import { type KantataContext, kantataId } from './context';
import { findReferences, type ReferenceWrite, upsertReference } from './references';
import type { KantataExternalReference } from './schemas';

/**
 * Billing status shown on the Kantata project through external references, Kantata's documented way for an
 * integration to show an object's state in another system (`external_status`, `external_message`,
 * `external_link`, shown on the project's integrations panel): one summary reference (billed, paid,
 * unbilled, invoice numbers) and one per ERP invoice. `create_or_update` is an upsert and references that
 * already say the same are not rewritten, so publishing the same status again writes nothing.
 */

export const billingServiceName = (ctx: KantataContext) => `${ctx.config.serviceName} billing`;
export const invoiceServiceName = (ctx: KantataContext, number: string) =>
  `${ctx.config.serviceName} invoice ${number}`;

function overall(s: PsaBillingStatus): string {
  if (s.billed.amountMinor === 0) return 'unbilled';
  if (s.unbilled.amountMinor > 0) return 'partially billed';
  return s.paid.amountMinor >= s.billed.amountMinor ? 'paid' : 'billed';
}

function summaryMessage(s: PsaBillingStatus): string {
  const invoices = s.invoices.map((i) => `${i.number} ${i.status}`).join(', ');
  return [
    `Billed ${formatMoney(s.billed)}`,
    `Paid ${formatMoney(s.paid)}`,
    `Unbilled ${formatMoney(s.unbilled)}`,
    invoices ? `Invoices: ${invoices}` : 'No invoices yet',
  ].join(' · ');
}

const invoiceMessage = (i: PsaBillingStatus['invoices'][number]) =>
  `${i.number}: ${formatMoney(i.total)}, ${i.status}`;

function same(r: KantataExternalReference | undefined, w: ReferenceWrite): boolean {
  return (
    !!r &&
    r.service_model === w.serviceModel &&
    r.service_model_ref === w.serviceModelRef &&
    (r.external_status ?? undefined) === w.externalStatus &&
    (r.external_message ?? undefined) === w.externalMessage &&
    (r.external_link ?? undefined) === w.externalLink &&
    r.status === 'successful'
  );
}

export async function publishBillingStatus(
  ctx: KantataContext,
  projectId: string,
  status: PsaBillingStatus,
): Promise<void> {
  kantataId(projectId, 'project id');
  const writes: ReferenceWrite[] = [
    {
      subjectType: 'Workspace',
      subjectId: projectId,
      serviceName: billingServiceName(ctx),
      serviceModel: 'billing_status',
      serviceModelRef: projectId,
      externalStatus: overall(status),
      externalMessage: summaryMessage(status),
    },
    ...status.invoices.map((i) => ({
      subjectType: 'Workspace',
      subjectId: projectId,
      serviceName: invoiceServiceName(ctx, i.number),
      serviceModel: 'invoice',
      serviceModelRef: i.number,
      externalStatus: i.status,
      externalMessage: invoiceMessage(i),
      externalLink: i.url,
    })),
  ];
  const existing = await findReferences(ctx, { subjectType: 'Workspace', subjectId: projectId });
  for (const w of writes) {
    if (
      same(
        existing.find((r) => r.service_name === w.serviceName),
        w,
      )
    )
      continue;
    await upsertReference(ctx, w);
  }
}
