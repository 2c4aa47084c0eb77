import { outboundPolicyFromEnv } from '../../connectors/outbound-guard';
import { createBotConnector } from '../../connectors/teams';
import type { Env } from '../../env';

/** Handoff's bot and Teams app: one registration serves every firm (multi-tenant). */
export function teamsConfigured(env: Env): boolean {
  return Boolean(env.TEAMS_BOT_APP_ID && env.TEAMS_BOT_APP_PASSWORD);
}

export function botConnector(env: Env) {
  return createBotConnector(
    {
      appId: env.TEAMS_BOT_APP_ID!,
      appPassword: env.TEAMS_BOT_APP_PASSWORD!,
      ...(env.BOT_TOKEN_URL ? { tokenUrl: env.BOT_TOKEN_URL } : {}),
    },
    { outbound: outboundPolicyFromEnv(env) },
  );
}

export function ssoConfig(env: Env) {
  return {
    authority: env.ENTRA_AUTHORITY ?? 'https://login.microsoftonline.com',
    audiences: (env.TEAMS_SSO_AUDIENCES ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}
