/**
 * What one Workers isolate may keep between requests and workflow steps: vendor access tokens and vendor
 * reference data, so each step of an activation does not fetch a token (or the list of currencies) again.
 *
 * - Plain values only: workerd forbids sharing I/O objects, and a promise started in one request must not
 *   be awaited by another, so only settled values are stored.
 * - Keys are a SHA-256 over the credentials themselves (see `credentialKey`): only a caller holding the
 *   same secret finds an entry, two tenants never share one by naming the same client id, and a rotated
 *   secret starts afresh.
 * - Entries expire, and the cache is bounded (oldest first out).
 */
export class IsolateCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(private readonly maxEntries = 256) {}

  get(key: string, now = Date.now()): T | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (now >= hit.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: T, expiresAt: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** Drops the entry; with `onlyIf`, only while it still holds that value (a refused token). */
  delete(key: string, onlyIf?: T): void {
    if (onlyIf !== undefined && this.entries.get(key)?.value !== onlyIf) return;
    this.entries.delete(key);
  }
}

/** A cache key bound to a credential: SHA-256 over every part, secret included. */
export async function credentialKey(...parts: string[]): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(parts)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
