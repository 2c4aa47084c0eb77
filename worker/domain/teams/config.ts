import { outboundPolicyFromEnv } from '../../connectors/outbound-guard';
import { createBotConnector } from '../../connectors/teams';
import type { Env } from '../../env';
import { monitored, outcomeRecorder } from '../operations/monitoring';

/** Handoff's bot and Teams app: one registration serves every firm (multi-tenant). */
export function teamsConfigured(env: Env): boolean {
  return Boolean(env.TEAMS_BOT_APP_ID && env.TEAMS_BOT_APP_PASSWORD);
}

/** The bot's connector; with a firm, each call's outcome counts towards that firm's Teams health. */
export function botConnector(env: Env, tenantId?: string) {
  const connector = createBotConnector(
    {
      appId: env.TEAMS_BOT_APP_ID!,
      appPassword: env.TEAMS_BOT_APP_PASSWORD!,
      ...(env.BOT_TOKEN_URL ? { tokenUrl: env.BOT_TOKEN_URL } : {}),
    },
    { outbound: outboundPolicyFromEnv(env) },
  );
  return tenantId ? monitored(connector, outcomeRecorder(env, tenantId, 'teams', 'teams')) : connector;
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
