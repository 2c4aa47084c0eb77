/**
 * Versioned keys from the deployment's secrets. A keyring has one current key (which encrypts or signs)
 * and any number of previous keys (which still decrypt or verify while a rotation runs). Each key has an
 * id: ciphertexts and embed tokens carry the id of the key that made them, so a reader picks the key by id.
 *
 * Env shape, for a key named `X` (X = SECRETS_KEY or EMBED_SIGNING_KEY):
 *   X            base64 of 32 random bytes (openssl rand -base64 32): the current key
 *   X_ID         its id (default `v1`): letters, digits, `.`, `_`, `-`, at most 32
 *   X_PREVIOUS   older keys still readable, `id:base64` separated by commas or spaces
 */
export interface Keyring {
  /** What the keys are for, in error messages (the env name of the current key). */
  name: string;
  currentId: string;
  /** Every readable key by id, the current one included (raw bytes). */
  keys: ReadonlyMap<string, Uint8Array<ArrayBuffer>>;
}

export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;
export const DEFAULT_KEY_ID = 'v1';

function b64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const text = atob(b64.trim());
  const out = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function keyBytes(name: string, b64: string): Uint8Array<ArrayBuffer> {
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = b64ToBytes(b64);
  } catch {
    throw new Error(`${name} is not base64 (make one with: openssl rand -base64 32)`);
  }
  if (raw.length !== 32)
    throw new Error(`${name} must be base64 of 32 random bytes (openssl rand -base64 32)`);
  return raw;
}

const cache = new Map<string, Keyring>();

/** The keyring of `name` from the env (parsed once per isolate and configuration). */
export function keyringFrom(
  name: string,
  current: string | undefined,
  currentId: string | undefined,
  previous: string | undefined,
): Keyring {
  const cacheKey = `${name}\n${current}\n${currentId}\n${previous}`;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  if (!current) throw new Error(`${name} is not set (wrangler secret put ${name})`);
  const id = (currentId ?? '').trim() || DEFAULT_KEY_ID;
  if (!KEY_ID_PATTERN.test(id)) throw new Error(`${name}_ID must match ${KEY_ID_PATTERN}`);
  const keys = new Map<string, Uint8Array<ArrayBuffer>>([[id, keyBytes(name, current)]]);
  for (const entry of (previous ?? '').split(/[\s,]+/).filter(Boolean)) {
    const colon = entry.indexOf(':');
    const kid = entry.slice(0, colon);
    if (colon < 1 || !KEY_ID_PATTERN.test(kid))
      throw new Error(`${name}_PREVIOUS holds "id:base64" entries separated by commas`);
    if (keys.has(kid)) throw new Error(`${name}_PREVIOUS repeats the key id ${kid}`);
    keys.set(kid, keyBytes(`${name}_PREVIOUS (${kid})`, entry.slice(colon + 1)));
  }
  const ring: Keyring = { name, currentId: id, keys };
  cache.set(cacheKey, ring);
  return ring;
}

export interface DataKeyEnv {
  SECRETS_KEY: string;
  SECRETS_KEY_ID?: string;
  SECRETS_KEY_PREVIOUS?: string;
}

/** The data key: AES-256-GCM of connection secrets at rest. */
export function dataKeyring(env: DataKeyEnv): Keyring {
  return keyringFrom('SECRETS_KEY', env.SECRETS_KEY, env.SECRETS_KEY_ID, env.SECRETS_KEY_PREVIOUS);
}

export interface EmbedKeyEnv {
  EMBED_SIGNING_KEY?: string;
  EMBED_SIGNING_KEY_ID?: string;
  EMBED_SIGNING_KEY_PREVIOUS?: string;
}

/** The embed-token key: HS256 of sidebar tokens; separate from the data key, rotated on its own. */
export function embedKeyring(env: EmbedKeyEnv): Keyring {
  return keyringFrom(
    'EMBED_SIGNING_KEY',
    env.EMBED_SIGNING_KEY,
    env.EMBED_SIGNING_KEY_ID,
    env.EMBED_SIGNING_KEY_PREVIOUS,
  );
}
