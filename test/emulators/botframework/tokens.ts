import { importJWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { generateKeyPair, type KeyPair } from './state';

export const CHANNEL_ISSUER = 'https://api.botframework.com';
/** The botframework.com tenant; the Bot Connector accepts tokens for its resource from there. */
export const BOTFRAMEWORK_TENANT_ID = 'd6d49420-f39b-4df7-a1dc-d59a935871db';
export const CONNECTOR_AUDIENCE = 'https://api.botframework.com';

export type ChannelTokenVariant =
  | 'valid'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_audience'
  | 'wrong_issuer'
  | 'wrong_service_url'
  | 'unknown_key'
  | 'no_service_url';

/** A key nobody publishes, generated once: signs the forged tokens. */
let stranger: KeyPair | undefined;

/**
 * A token as the Bot Framework channel sends it to a bot (iss api.botframework.com, aud = the bot's app id,
 * serviceurl claim, kid from the instance's JWKS), or one deliberately wrong in one way for tests.
 */
export async function mintChannelToken(
  keys: KeyPair[],
  opts: { appId: string; serviceUrl: string; variant?: ChannelTokenVariant; nowSeconds?: number },
): Promise<string> {
  const variant = opts.variant ?? 'valid';
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  stranger ??= generateKeyPair();
  const signer = variant === 'unknown_key' ? stranger : (keys[0] as KeyPair);
  const claims: JWTPayload = {
    serviceurl: variant === 'wrong_service_url' ? 'https://attacker.example/teams/' : opts.serviceUrl,
  };
  if (variant === 'no_service_url') delete claims.serviceurl;
  // Far enough past the 5 minute skew that the verifier must refuse.
  const iat = variant === 'expired' ? now - 7200 : variant === 'not_yet_valid' ? now + 3600 : now;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: signer.kid })
    .setIssuer(variant === 'wrong_issuer' ? 'https://sts.windows.net/attacker/' : CHANNEL_ISSUER)
    .setAudience(variant === 'wrong_audience' ? '00000000-0000-0000-0000-000000000bad' : opts.appId)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(variant === 'expired' ? now - 3600 : iat + 3600)
    .sign(await importJWK(signer.privateJwk, 'RS256'));
}

/** The access token Entra ID issues a bot for the Bot Connector (client credentials, v1-style claims). */
export async function mintConnectorToken(
  key: KeyPair,
  appId: string,
  lifetimeSeconds: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ appid: appId, tid: BOTFRAMEWORK_TENANT_ID, ver: '1.0' })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
    .setIssuer(`https://sts.windows.net/${BOTFRAMEWORK_TENANT_ID}/`)
    .setAudience(CONNECTOR_AUDIENCE)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + lifetimeSeconds)
    .sign(await importJWK(key.privateJwk, 'RS256'));
}

/** Returns the calling bot's app id, or undefined when the token is not one this instance issued and still valid. */
export async function verifyConnectorToken(key: KeyPair, token: string): Promise<string | undefined> {
  try {
    const { payload } = await jwtVerify(token, await importJWK(key.publicJwk, 'RS256'), {
      algorithms: ['RS256'],
      audience: CONNECTOR_AUDIENCE,
      issuer: `https://sts.windows.net/${BOTFRAMEWORK_TENANT_ID}/`,
      requiredClaims: ['exp'],
    });
    return typeof payload.appid === 'string' ? payload.appid : undefined;
  } catch {
    return undefined;
  }
}
