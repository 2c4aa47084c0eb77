import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import type { InstanceConfig } from '../kit/emulator';
import { type BotFrameworkOptions, BotFrameworkOptionsSchema } from './options';

export interface KeyPair {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

export interface StoredActivity {
  id: string;
  type: string;
  attachments?: unknown[];
  text?: string;
  /** Bumped on every update. */
  version: number;
  createdAt: string;
  updatedAt?: string;
  [k: string]: unknown;
}

export interface Conversation {
  id: string;
  kind: 'personal' | 'channel';
  tenantId: string;
  botAppId: string;
  memberId?: string;
  channelId?: string;
  activities: StoredActivity[];
}

export interface BotFrameworkState {
  options: BotFrameworkOptions;
  /** Keys that sign tokens the channel sends to bots (published at the instance's JWKS). */
  channelKeys: KeyPair[];
  /** The key Entra ID signs the bots' connector tokens with. */
  aadKey: KeyPair;
  conversations: Record<string, Conversation>;
  /** Per-conversation arrival times of accepted writes, for the rate limits. */
  rate: Record<string, number[]>;
}

/** RSA-2048 in JWK form, generated synchronously so a new instance is ready at once and snapshots as JSON. */
export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID().replaceAll('-', '').slice(0, 27);
  return {
    kid,
    privateJwk: { ...(privateKey.export({ format: 'jwk' }) as JWK), kid, alg: 'RS256' },
    publicJwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: 'RS256', use: 'sig' },
  };
}

export function initialBotFrameworkState(config: InstanceConfig): BotFrameworkState {
  return {
    options: BotFrameworkOptionsSchema.parse(config.options ?? {}),
    channelKeys: [generateKeyPair()],
    aadKey: generateKeyPair(),
    conversations: {},
    rate: {},
  };
}

/** The base URL an instance hands out as the activity's serviceUrl (with the trailing slash Teams uses). */
export function serviceUrlOf(origin: string, instanceId: string, state: BotFrameworkState): string {
  return `${origin}/i/${instanceId}/${state.options.serviceUrlPath}/`;
}
