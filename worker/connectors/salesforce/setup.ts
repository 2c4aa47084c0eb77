import { ConnectorError } from '../errors';
import type { PluginPresence, SetupCheck } from '../ports';
import {
  ACCOUNT_FIELDS,
  MILESTONE_FIELDS,
  OPPORTUNITY_FIELDS,
  RATE_FIELDS,
  WRITE_BACK_FIELDS,
} from './fields';
import type { SalesforceSession } from './session';

/**
 * What the console's "Test connection" reads in the org, each a real API call with the connection's own
 * credentials: the org, the Handoff fields and objects as the integration user sees them (describe: Salesforce
 * leaves out what the user's field-level security hides, so a missing field is either not deployed or not
 * granted), and the day's API allocation. Also the names deals use (templates, roles) so the PSA check can
 * compare, and whether the Handoff package is in the org (Tooling API).
 */

const PACKAGE_FIX =
  'Deploy the Handoff package to this org (plugins/crm-salesforce: `npm run sf:deploy -- --target-org <alias>`). If it is deployed, assign the Handoff_Admin permission set to the user Handoff connects as: Salesforce hides fields and objects the user cannot read.';

const custom = (fields: Record<string, string>) =>
  Object.entries(fields).filter(([name]) => name.endsWith('__c'));

function failed(name: string, e: unknown): SetupCheck {
  if (!(e instanceof ConnectorError)) throw e;
  return { name, ok: false, message: e.message, ...(e.fix ? { fix: e.fix } : {}) };
}

interface Describe {
  fields: { name: string }[];
}

async function describe(session: SalesforceSession, object: string): Promise<Describe | undefined> {
  try {
    return await session.run(
      async (conn) => (await conn.requestGet(`/sobjects/${object}/describe`)) as Describe,
    );
  } catch (e) {
    if (e instanceof ConnectorError && (e.code === 'NOT_FOUND' || e.status === 404)) return undefined;
    throw e;
  }
}

/** The Handoff fields `object` lacks for this user, or undefined when the object itself is missing. */
async function missingFields(
  session: SalesforceSession,
  object: string,
  expected: [string, string][],
): Promise<[string, string][] | undefined> {
  const d = await describe(session, object);
  if (!d) return undefined;
  const have = new Set(d.fields.map((f) => f.name.toLowerCase()));
  return expected.filter(([name]) => !have.has(name.toLowerCase()));
}

function fieldsCheck(name: string, object: string, missing: [string, string][] | undefined): SetupCheck {
  if (missing === undefined)
    return {
      name,
      ok: false,
      message: `The ${object} object is not in this org (or not visible to the connected user).`,
      fix: PACKAGE_FIX,
    };
  if (missing.length === 0) return { name, ok: true, message: `Every Handoff field on ${object} is there.` };
  return {
    name,
    ok: false,
    message: `Missing on ${object}: ${missing.map(([f, label]) => `${f} (${label})`).join(', ')}.`,
    fix: PACKAGE_FIX,
  };
}

export async function salesforceSetupChecks(
  session: SalesforceSession,
  expected: { orgId?: string },
  whoAmI: () => Promise<{ orgId: string; orgName: string }>,
): Promise<SetupCheck[]> {
  const checks: SetupCheck[] = [];
  try {
    const org = await whoAmI();
    const same = !expected.orgId || expected.orgId.slice(0, 15) === org.orgId.slice(0, 15);
    checks.push(
      same
        ? { name: 'Sign-in', ok: true, message: `Connected to ${org.orgName} (${org.orgId}).` }
        : {
            name: 'Sign-in',
            ok: false,
            message: `The credentials now reach org ${org.orgId}, not ${expected.orgId}, the one this firm connected.`,
            fix: 'Reconnect Salesforce from the console, signing in to the firm’s own org.',
          },
    );
  } catch (e) {
    // Nothing else can be read without a working sign-in.
    return [failed('Sign-in', e)];
  }
  const objectChecks: [string, string, [string, string][]][] = [
    [
      'Handoff fields on Opportunity',
      'Opportunity',
      [
        ...new Map([
          ...Object.values(WRITE_BACK_FIELDS).map((f): [string, string] => [f, f]),
          ...custom(OPPORTUNITY_FIELDS),
        ]),
      ],
    ],
    ['Handoff fields on Account', 'Account', custom(ACCOUNT_FIELDS)],
    ['Milestones object', 'Handoff_Milestone__c', custom(MILESTONE_FIELDS)],
    ['Rates object', 'Handoff_Rate__c', custom(RATE_FIELDS)],
  ];
  for (const [name, object, fields] of objectChecks) {
    try {
      checks.push(fieldsCheck(name, object, await missingFields(session, object, fields)));
    } catch (e) {
      checks.push(failed(name, e));
    }
  }
  try {
    const limits = (await session.run((conn) => conn.requestGet('/limits'))) as {
      DailyApiRequests?: { Max: number; Remaining: number };
    };
    const daily = limits.DailyApiRequests;
    if (daily) {
      const low = daily.Remaining < daily.Max * 0.05;
      checks.push({
        name: 'API requests left today',
        ok: !low,
        message: `${daily.Remaining.toLocaleString('en-US')} of ${daily.Max.toLocaleString('en-US')} left in the last 24 hours.`,
        ...(low
          ? {
              fix: "The org's API allocation is nearly used up: reduce other integrations' calls or buy more API capacity; Handoff retries when calls are refused.",
            }
          : {}),
      });
    }
  } catch (e) {
    checks.push(failed('API requests left today', e));
  }
  return checks;
}

/** The project templates and roles the org's deals name, most recent first: what the PSA must have. */
export async function salesforceSetupNames(
  session: SalesforceSession,
): Promise<{ templates: string[]; roles: string[] }> {
  const distinct = (rows: Record<string, unknown>[], field: string) => [
    ...new Set(
      rows.map((r) => r[field]).filter((v): v is string => typeof v === 'string' && v.trim() !== ''),
    ),
  ];
  const [deals, rates] = await Promise.all([
    session.run(
      async (conn) =>
        await conn.query<Record<string, unknown>>(
          'SELECT Handoff_Project_Template__c FROM Opportunity WHERE Handoff_Project_Template__c != null ORDER BY LastModifiedDate DESC LIMIT 200',
        ),
    ),
    session.run(
      async (conn) =>
        await conn.query<Record<string, unknown>>(
          'SELECT Role__c FROM Handoff_Rate__c WHERE Role__c != null ORDER BY LastModifiedDate DESC LIMIT 500',
        ),
    ),
  ]);
  return {
    templates: distinct(deals.records, 'Handoff_Project_Template__c'),
    roles: distinct(rates.records, 'Role__c'),
  };
}

/** The LWC and Apex class the Handoff package deploys (plugins/crm-salesforce/force-app). */
const HANDOFF_CARD = 'handoffActivationCard';
const HANDOFF_APEX = 'HandoffActivationController';

interface ToolingResult<T> {
  records: T[];
}

/**
 * Whether the Handoff package is in the org, asked of the Tooling API: an installed package named Handoff
 * (`InstalledSubscriberPackage`), or its components deployed from source (`LightningComponentBundle`,
 * `ApexClass`), which is how `npm run sf:deploy` installs it.
 */
export async function salesforcePluginPresence(session: SalesforceSession): Promise<PluginPresence> {
  const tooling = <T>(q: string) =>
    session.run(
      async (conn) =>
        (await conn.requestGet(`/tooling/query?q=${encodeURIComponent(q)}`)) as ToolingResult<T>,
    );
  const packages = await tooling<{
    SubscriberPackage?: { Name?: string; NamespacePrefix?: string | null };
    SubscriberPackageVersion?: { Name?: string; MajorVersion?: number; MinorVersion?: number };
  }>(
    'SELECT Id, SubscriberPackage.Name, SubscriberPackage.NamespacePrefix, SubscriberPackageVersion.Name, SubscriberPackageVersion.MajorVersion, SubscriberPackageVersion.MinorVersion FROM InstalledSubscriberPackage',
  );
  const pkg = packages.records.find((p) => /handoff/i.test(p.SubscriberPackage?.Name ?? ''));
  if (pkg) {
    const v = pkg.SubscriberPackageVersion;
    return {
      installed: true,
      message: `Package ${pkg.SubscriberPackage?.Name} ${v?.MajorVersion ?? ''}.${v?.MinorVersion ?? ''} is installed.`,
    };
  }
  const [cards, classes] = await Promise.all([
    tooling<{ DeveloperName: string }>(
      `SELECT Id, DeveloperName FROM LightningComponentBundle WHERE DeveloperName = '${HANDOFF_CARD}'`,
    ),
    tooling<{ Name: string }>(`SELECT Id, Name FROM ApexClass WHERE Name = '${HANDOFF_APEX}'`),
  ]);
  if (cards.records.length && classes.records.length)
    return {
      installed: true,
      message: `Deployed from source: the ${HANDOFF_CARD} card and the ${HANDOFF_APEX} class are in the org.`,
    };
  const missing = [
    ...(cards.records.length ? [] : [`the ${HANDOFF_CARD} card`]),
    ...(classes.records.length ? [] : [`the ${HANDOFF_APEX} class`]),
  ];
  return {
    installed: false,
    message: `The Handoff package is not in the org: ${missing.join(' and ')} missing.`,
    fix: 'Deploy it: `npm run sf:deploy -- --target-org <alias> --handoff-url <this Handoff URL>` (plugins/crm-salesforce/README.md), then assign the Handoff User permission set and add the card to the Opportunity page.',
  };
}
