import { createRemoteJWKSet, customFetch, decodeJwt, type JWKSCacheInput, jwksCache, jwtVerify } from 'jose';
import { IsolateCache } from '../../connectors/isolate-cache';
import type { FetchLike } from '../../connectors/ports';

export interface SsoConfig {
  /** https://login.microsoftonline.com (or an emulator's base). */
  authority: string;
  /** Our app's id URI (api://host/appId) and/or client id: what `aud` may be. */
  audiences: string[];
}

export interface TeamsUser {
  tid: string;
  oid: string;
  name: string;
  email?: string;
}

export class SsoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SsoError';
  }
}

/** Keys are kept a day (as the bot's are), so a rotation is seen the same day even without an unknown kid. */
const KEYS_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** An unknown kid forces a refetch, but not more often than this per tenant, so forged kids cannot hammer Entra. */
const FORCED_REFRESH_MIN_MS = 60 * 1000;
const KEYS_TIMEOUT_MS = 10_000;

/**
 * The tenants' signing keys as this isolate last fetched them, one entry per tenant key URL, at most
 * `maxTenants` (oldest out). Each entry is the plain `{ jwks, uat }` record jose's createRemoteJWKSet reads
 * and updates (its `jwksCache` option): the key set itself is built per verification, so no promise or I/O
 * object is shared between requests, while the cache age and the refetch cooldown hold across them.
 */
export class SsoKeyCache {
  private readonly entries: IsolateCache<JWKSCacheInput>;

  constructor(maxTenants = 500) {
    this.entries = new IsolateCache<JWKSCacheInput>(maxTenants);
  }

  keySet(url: string, fetcher: FetchLike) {
    let record = this.entries.get(url);
    if (!record) {
      record = {} as JWKSCacheInput;
      this.entries.set(url, record, Number.POSITIVE_INFINITY);
    }
    return createRemoteJWKSet(new URL(url), {
      cacheMaxAge: KEYS_MAX_AGE_MS,
      cooldownDuration: FORCED_REFRESH_MIN_MS,
      timeoutDuration: KEYS_TIMEOUT_MS,
      [jwksCache]: record,
      [customFetch]: fetcher,
    });
  }
}

const defaultKeys = new SsoKeyCache();

/**
 * Validates a Teams tab SSO token (Entra ID v2): signature from the tenant's keys, issuer
 * `{authority}/{tid}/v2.0`, our audience, `scp` containing access_as_user, not expired (5 min skew).
 */
export async function verifyTeamsSsoToken(
  token: string,
  cfg: SsoConfig,
  fetcher: FetchLike = (input, init) => fetch(input, init),
  keys: SsoKeyCache = defaultKeys,
): Promise<TeamsUser> {
  let tid: string;
  try {
    tid = String(decodeJwt(token).tid ?? '');
  } catch {
    throw new SsoError('Not a JWT');
  }
  if (!/^[0-9a-zA-Z-]{1,64}$/.test(tid)) throw new SsoError('The token has no valid tenant id');
  const authority = cfg.authority.replace(/\/+$/, '');
  const jwksUrl = `${authority}/${tid}/discovery/v2.0/keys`;
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    // jose refetches the keys once when the kid is unknown (a rotation), unless it fetched them in the last minute.
    ({ payload } = await jwtVerify(token, keys.keySet(jwksUrl, fetcher), {
      issuer: `${authority}/${tid}/v2.0`,
      audience: cfg.audiences,
      algorithms: ['RS256'],
      clockTolerance: 300,
    }));
  } catch (e) {
    throw new SsoError(`Invalid SSO token: ${(e as Error).message}`);
  }
  const scopes = String(payload.scp ?? '').split(' ');
  if (!scopes.includes('access_as_user')) throw new SsoError('The token lacks the access_as_user scope');
  if (typeof payload.oid !== 'string') throw new SsoError('The token has no object id');
  return {
    tid,
    oid: payload.oid,
    name: String(payload.name ?? payload.oid),
    email: typeof payload.preferred_username === 'string' ? payload.preferred_username : undefined,
  };
}
