/**
 * Firms that connect their systems from the console (tests of install-and-connect): a bare firm, fresh vendor
 * instances, and the console's calls with the firm's admin key.
 */
import { consent, followToCallback, startConnection } from '../support/connect-oauth';
import { type Json, json, testEnv, workerFetch } from './harness';

const EMU = testEnv.EMULATORS;

export interface BareFirm {
  tenantId: string;
  admin: string;
  keys: { crm: string; psa: string; admin: string };
  sf: { id: string; baseUrl: string };
  kt: { id: string; baseUrl: string };
}

/** A firm with nothing connected yet: its keys, and fresh demo-seeded Salesforce and Kantata instances. */
export async function bareFirm(
  opts: { sfOptions?: Record<string, unknown>; ktOptions?: Record<string, unknown> } = {},
): Promise<BareFirm> {
  const suffix = crypto.randomUUID().slice(0, 8);
  const res = await workerFetch('http://handoff/v1/admin/tenants', {
    method: 'POST',
    headers: { authorization: `Bearer ${testEnv.PLATFORM_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `Firm ${suffix}` }),
  });
  const tenant = (await res.json()) as { id: string; keys: BareFirm['keys'] };
  const instance = async (vendor: 'salesforce' | 'kantata', options: Record<string, unknown> = {}) =>
    (await (
      await fetch(`${EMU[vendor]}/__emulator/instances`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: `${vendor}-${suffix}`, seed: 'demo', config: { options } }),
      })
    ).json()) as { id: string; baseUrl: string };
  const [sf, kt] = await Promise.all([
    instance('salesforce', opts.sfOptions),
    instance('kantata', opts.ktOptions),
  ]);
  return { tenantId: tenant.id, admin: tenant.keys.admin, keys: tenant.keys, sf, kt };
}

/** A console call with the firm's admin key. */
export const api = (key: string, method: string, path: string, body?: unknown) =>
  workerFetch(`http://handoff${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** Connects the firm's Salesforce org (web server flow) or Kantata account (authorization code) end to end. */
export async function connectByOAuth(firm: BareFirm, role: 'crm' | 'psa'): Promise<void> {
  const body =
    role === 'crm'
      ? { system: 'salesforce', loginUrl: firm.sf.baseUrl }
      : {
          system: 'kantata',
          authUrl: firm.kt.baseUrl,
          baseUrl: `${firm.kt.baseUrl}/api/v1`,
          uiBaseUrl: `${firm.kt.baseUrl}/ui`,
        };
  const started = await startConnection(workerFetch, firm.admin, role, body);
  const res = await followToCallback(workerFetch, await consent(started.authorizeUrl), 'application/json');
  if (res.status !== 200) throw new Error(`connect ${role}: ${res.status} ${await res.text()}`);
}

/** POST /v1/console/connections/{role}/test. */
export async function testOf(key: string, role: string): Promise<Json> {
  const res = await api(key, 'POST', `/v1/console/connections/${role}/test`);
  if (res.status !== 200) throw new Error(`test ${role}: ${res.status} ${await res.text()}`);
  return json(res);
}

/** One check of a test result, by name. */
export const check = (result: Json, name: string): Json => {
  const found = result.checks.find((c: Json) => c.name === name);
  if (!found)
    throw new Error(`no check "${name}" in ${JSON.stringify(result.checks.map((c: Json) => c.name))}`);
  return found;
};
