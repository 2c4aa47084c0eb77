import type { Customer } from '../../../shared/model/contract';

/** Tax schemes NetSuite keeps in the customer's VAT registration number; a US EIN has no customer field. */
const VAT_LIKE = new Set(['VAT', 'GST', 'HST', 'ABN', 'UID', 'USTID', 'TVA', 'IVA', 'BTW', 'MWST']);

/**
 * Canonical customer → NetSuite `customer` record body (REST record v1). References are `{ id }`
 * objects; the address book is a sublist of `items`, each with an `addressBookAddress` subrecord.
 * The upsert sends `replace=addressBook` so a retried write replaces the line instead of adding one.
 */
export function customerBody(
  customer: Customer,
  refs: { subsidiaryId: string; currencyId: string },
): Record<string, unknown> {
  const a = customer.billingAddress;
  const body: Record<string, unknown> = {
    companyName: customer.legalEntity.name,
    isPerson: false,
    subsidiary: { id: refs.subsidiaryId },
    currency: { id: refs.currencyId },
    addressBook: {
      items: [
        {
          label: 'Billing',
          defaultBilling: true,
          defaultShipping: true,
          addressBookAddress: {
            addressee: customer.legalEntity.name,
            addr1: a.line1,
            ...(a.line2 ? { addr2: a.line2 } : {}),
            city: a.city,
            ...(a.region ? { state: a.region } : {}),
            zip: a.postalCode,
            country: { id: a.country },
          },
        },
      ],
    },
  };
  if (customer.email) body.email = customer.email;
  if (VAT_LIKE.has(customer.taxRegistration.scheme.toUpperCase()))
    body.vatRegNumber = customer.taxRegistration.number;
  return body;
}
