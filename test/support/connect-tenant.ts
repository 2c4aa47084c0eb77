/**
 * Provisions a Handoff tenant wired to fresh emulator instances, over HTTP only, exactly as an admin
 * would against real systems: create the tenant (operator token), then connect CRM, PSA and ERP.
 * Runs in Node (the sandbox, e2e tests) and inside workerd (worker tests).
 */

import type { EmulatorUrls } from '../emulators';
import { netsuiteTestCredentials } from '../emulators/netsuite/credentials';

export interface ConnectedTenant {
  tenantId: string;
  keys: { crm: string; psa: string; admin: string };
  instances: Record<CoreSystem, { id: string; baseUrl: string }>;
  netsuiteAccountId: string;
  /** Credentials of the emulated systems themselves (what the vendor would hold), for reading them directly. */
  emulatorSecrets: {
    salesforceClientSecret: string;
    kantataToken: string;
    kantataWebhookSecret: string;
    docusignHmacKey: string;
  };
  /** The emulator control URL of each instance, for effects, state and faults. */
  control: Record<CoreSystem, string>;
}

/** The systems every tenant connects (the Microsoft cloud emulators are shared). */
export type CoreSystem = 'salesforce' | 'netsuite' | 'kantata';

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

async function ok<T>(res: Response, what: string): Promise<T> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function connectTenant(opts: {
  workerFetch: Fetch;
  emulators: EmulatorUrls;
  platformToken: string;
  name?: string;
  /** Instance id suffix; random by default so tests never share vendor state. */
  id?: string;
  seed?: string;
  latencyMs?: Partial<Record<CoreSystem, number>>;
  erpConcurrencyLimit?: number;
  /** The NetSuite account's own limit (shared with other integrations), enforced by the emulator. */
  netsuiteAccountLimit?: number;
  /** Time each NetSuite call holds one of the account's slots (so concurrent calls really collide). */
  netsuiteProcessingMs?: number;
}): Promise<ConnectedTenant> {
  const suffix = opts.id ?? crypto.randomUUID().slice(0, 8);
  const seed = opts.seed ?? 'demo';
  const sfSecret = `sf-secret-${crypto.randomUUID()}`;
  const kantataToken = `kt-${crypto.randomUUID()}`;
  const webhookSecret = `whsec_${btoa(crypto.randomUUID())}`;
  const docusignHmacKey = btoa(`${crypto.randomUUID()}${crypto.randomUUID()}`);
  const ns = await netsuiteTestCredentials();
  const accountId = `TSTDRV${suffix.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`;

  const create = async (
    vendor: CoreSystem,
    id: string,
    options: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) =>
    ok<{ id: string; baseUrl: string }>(
      await fetch(`${opts.emulators[vendor]}/__emulator/instances`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id,
          seed,
          config: { latencyMs: opts.latencyMs?.[vendor] ?? 0, options, ...extra },
        }),
      }),
      `create ${vendor} instance`,
    );
  const [salesforce, netsuite, kantata] = await Promise.all([
    create('salesforce', `sf-${suffix}`, { clientId: 'handoff-connected-app', clientSecret: sfSecret }),
    create(
      'netsuite',
      `ns-${suffix}`,
      { ...ns.options, accountId },
      { concurrencyLimit: opts.netsuiteAccountLimit ?? 0 },
    ),
    create('kantata', `kt-${suffix}`, { accessTokens: [kantataToken] }),
  ]);

  const tenant = await ok<{ id: string; keys: { crm: string; psa: string; admin: string } }>(
    await opts.workerFetch('http://handoff/v1/admin/tenants', {
      method: 'POST',
      headers: { authorization: `Bearer ${opts.platformToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: opts.name ?? `Test firm ${suffix}` }),
    }),
    'create tenant',
  );
  const put = async (role: string, body: unknown) =>
    ok(
      await opts.workerFetch(`http://handoff/v1/admin/connections/${role}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${tenant.keys.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
      `connect ${role}`,
    );
  await put('crm', {
    system: 'salesforce',
    config: { instanceUrl: salesforce.baseUrl, auth: { clientId: 'handoff-connected-app' } },
    secrets: { auth: { clientSecret: sfSecret } },
  });
  await put('psa', {
    system: 'kantata',
    config: { baseUrl: `${kantata.baseUrl}/api/v1`, uiBaseUrl: `${kantata.baseUrl}/ui` },
    secrets: { accessToken: kantataToken, webhookSecret },
  });
  await put('erp', {
    system: 'netsuite',
    config: {
      accountId,
      baseUrl: netsuite.baseUrl,
      uiBaseUrl: netsuite.baseUrl,
      auth: { clientId: ns.clientId, certificateId: ns.certificateId, algorithm: ns.algorithm },
    },
    secrets: { auth: { privateKeyPem: ns.privateKeyPem } },
    concurrencyLimit: opts.erpConcurrencyLimit ?? 5,
  });
  await put('clm', {
    system: 'docusign',
    config: { accountId: `ds-${suffix}` },
    secrets: { connectHmacKeys: [docusignHmacKey] },
  });
  return {
    tenantId: tenant.id,
    keys: tenant.keys,
    instances: { salesforce, netsuite, kantata },
    netsuiteAccountId: accountId,
    emulatorSecrets: {
      salesforceClientSecret: sfSecret,
      kantataToken,
      kantataWebhookSecret: webhookSecret,
      docusignHmacKey,
    },
    control: {
      salesforce: `${opts.emulators.salesforce}/__emulator/instances/${salesforce.id}`,
      netsuite: `${opts.emulators.netsuite}/__emulator/instances/${netsuite.id}`,
      kantata: `${opts.emulators.kantata}/__emulator/instances/${kantata.id}`,
    },
  };
}
