/**
 * NetSuite external IDs may contain letters, digits, "_" and "-" only ("Using External IDs"); a pipe
 * would even be read as a multi-select delimiter. Handoff's keys (workflow instance + step name) use
 * ":" and can be long, so a key that is not already safe becomes a readable prefix plus a SHA-256
 * digest of the whole key: stable across retries, distinct for distinct keys.
 */
const SAFE = /^[A-Za-z0-9_-]+$/;
const MAX_LENGTH = 64;
const DIGEST_CHARS = 24;

export async function externalIdFor(key: string): Promise<string> {
  if (key.length === 0) throw new RangeError('An idempotency key is required');
  if (SAFE.test(key) && key.length <= MAX_LENGTH) return key;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)));
  const hex = [...digest]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
    .slice(0, DIGEST_CHARS);
  const readable = key.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, MAX_LENGTH - DIGEST_CHARS - 1);
  return `${readable}-${hex}`;
}
