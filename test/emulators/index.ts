import { createBotFrameworkEmulator } from './botframework';
import { docusignEmulator } from './docusign';
import { createEntraEmulator } from './entra/emulator';
import { createKantataEmulator } from './kantata/emulator';
import { HANDOFF_KANTATA_APP } from './kantata/oauth';
import { createNetSuiteEmulator } from './netsuite';
import { createSalesforceEmulator, HANDOFF_EXTERNAL_CLIENT_APP } from './salesforce/emulator';

/** Where Entra sends the browser back after a Handoff sign-in (worker/domain/identity/microsoft-claims). */
export const MICROSOFT_CALLBACK_PATH = '/v1/identity/microsoft/callback';

export { HANDOFF_EXTERNAL_CLIENT_APP, HANDOFF_KANTATA_APP };

export type EmulatorUrls = {
  salesforce: string;
  netsuite: string;
  kantata: string;
  botframework: string;
  entra: string;
  docusign: string;
};

/** Where the identity providers send the browser back after a console sign-in. */
export const CONSOLE_CALLBACK_PATHS = ['/console/auth/entra/callback', '/console/auth/salesforce/callback'];

/**
 * Handoff's External Client App on Salesforce (console sign-in), and the emulated login.salesforce.com: an
 * instance of the Salesforce emulator that signs in the users of every emulated org.
 */
export const CONSOLE_SALESFORCE_APP = {
  // One packaged External Client App signs people in and connects orgs (one SALESFORCE_CLIENT_ID).
  clientId: HANDOFF_EXTERNAL_CLIENT_APP.clientId,
  clientSecret: HANDOFF_EXTERNAL_CLIENT_APP.clientSecret,
  loginInstance: 'login',
};

/** The worker settings that point console sign-in with Salesforce at the emulated login host. */
export function consoleBindings(urls: EmulatorUrls) {
  return {
    SALESFORCE_CLIENT_ID: CONSOLE_SALESFORCE_APP.clientId,
    SALESFORCE_CLIENT_SECRET: CONSOLE_SALESFORCE_APP.clientSecret,
    SALESFORCE_LOGIN_URL: `${urls.salesforce}/i/${CONSOLE_SALESFORCE_APP.loginInstance}`,
  };
}

/** The Teams bot Handoff is registered as, in the emulated Bot Framework and Entra (fixed, like Microsoft's cloud). */
export const TEAMS_TEST_BOT = {
  appId: '00000000-0000-4000-8000-00000000b07a',
  appPassword: 'handoff-bot-secret',
  instance: 'teams',
  entraInstance: 'entra',
};

/** The worker settings that point its Teams integration at these emulators. */
export function teamsBindings(urls: EmulatorUrls) {
  return {
    TEAMS_BOT_APP_ID: TEAMS_TEST_BOT.appId,
    TEAMS_BOT_APP_PASSWORD: TEAMS_TEST_BOT.appPassword,
    BOT_OPENID_METADATA_URL: `${urls.botframework}/i/${TEAMS_TEST_BOT.instance}/v1/.well-known/openidconfiguration`,
    BOT_TOKEN_URL: `${urls.botframework}/i/${TEAMS_TEST_BOT.instance}/botframework.com/oauth2/v2.0/token`,
    ENTRA_AUTHORITY: `${urls.entra}/i/${TEAMS_TEST_BOT.entraInstance}`,
    TEAMS_SSO_AUDIENCES: `api://handoff.test/${TEAMS_TEST_BOT.appId}`,
  };
}

/** The worker settings naming Handoff's own OAuth apps at Salesforce and Kantata (the connect flows). */
export function connectAppBindings() {
  return {
    SALESFORCE_CLIENT_ID: HANDOFF_EXTERNAL_CLIENT_APP.clientId,
    SALESFORCE_CLIENT_SECRET: HANDOFF_EXTERNAL_CLIENT_APP.clientSecret,
    KANTATA_CLIENT_ID: HANDOFF_KANTATA_APP.clientId,
    KANTATA_CLIENT_SECRET: HANDOFF_KANTATA_APP.clientSecret,
  };
}

/**
 * Starts the vendor emulators, each on its own loopback port as each vendor is its own host, plus the
 * shared Microsoft cloud instances (Bot Framework, Entra) the Teams integration uses.
 * With `stateDir`, state is saved to and restored from JSON files there (the sandbox).
 */
export async function startEmulators(
  opts: {
    ports?: Partial<Record<keyof EmulatorUrls, number>>;
    stateDir?: string;
    /** Handoff's sign-in callback URLs registered on its Entra app (default: the worker tests' origin). */
    entraRedirectUris?: string[];
    /** Handoff's origin, for the console's sign-in callbacks (default: the worker tests' http://handoff). */
    handoffOrigin?: string;
  } = {},
) {
  const salesforce = createSalesforceEmulator();
  const netsuite = createNetSuiteEmulator();
  const kantata = createKantataEmulator();
  const botframework = createBotFrameworkEmulator();
  const entra = createEntraEmulator();
  const docusign = docusignEmulator;
  const file = (name: string) => (opts.stateDir ? `${opts.stateDir}/${name}.json` : undefined);
  const [sf, ns, kt, bf, en, ds] = await Promise.all([
    salesforce.listen(opts.ports?.salesforce ?? 0, file('salesforce')),
    netsuite.listen(opts.ports?.netsuite ?? 0, file('netsuite')),
    kantata.listen(opts.ports?.kantata ?? 0, file('kantata')),
    botframework.listen(opts.ports?.botframework ?? 0),
    entra.listen(opts.ports?.entra ?? 0),
    docusign.listen(opts.ports?.docusign ?? 0, file('docusign')),
  ]);
  // Microsoft's side exists once: the bot registration and the directory.
  botframework.createInstance(TEAMS_TEST_BOT.instance, {
    options: {
      bots: [{ appId: TEAMS_TEST_BOT.appId, appPassword: TEAMS_TEST_BOT.appPassword }],
      installedIn: 'any',
    },
  });
  // Handoff's app registration (the bot's, multi-tenant), with the sign-in callbacks it may use.
  entra.createInstance(TEAMS_TEST_BOT.entraInstance, {
    options: {
      apps: [
        {
          clientId: TEAMS_TEST_BOT.appId,
          clientSecret: TEAMS_TEST_BOT.appPassword,
          redirectUris: [
            ...(opts.entraRedirectUris ?? [`http://handoff${MICROSOFT_CALLBACK_PATH}`]),
            `${opts.handoffOrigin ?? 'http://handoff'}${CONSOLE_CALLBACK_PATHS[0]}`,
          ],
        },
      ],
    },
  });
  // login.salesforce.com, with Handoff's External Client App (kept across sandbox restarts like any org).
  if (!salesforce.instances.has(CONSOLE_SALESFORCE_APP.loginInstance))
    salesforce.createInstance(CONSOLE_SALESFORCE_APP.loginInstance, {
      options: {
        loginHost: true,
        orgName: 'Salesforce login',
        oauthApps: [
          {
            clientId: CONSOLE_SALESFORCE_APP.clientId,
            clientSecret: CONSOLE_SALESFORCE_APP.clientSecret,
            redirectUris: [`${opts.handoffOrigin ?? 'http://handoff'}${CONSOLE_CALLBACK_PATHS[1]}`],
          },
        ],
      },
    });
  return {
    emulators: { salesforce, netsuite, kantata, botframework, entra, docusign },
    urls: {
      salesforce: sf.url,
      netsuite: ns.url,
      kantata: kt.url,
      botframework: bf.url,
      entra: en.url,
      docusign: ds.url,
    } satisfies EmulatorUrls,
    close: async () => {
      await Promise.all([sf.close(), ns.close(), kt.close(), bf.close(), en.close(), ds.close()]);
    },
  };
}
