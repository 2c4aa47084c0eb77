export type { DeliverRequest } from './deliver';
export { type BotFrameworkEmulator, createBotFrameworkEmulator } from './emulator';
export {
  type BotFrameworkOptions,
  type BotFrameworkOptionsInput,
  BotFrameworkOptionsSchema,
} from './options';
export { type BotFrameworkState, type Conversation, type StoredActivity, serviceUrlOf } from './state';
export { CHANNEL_ISSUER, type ChannelTokenVariant, mintChannelToken } from './tokens';
