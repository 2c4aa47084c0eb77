export {
  type BotConnector,
  type ConversationTarget,
  type CreatedConversation,
  createBotConnector,
} from './bot-connector';
export {
  BOT_FRAMEWORK_SCOPE,
  type BotConnectorConfig,
  type BotConnectorConfigInput,
  BotConnectorConfigSchema,
  DEFAULT_TOKEN_URL,
  type RateWindow,
  TEAMS_CONVERSATION_LIMITS,
} from './config';
export { BotAuthError, type BotAuthFailure } from './errors';
export {
  type ExecuteAction,
  invokeMessageResponse,
  invokeResponse,
  NotAnExecuteActionError,
  parseExecuteAction,
} from './invoke';
export { OpenIdKeyCache } from './openid-keys';
export { ConversationRateLimiter } from './rate-limiter';
export { type Activity, ActivitySchema, ADAPTIVE_CARD_CONTENT_TYPE, type AdaptiveCard } from './schemas';
export {
  BOT_FRAMEWORK_ISSUER,
  BOT_FRAMEWORK_OPENID_METADATA_URL,
  type VerifiedBotRequest,
  type VerifyBotRequestConfig,
  verifyBotRequest,
} from './verify-bot-request';
