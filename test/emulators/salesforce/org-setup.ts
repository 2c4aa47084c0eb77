import { SfApiError } from './errors';
import type { SalesforceInstance } from './state';

/**
 * How far an emulated org is set up for Handoff, so a connection test can find what is missing:
 * - `options.missingFields: ["Opportunity.Handoff_Billing_Model__c", ...]`: fields the org lacks (not deployed,
 *   or hidden from the user by field-level security): left out of describe, refused in SOQL (INVALID_FIELD);
 * - `options.missingObjects: ["Handoff_Rate__c"]`: objects it lacks (404 on describe, INVALID_TYPE in SOQL);
 * - `options.handoffPlugin`: `"deployed"` (default: the package's LWC and Apex deployed from source, as
 *   `npm run sf:deploy` does), `"package"` (installed as a package named Handoff) or `"absent"`, answered by the
 *   Tooling API (`GET /services/data/vXX.X/tooling/query?q=...`) for InstalledSubscriberPackage,
 *   LightningComponentBundle and ApexClass.
 */

const list = (inst: SalesforceInstance, key: string): string[] => {
  const v = (inst.config.options as Record<string, unknown>)[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
};

/** Lower-cased "object.field" names the org lacks. */
export function hiddenFields(inst: SalesforceInstance): Set<string> {
  return new Set(list(inst, 'missingFields').map((f) => f.toLowerCase()));
}

export function objectMissing(inst: SalesforceInstance, name: string): boolean {
  return list(inst, 'missingObjects').some((o) => o.toLowerCase() === name.toLowerCase());
}

/** Refuses a query naming an object or a field the org lacks, as Salesforce would. */
export function checkQueryAgainstSetup(inst: SalesforceInstance, q: string): void {
  const from = /\bFROM\s+(\w+)/i.exec(q)?.[1];
  if (!from) return;
  if (objectMissing(inst, from))
    throw new SfApiError(
      400,
      'INVALID_TYPE',
      `sObject type '${from}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  for (const hidden of hiddenFields(inst)) {
    const [object, field] = hidden.split('.') as [string, string];
    if (object !== from.toLowerCase()) continue;
    if (new RegExp(`\\b${field}\\b`, 'i').test(q))
      throw new SfApiError(
        400,
        'INVALID_FIELD',
        `No such column '${field}' on entity '${from}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
  }
}

type Plugin = 'deployed' | 'package' | 'absent';
const pluginOf = (inst: SalesforceInstance): Plugin => {
  const v = (inst.config.options as Record<string, unknown>).handoffPlugin;
  return v === 'package' || v === 'absent' ? v : 'deployed';
};

/** The Tooling API's query, for the few setup objects Handoff asks about. */
export function toolingQuery(inst: SalesforceInstance, q: string, version: string) {
  const from = /\bFROM\s+(\w+)/i.exec(q)?.[1] ?? '';
  const where = /\bWHERE\s+(\w+)\s*=\s*'([^']*)'/i.exec(q);
  const plugin = pluginOf(inst);
  const url = (type: string, id: string) => `/services/data/v${version}/tooling/sobjects/${type}/${id}`;
  let records: Record<string, unknown>[];
  switch (from.toLowerCase()) {
    case 'installedsubscriberpackage':
      records =
        plugin === 'package'
          ? [
              {
                attributes: {
                  type: 'InstalledSubscriberPackage',
                  url: url('InstalledSubscriberPackage', '0A3000000000001'),
                },
                Id: '0A3000000000001',
                SubscriberPackage: {
                  attributes: { type: 'SubscriberPackage' },
                  Name: 'Handoff',
                  NamespacePrefix: null,
                },
                SubscriberPackageVersion: {
                  attributes: { type: 'SubscriberPackageVersion' },
                  Name: 'Winter 26',
                  MajorVersion: 1,
                  MinorVersion: 4,
                },
              },
            ]
          : [];
      break;
    case 'lightningcomponentbundle':
      records = (plugin === 'deployed' ? ['handoffActivationCard', 'handoffActivateAction'] : []).map(
        (n, i) => ({
          attributes: {
            type: 'LightningComponentBundle',
            url: url('LightningComponentBundle', `0Rb00000000000${i}`),
          },
          Id: `0Rb00000000000${i}`,
          DeveloperName: n,
        }),
      );
      break;
    case 'apexclass':
      records = (
        plugin === 'deployed' ? ['HandoffActivationController', 'HandoffActivationControllerTest'] : []
      ).map((n, i) => ({
        attributes: { type: 'ApexClass', url: url('ApexClass', `01p00000000000${i}`) },
        Id: `01p00000000000${i}`,
        Name: n,
      }));
      break;
    default:
      throw new SfApiError(
        400,
        'INVALID_TYPE',
        `sObject type '${from}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
  }
  if (where) {
    const [, field, value] = where;
    records = records.filter((r) => String(r[field!] ?? '').toLowerCase() === value!.toLowerCase());
  }
  return {
    status: 200,
    body: {
      size: records.length,
      totalSize: records.length,
      done: true,
      queryLocator: null,
      entityTypeName: records.length ? from : null,
      records,
    },
  };
}
