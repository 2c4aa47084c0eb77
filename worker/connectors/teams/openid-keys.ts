import { importJWK, type JWK } from 'jose';
import { z } from 'zod';
import type { FetchLike } from '../ports';
import { BotAuthError } from './errors';

const MetadataSchema = z.looseObject({ issuer: z.string().optional(), jwks_uri: z.string().url() });
const JwksSchema = z.object({
  keys: z.array(
    z.looseObject({
      kty: z.string(),
      kid: z.string().optional(),
      endorsements: z.array(z.string()).optional(),
    }),
  ),
});

export interface SigningKey {
  key: CryptoKey | Uint8Array;
  /** Channel ids the key is endorsed for; absent when the JWKS gives none. */
  endorsements?: string[];
}

/** The Bot Framework docs allow caching the key list for long; 24 h keeps a rotation visible the same day. */
const CACHE_MS = 24 * 60 * 60 * 1000;
/** An unknown kid forces a refetch, but not more often than this, so forged kids cannot hammer the JWKS. */
const FORCED_REFRESH_MIN_MS = 60 * 1000;

interface Entry {
  fetchedAt: number;
  forcedAt: number;
  keys: Map<string, SigningKey>;
}

/**
 * OpenID metadata -> jwks_uri -> keys, fetched with the given fetch (createRemoteJWKSet is not reliable in
 * workerd) and cached per metadata URL in the isolate.
 */
export class OpenIdKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<Entry>>();

  async key(metadataUrl: string, kid: string, fetcher: FetchLike, now: number): Promise<SigningKey> {
    let entry = this.entries.get(metadataUrl);
    if (!entry || now - entry.fetchedAt > CACHE_MS) entry = await this.load(metadataUrl, fetcher, now, 0);
    let found = entry.keys.get(kid);
    if (!found && now - entry.forcedAt > FORCED_REFRESH_MIN_MS) {
      // Keys rotate: a kid we have not seen may be new rather than forged. Look once more.
      entry = await this.load(metadataUrl, fetcher, now, now);
      found = entry.keys.get(kid);
    }
    if (!found) throw new BotAuthError('UNKNOWN_KEY', `No signing key ${kid} in the Bot Framework JWKS`);
    return found;
  }

  clear(): void {
    this.entries.clear();
  }

  private load(url: string, fetcher: FetchLike, now: number, forcedAt: number): Promise<Entry> {
    const inFlight = this.pending.get(url);
    if (inFlight) return inFlight;
    const p = fetchKeys(url, fetcher)
      .then((keys) => {
        const entry = { fetchedAt: now, forcedAt: forcedAt || (this.entries.get(url)?.forcedAt ?? 0), keys };
        this.entries.set(url, entry);
        return entry;
      })
      .finally(() => this.pending.delete(url));
    this.pending.set(url, p);
    return p;
  }
}

async function getJson(url: string, fetcher: FetchLike): Promise<unknown> {
  let res: Response;
  try {
    res = await fetcher(url, {
      headers: { Accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (cause) {
    throw new BotAuthError('METADATA_UNAVAILABLE', `Could not fetch ${url}`, { cause });
  }
  if (!res.ok) throw new BotAuthError('METADATA_UNAVAILABLE', `${url} answered ${res.status}`);
  return res.json().catch((cause) => {
    throw new BotAuthError('METADATA_UNAVAILABLE', `${url} did not return JSON`, { cause });
  });
}

async function fetchKeys(metadataUrl: string, fetcher: FetchLike): Promise<Map<string, SigningKey>> {
  const metadata = MetadataSchema.safeParse(await getJson(metadataUrl, fetcher));
  if (!metadata.success) throw new BotAuthError('METADATA_UNAVAILABLE', 'OpenID metadata has no jwks_uri');
  const jwks = JwksSchema.safeParse(await getJson(metadata.data.jwks_uri, fetcher));
  if (!jwks.success) throw new BotAuthError('METADATA_UNAVAILABLE', 'The JWKS document is malformed');
  const keys = new Map<string, SigningKey>();
  for (const jwk of jwks.data.keys) {
    if (!jwk.kid || jwk.kty !== 'RSA') continue;
    try {
      const { endorsements, ...publicJwk } = jwk;
      keys.set(jwk.kid, { key: await importJWK(publicJwk as JWK, 'RS256'), endorsements });
    } catch {
      // a key we cannot use cannot have signed a valid token; skip it
    }
  }
  return keys;
}
