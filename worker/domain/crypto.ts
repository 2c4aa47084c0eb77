import type { Keyring } from './keyring';

/** SHA-256 hex of a string (API key hashes, idempotency fingerprints). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** JSON with sorted keys, so two bodies that mean the same thing fingerprint the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Equal strings, compared in time that does not depend on where they differ. */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export function randomToken(bytes = 24): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function b64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const text = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

const aesKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function aesKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  let key = aesKeys.get(raw);
  if (!key) {
    key = crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
    aesKeys.set(raw, key);
  }
  return key;
}

/** Ciphertexts written before keys had ids carry no prefix. */
export const LEGACY_KEY_ID = 'legacy';

/** The id of the key a stored ciphertext was made with (`legacy` for values from before key ids). */
export function keyIdOf(ciphertext: string): string {
  const colon = ciphertext.indexOf(':');
  return colon > 0 ? ciphertext.slice(0, colon) : LEGACY_KEY_ID;
}

/**
 * AES-256-GCM with the keyring's current key, as `{keyId}:{base64(iv || ciphertext)}`; the tenant id is
 * bound as additional data so one tenant's secret cannot be replayed as another's.
 */
export async function encryptSecret(ring: Keyring, tenantId: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await aesKey(ring.keys.get(ring.currentId)!);
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(tenantId) },
    key,
    new TextEncoder().encode(plaintext),
  );
  const out = new Uint8Array(iv.length + ct.byteLength);
  out.set(iv);
  out.set(new Uint8Array(ct), iv.length);
  return `${ring.currentId}:${btoa(String.fromCharCode(...out))}`;
}

async function open(raw: Uint8Array<ArrayBuffer>, key: Uint8Array<ArrayBuffer>, tenantId: string) {
  const pt = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: raw.slice(0, 12), additionalData: new TextEncoder().encode(tenantId) },
    await aesKey(key),
    raw.slice(12),
  );
  return new TextDecoder().decode(pt);
}

/**
 * Decrypts with the key the ciphertext names, whichever of the keyring's keys that is (the current one or
 * a previous one still kept for a rotation). A value from before key ids is tried with every key: GCM's tag
 * tells the right one.
 */
export async function decryptSecret(ring: Keyring, tenantId: string, ciphertext: string): Promise<string> {
  const kid = keyIdOf(ciphertext);
  if (kid === LEGACY_KEY_ID) {
    const raw = b64ToBytes(ciphertext);
    for (const key of [ring.keys.get(ring.currentId)!, ...ring.keys.values()]) {
      try {
        return await open(raw, key, tenantId);
      } catch {
        // not this key
      }
    }
    throw new Error(`A stored secret matches none of the keys in ${ring.name} / ${ring.name}_PREVIOUS`);
  }
  const key = ring.keys.get(kid);
  if (!key)
    throw new Error(
      `A stored secret was encrypted with key "${kid}", which is neither ${ring.name} nor in ${ring.name}_PREVIOUS`,
    );
  return open(b64ToBytes(ciphertext.slice(kid.length + 1)), key, tenantId);
}
