import { decodeProtectedHeader, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { guardedFetch, type OutboundPolicy } from '../outbound-guard';
import type { FetchLike } from '../ports';
import { BotAuthError } from './errors';
import { OpenIdKeyCache } from './openid-keys';
import type { Activity } from './schemas';

/** Bot Connector authentication, "Connector to bot" (learn.microsoft.com bot-framework-rest-connector-authentication). */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
export const BOT_FRAMEWORK_OPENID_METADATA_URL =
  'https://login.botframework.com/v1/.well-known/openidconfiguration';
/** The SDK's ChannelValidation clockTolerance. */
const CLOCK_SKEW_SECONDS = 5 * 60;

export const VerifyBotRequestConfigSchema = z.object({
  appId: z.string().min(1),
  openIdMetadataUrl: z.string().url().default(BOT_FRAMEWORK_OPENID_METADATA_URL),
  issuer: z.string().default(BOT_FRAMEWORK_ISSUER),
  /** Epoch ms; tests pin the clock. */
  now: z.number().optional(),
  /** Where the metadata and keys may be fetched from besides Microsoft's hosts (default: nowhere else). */
  outbound: z.custom<OutboundPolicy>().optional(),
});
export type VerifyBotRequestConfig = z.input<typeof VerifyBotRequestConfigSchema>;

export interface VerifiedBotRequest {
  appId: string;
  serviceUrl: string;
  channelId?: string;
  claims: JWTPayload;
}

const defaultCache = new OpenIdKeyCache();

/**
 * Proves an incoming activity was sent by the Bot Framework channel to this bot: a Bearer JWT signed
 * (RS256) by a key listed at the OpenID metadata's jwks_uri, `iss` https://api.botframework.com, `aud` our
 * app id, within its validity window (5 minutes skew), endorsed for the activity's channelId, and whose
 * `serviceurl` claim equals the activity's serviceUrl (so a token cannot redirect our replies elsewhere).
 * Throws BotAuthError (route answers 403) on anything wrong.
 */
export async function verifyBotRequest(
  authHeader: string | null | undefined,
  activity: Pick<Activity, 'serviceUrl' | 'channelId'>,
  config: VerifyBotRequestConfig,
  fetcher: FetchLike = fetch,
  cache: OpenIdKeyCache = defaultCache,
): Promise<VerifiedBotRequest> {
  const cfg = VerifyBotRequestConfigSchema.parse(config);
  const match = /^Bearer\s+(\S+)$/i.exec(authHeader?.trim() ?? '');
  if (!match?.[1]) throw new BotAuthError('MISSING_TOKEN', 'Authorization: Bearer <token> is required');
  const token = match[1];

  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch (cause) {
    throw new BotAuthError('MALFORMED_TOKEN', 'The bearer token is not a JWT', { cause });
  }
  if (header.alg !== 'RS256') {
    throw new BotAuthError('UNSUPPORTED_ALGORITHM', `Token algorithm ${String(header.alg)} is not RS256`);
  }
  if (!header.kid) throw new BotAuthError('MALFORMED_TOKEN', 'The token header has no kid');

  const nowMs = cfg.now ?? Date.now();
  // The metadata URL is the deployment's, the jwks_uri comes from the metadata: both only from Microsoft.
  const keysFetch = guardedFetch(fetcher, {
    system: 'teams',
    targets: 'microsoft-login',
    policy: cfg.outbound,
  });
  const signingKey = await cache.key(cfg.openIdMetadataUrl, header.kid, keysFetch, nowMs);

  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, signingKey.key, {
      algorithms: ['RS256'],
      issuer: cfg.issuer,
      audience: cfg.appId,
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: new Date(nowMs),
      requiredClaims: ['exp'],
    }));
  } catch (e) {
    throw mapJoseError(e);
  }

  const channelId = activity.channelId;
  if (channelId && signingKey.endorsements && !signingKey.endorsements.includes(channelId)) {
    throw new BotAuthError('ENDORSEMENT_MISSING', `The signing key is not endorsed for channel ${channelId}`);
  }
  const serviceUrlClaim = claims.serviceurl ?? claims.serviceUrl;
  if (
    typeof serviceUrlClaim !== 'string' ||
    !activity.serviceUrl ||
    serviceUrlClaim !== activity.serviceUrl
  ) {
    throw new BotAuthError('SERVICE_URL_MISMATCH', 'The token serviceurl claim does not match the activity');
  }
  return { appId: cfg.appId, serviceUrl: serviceUrlClaim, channelId, claims };
}

function mapJoseError(e: unknown): BotAuthError {
  if (e instanceof joseErrors.JWTExpired)
    return new BotAuthError('EXPIRED', 'The token has expired', { cause: e });
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.claim === 'iss')
      return new BotAuthError('WRONG_ISSUER', 'The token issuer is not the Bot Framework', { cause: e });
    if (e.claim === 'aud')
      return new BotAuthError('WRONG_AUDIENCE', 'The token is not addressed to this bot', { cause: e });
    if (e.claim === 'nbf' || e.claim === 'iat') {
      return new BotAuthError('NOT_YET_VALID', 'The token is not valid yet', { cause: e });
    }
    return new BotAuthError('MALFORMED_TOKEN', `Token claim ${e.claim} is invalid`, { cause: e });
  }
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new BotAuthError('BAD_SIGNATURE', 'The token signature does not verify', { cause: e });
  }
  return new BotAuthError('MALFORMED_TOKEN', 'The token could not be verified', { cause: e });
}
