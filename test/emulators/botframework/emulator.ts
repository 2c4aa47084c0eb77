import { createEmulator } from '../kit/emulator';
import { registerConnectorRoutes } from './connector-routes';
import { registerDeliverRoutes } from './deliver';
import { registerIdentityRoutes } from './identity-routes';
import { type BotFrameworkState, initialBotFrameworkState } from './state';

/**
 * Bot Framework / Teams emulator. Under an instance's base URL (`http://127.0.0.1:PORT/i/{id}`):
 * - `/v1/.well-known/openidconfiguration` and `/v1/.well-known/keys`: stand-ins for login.botframework.com
 *   (the instance's own RSA signing key, with endorsements);
 * - `/{tenant}/oauth2/v2.0/token`: stand-in for login.microsoftonline.com (client credentials for the bots
 *   registered in `options.bots`);
 * - `/{serviceUrlPath}/v3/conversations...`: the Bot Connector service (serviceUrl = `{base}/teams/`),
 *   checking the bot's bearer token on every call and Teams' per-conversation rate limits.
 * Effects: token.issue, conversation.create, activity.send, activity.update, activity.deliver.
 * Control: `POST /__emulator/instances/{id}/deliver` and `/tokens` (see deliver.ts).
 */
export function createBotFrameworkEmulator() {
  return createEmulator<BotFrameworkState>({
    name: 'botframework',
    initialState: initialBotFrameworkState,
    routes(app) {
      registerIdentityRoutes(app);
      registerConnectorRoutes(app);
    },
    errorFormat(_status, message, code) {
      return { body: { error: { code, message } } };
    },
    controlRoutes: registerDeliverRoutes,
  });
}
export type BotFrameworkEmulator = ReturnType<typeof createBotFrameworkEmulator>;
