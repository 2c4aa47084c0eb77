/**
 * The emulated Kantata account's OAuth 2.0 authorization-code flow, against Handoff's client for it
 * (worker/connectors/kantata/oauth.ts): authorize, allow or deny, one-time codes, the app's secret checked, and a
 * token that acts as the person who authorized.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../worker/connectors/errors';
import { createKantataConnector } from '../../../worker/connectors/kantata';
import { kantataAuthorizationUrl, redeemKantataCode } from '../../../worker/connectors/kantata/oauth';
import { EMULATOR_OUTBOUND } from '../../support/outbound';
import { createKantataEmulator } from './emulator';
import { HANDOFF_KANTATA_APP } from './oauth';

const emulator = createKantataEmulator();
let server: Awaited<ReturnType<typeof emulator.listen>>;
let n = 0;
const REDIRECT = 'https://handoff.example.com/v1/console/connections/psa/callback';
const app = { ...HANDOFF_KANTATA_APP, outbound: EMULATOR_OUTBOUND };

beforeAll(async () => {
  server = await emulator.listen(0);
});
afterAll(async () => {
  await server.close();
});

async function account() {
  n += 1;
  const res = await fetch(`${server.url}/__emulator/instances`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: `oauth${n}`, seed: 'demo' }),
  });
  return ((await res.json()) as { baseUrl: string }).baseUrl;
}

/** Opens the authorization page and answers it as user `userId`. */
async function answer(base: string, decision: 'authorize' | 'deny', userId?: string) {
  const page = await (
    await fetch(kantataAuthorizationUrl(app, { authUrl: base, redirectUri: REDIRECT, state: 'st' }))
  ).text();
  expect(page).toContain('Authorize');
  const request = /name="request" value="([^"]+)"/.exec(page)![1]!;
  const who = userId ?? /<option value="([^"]+)" selected>/.exec(page)![1]!;
  const res = await fetch(`${base}/oauth/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request, user_id: who, decision }),
    redirect: 'manual',
  });
  return new URL(res.headers.get('location')!);
}

describe("Kantata's authorization-code flow", () => {
  it('issues a one-time code for the person who authorized; the token acts as them', async () => {
    const base = await account();
    const back = await answer(base, 'authorize', '3');
    expect(back.searchParams.get('state')).toBe('st');
    const code = back.searchParams.get('code')!;
    const token = await redeemKantataCode(app, { authUrl: base, code, redirectUri: REDIRECT });
    const me = await createKantataConnector(
      { baseUrl: `${base}/api/v1`, uiBaseUrl: `${base}/ui`, accessToken: token },
      { outbound: EMULATOR_OUTBOUND },
    ).whoAmI();
    expect(me).toMatchObject({ userId: '3' });
    const again = redeemKantataCode(app, { authUrl: base, code, redirectUri: REDIRECT });
    await expect(again).rejects.toMatchObject({ code: 'KANTATA_CODE_REFUSED', retryable: false });
  });

  it('refuses another redirect URI and the wrong secret, and sends a denial back as Kantata documents it', async () => {
    const base = await account();
    const code = (await answer(base, 'authorize')).searchParams.get('code')!;
    await expect(
      redeemKantataCode(app, { authUrl: base, code, redirectUri: `${REDIRECT}x` }),
    ).rejects.toBeInstanceOf(ConnectorError);
    const fresh = (await answer(base, 'authorize')).searchParams.get('code')!;
    await expect(
      redeemKantataCode(
        { ...app, clientSecret: 'not-it' },
        { authUrl: base, code: fresh, redirectUri: REDIRECT },
      ),
    ).rejects.toMatchObject({
      code: 'KANTATA_APP_REFUSED',
      fix: expect.stringMatching(/KANTATA_CLIENT_SECRET/),
    });
    const denied = await answer(base, 'deny');
    expect(Object.fromEntries(denied.searchParams)).toEqual({
      error: 'access_denied',
      error_description: 'The resource owner or authorization server denied the request.',
      state: 'st',
    });
  });
});
