import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, jwtVerify } from 'jose';
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

const jwksCache = new Map<string, { keys: JSONWebKeySet; at: number }>();
const DAY = 86_400_000;

async function jwksFor(url: string, fetcher: FetchLike, force = false): Promise<JSONWebKeySet> {
  const hit = jwksCache.get(url);
  if (hit && !force && Date.now() - hit.at < DAY) return hit.keys;
  const res = await fetcher(url);
  if (!res.ok) throw new SsoError(`Could not load the tenant's signing keys (${res.status})`);
  const keys = (await res.json()) as JSONWebKeySet;
  jwksCache.set(url, { keys, at: Date.now() });
  return keys;
}

/**
 * Validates a Teams tab SSO token (Entra ID v2): signature from the tenant's keys, issuer
 * `{authority}/{tid}/v2.0`, our audience, `scp` containing access_as_user, not expired (5 min skew).
 */
export async function verifyTeamsSsoToken(
  token: string,
  cfg: SsoConfig,
  fetcher: FetchLike = fetch,
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
  const verify = async (keys: JSONWebKeySet) =>
    jwtVerify(token, createLocalJWKSet(keys), {
      issuer: `${authority}/${tid}/v2.0`,
      audience: cfg.audiences,
      algorithms: ['RS256'],
      clockTolerance: 300,
    });
  let payload: Awaited<ReturnType<typeof verify>>['payload'];
  try {
    payload = (await verify(await jwksFor(jwksUrl, fetcher))).payload;
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY')
      throw new SsoError(`Invalid SSO token: ${(e as Error).message}`);
    try {
      payload = (await verify(await jwksFor(jwksUrl, fetcher, true))).payload;
    } catch (again) {
      throw new SsoError(`Invalid SSO token: ${(again as Error).message}`);
    }
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
