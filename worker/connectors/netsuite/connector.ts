import type { Customer } from '../../../shared/model/contract';
import type { BillingSchedule } from '../../../shared/model/project';
import { ConnectorError } from '../errors';
import { guardedFetch, type OutboundPolicy } from '../outbound-guard';
import type {
  ErpInvoiceInput,
  ErpPort,
  ErpProjectInput,
  ExternalRecord,
  FetchLike,
  SetupCheck,
} from '../ports';
import { applyErpAmendment } from './amendment';
import { BILLING_SCHEDULE_SUBLISTS, billingScheduleBody } from './billing-schedule-body';
import {
  type NetSuiteConnection,
  type NetSuiteConnectionInput,
  NetSuiteConnectionSchema,
  suiteTalkBaseUrl,
  uiBaseUrl,
} from './config';
import { customerBody } from './customer-body';
import { toJson } from './decimal-json';
import { createDeliveryPosting, MAX_BATCH } from './delivery';
import { invoiceBody } from './delivery-bodies';
import { createDeliveryRefs } from './delivery-refs';
import { externalIdFor } from './external-id';
import { createInvoiceReader } from './invoices';
import { projectBody } from './project-body';
import { findIdByExternalId, putByExternalId } from './record-write';
import { createReferenceIds } from './reference-ids';
import { createRestClient, type RestClient, unexpected } from './rest-client';
import { type NetSuiteChoices, netsuiteChoices, netsuiteSetupChecks } from './setup';
import { createSuiteQl } from './suiteql';
import { clientCredentialsTokenSource, staticTokenSource } from './token-source';
import { SYSTEM } from './vendor-error';

type RecordType = 'customer' | 'job' | 'billingSchedule';

/** NetSuite UI pages for each record kind Handoff links to. */
type LinkKind = 'customer' | 'project' | 'billing_schedule' | 'invoice';
const UI_PATHS: Record<LinkKind, string> = {
  customer: '/app/common/entity/custjob.nl?id=',
  project: '/app/accounting/project/project.nl?id=',
  billing_schedule: '/app/accounting/otherlists/billingschedule.nl?id=',
  invoice: '/app/accounting/transactions/custinvc.nl?id=',
};

export interface NetSuiteConnectorDeps {
  fetch?: FetchLike;
  /** What the deployment allows beyond NetSuite's hosts (default: nothing, not even loopback). */
  outbound?: OutboundPolicy;
  /** Clock for token expiry (tests). */
  now?: () => number;
}

/**
 * Upsert by external id: `PUT /record/v1/{type}/eid:{externalId}` creates the record or updates the
 * one already carrying that external id, so a retry after a timeout or a response lost after commit
 * lands on the same record. NetSuite answers 204 with the record's URL in Location either way: one call,
 * and whether it created the record stays unknown (a lookup first would cost a call on every step).
 */
function upsert(
  client: RestClient,
  type: RecordType,
  externalId: string,
  body: Record<string, unknown>,
  replaceSublists: string[],
): Promise<string> {
  return putByExternalId(client, type, externalId, toJson(body), replaceSublists);
}

export interface NetSuiteConnector extends ErpPort {
  /** The console's connection test: a token, SuiteQL access, the chosen subsidiaries and the billing items. */
  checkSetup(): Promise<SetupCheck[]>;
  /** Subsidiaries and items to choose from, read live. */
  setupChoices(): Promise<NetSuiteChoices>;
}

export function createNetSuiteConnector(
  rawConfig: NetSuiteConnectionInput | NetSuiteConnection,
  deps: NetSuiteConnectorDeps = {},
): NetSuiteConnector {
  const config = NetSuiteConnectionSchema.parse(rawConfig);
  // Every request (token exchange included) passes the outbound guard and never follows a redirect.
  const fetchImpl = guardedFetch(deps.fetch ?? ((input, init) => fetch(input, init)), {
    system: 'netsuite',
    targets: 'netsuite',
    policy: deps.outbound,
  });
  const tokens =
    'accessToken' in config.auth
      ? staticTokenSource(config.auth.accessToken)
      : clientCredentialsTokenSource(config, config.auth, fetchImpl, deps.now);
  const client = createRestClient(suiteTalkBaseUrl(config), tokens, fetchImpl, config.timeoutMs);
  const refs = createReferenceIds(config, client);
  const query = createSuiteQl(client);
  const people = createDeliveryRefs(config, query);
  const posting = createDeliveryPosting({ config, client, query, refs, people });
  const ui = uiBaseUrl(config);

  function recordUrl(type: LinkKind, id: string): string {
    return `${ui}${UI_PATHS[type]}${encodeURIComponent(id)}`;
  }
  const invoices = createInvoiceReader(query, (id) => recordUrl('invoice', id));

  function result(kind: 'customer' | 'project' | 'billing_schedule', id: string): ExternalRecord {
    return { id, url: recordUrl(kind, id) };
  }

  return {
    system: SYSTEM,
    recordUrl,
    maxBatch: MAX_BATCH,
    checkSetup: () => netsuiteSetupChecks(config, tokens, query),
    setupChoices: () => netsuiteChoices(query),
    postTimeEntries: posting.postTimeEntries,
    postExpenses: posting.postExpenses,

    /**
     * Check, then create: an invoice already under this key is returned untouched (it may be emailed
     * or paid by now). The create is an upsert with replace=item, so even two racing first attempts
     * end as one invoice with the same lines. NetSuite numbers it; the number is read back.
     */
    async createInvoice(input: ErpInvoiceInput, key: string) {
      assertInternalId(input.projectId, 'projectId');
      const wrongCurrency = input.lines.find((l) => l.amount.currency !== input.currency);
      if (wrongCurrency || input.lines.length === 0) {
        throw new ConnectorError({
          system: SYSTEM,
          message: wrongCurrency
            ? `Invoice line "${wrongCurrency.description}" is in ${wrongCurrency.amount.currency}, the invoice in ${input.currency}`
            : 'An invoice needs at least one line',
          retryable: false,
          code: 'NETSUITE_INVOICE_INVALID',
          field: 'lines',
        });
      }
      const externalId = await externalIdFor(key);
      let id = await findIdByExternalId(client, 'invoice', externalId);
      if (!id) {
        const [currencyId, itemId] = await Promise.all([
          refs.currencyId(input.currency),
          people.itemId('invoice'),
        ]);
        id = await putByExternalId(
          client,
          'invoice',
          externalId,
          toJson(invoiceBody(input, { currencyId, itemId })),
          ['item'],
        );
      }
      const invoice = await invoices.byId(id);
      if (!invoice) throw unexpected('invoice read', `invoice ${id} not found after it was saved`);
      return invoice;
    },

    // Idempotent by content (read, compare, write only what differs), so the key is not needed to dedupe.
    applyAmendment: (input) => applyErpAmendment(client, config, input),

    // One small SuiteQL read (every account has currencies): the token and the REST API both answer.
    async probe() {
      await query('SELECT id FROM currency', 'connection re-test');
    },

    async listInvoices(projectId: string) {
      assertInternalId(projectId, 'projectId');
      return invoices.ofProject(projectId);
    },

    async upsertCustomer(customer: Customer, key: string) {
      const [subsidiaryId, currencyId, externalId] = await Promise.all([
        refs.subsidiaryId(customer.legalEntity.billingSubsidiary),
        refs.currencyId(customer.currency),
        externalIdFor(key),
      ]);
      const body = customerBody(customer, { subsidiaryId, currencyId });
      return result('customer', await upsert(client, 'customer', externalId, body, ['addressBook']));
    },

    async upsertProject(input: ErpProjectInput, key: string) {
      const [currencyId, externalId] = await Promise.all([
        refs.currencyId(input.contract.currency),
        externalIdFor(key),
      ]);
      const body = projectBody(input, { currencyId }, config.customFields);
      return result('project', await upsert(client, 'job', externalId, body, []));
    },

    async upsertBillingSchedule(
      input: { projectId: string; customerId: string; schedule: BillingSchedule; name: string },
      key: string,
    ) {
      assertInternalId(input.projectId, 'projectId');
      const externalId = await externalIdFor(key);
      const saved = await upsert(
        client,
        'billingSchedule',
        externalId,
        billingScheduleBody(input),
        BILLING_SCHEDULE_SUBLISTS,
      );
      return result('billing_schedule', saved);
    },

    // NetSuite does not attach a schedule to its project by itself ("Attaching a Billing Schedule to a
    // Project"); setting the same reference again on a retry is a no-op, so this stays idempotent.
    async attachBillingSchedule(projectId: string, scheduleId: string) {
      assertInternalId(projectId, 'projectId');
      assertInternalId(scheduleId, 'scheduleId');
      const attach = await client.send({
        method: 'PATCH',
        path: `/record/v1/job/${projectId}`,
        body: toJson({ billingSchedule: { id: scheduleId } }),
        context: 'project billing schedule link',
      });
      await attach.body?.cancel();
    },
  };
}

function assertInternalId(id: string, field: string): void {
  if (/^\d+$/.test(id)) return;
  throw new ConnectorError({
    system: SYSTEM,
    message: `"${id}" is not a NetSuite internal id (${field})`,
    retryable: false,
    code: 'NETSUITE_INVALID_PROJECT_ID',
    field,
  });
}
