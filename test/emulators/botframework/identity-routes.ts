import type { Context } from 'hono';
import type { EmulatorApp, EmulatorEnv } from '../kit/emulator';
import type { BotFrameworkState } from './state';
import { CHANNEL_ISSUER, mintConnectorToken } from './tokens';

const TOKEN_LIFETIME_SECONDS = 3599;

const instanceBase = (c: Context<EmulatorEnv<BotFrameworkState>>) =>
  `${new URL(c.req.url).origin}/i/${c.get('instance').id}`;

/** The Microsoft identity platform's error body (AADSTS code in error_codes and the description). */
function aadError(
  c: Context<EmulatorEnv<BotFrameworkState>>,
  status: 400 | 401,
  error: string,
  aadsts: number,
  description: string,
) {
  return c.json(
    {
      error,
      error_description: `AADSTS${aadsts}: ${description}`,
      error_codes: [aadsts],
      timestamp: new Date().toISOString().replace('T', ' ').replace('Z', 'Z'),
      trace_id: crypto.randomUUID(),
      correlation_id: crypto.randomUUID(),
    },
    status,
  );
}

/**
 * Stand-ins for login.botframework.com (OpenID metadata + JWKS with endorsements) and
 * login.microsoftonline.com (client credentials token endpoint) under the instance's base URL.
 */
export function registerIdentityRoutes(app: EmulatorApp<BotFrameworkState>) {
  app.get('/v1/.well-known/openidconfiguration', (c) => {
    const base = instanceBase(c);
    return c.json({
      issuer: CHANNEL_ISSUER,
      authorization_endpoint: 'https://invalid.botframework.com',
      jwks_uri: `${base}/v1/.well-known/keys`,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    });
  });

  app.get('/v1/.well-known/keys', (c) => {
    const { channelKeys, options } = c.get('instance').state;
    return c.json({
      keys: channelKeys.map((k) => ({ ...k.publicJwk, endorsements: options.endorsements })),
    });
  });

  app.post('/:tenant/oauth2/v2.0/token', async (c) => {
    const inst = c.get('instance');
    const type = c.req.header('Content-Type') ?? '';
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return aadError(
        c,
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'grant_type'.",
      );
    }
    const form = new URLSearchParams(await c.req.text());
    for (const name of ['grant_type', 'client_id', 'scope']) {
      if (!form.get(name)) {
        return aadError(
          c,
          400,
          'invalid_request',
          900144,
          `The request body must contain the following parameter: '${name}'.`,
        );
      }
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return aadError(
        c,
        400,
        'unsupported_grant_type',
        70003,
        'The app requested an unsupported grant type.',
      );
    }
    const bot = inst.state.options.bots.find((b) => b.appId === form.get('client_id'));
    if (!bot) {
      return aadError(
        c,
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${form.get('client_id')}' was not found in the directory '${c.req.param('tenant')}'.`,
      );
    }
    if (!form.get('client_secret')) {
      return aadError(
        c,
        401,
        'invalid_client',
        7000216,
        "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
      );
    }
    if (form.get('client_secret') !== bot.appPassword) {
      return aadError(
        c,
        401,
        'invalid_client',
        7000215,
        'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
      );
    }
    if (form.get('scope') !== 'https://api.botframework.com/.default') {
      return aadError(
        c,
        400,
        'invalid_scope',
        70011,
        `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid.`,
      );
    }
    inst.effect('token.issue');
    return c.json({
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_SECONDS,
      ext_expires_in: TOKEN_LIFETIME_SECONDS,
      access_token: await mintConnectorToken(inst.state.aadKey, bot.appId, TOKEN_LIFETIME_SECONDS),
    });
  });
}
