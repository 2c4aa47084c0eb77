import { describe, expect, it } from 'vitest';
import { credentialKey, IsolateCache } from '../../worker/connectors/isolate-cache';

describe('the isolate cache for tokens and vendor reference data', () => {
  it('binds an entry to the whole credential: another secret under the same client id finds nothing', async () => {
    const cache = new IsolateCache<string>();
    const mine = await credentialKey('https://acct.suitetalk.example', 'client-1', 'secret-A');
    const forged = await credentialKey('https://acct.suitetalk.example', 'client-1', 'secret-B');
    cache.set(mine, 'token-for-A', Date.now() + 60_000);
    expect(cache.get(mine)).toBe('token-for-A');
    expect(forged).not.toBe(mine);
    expect(cache.get(forged)).toBeUndefined();
  });

  it('forgets an entry when it expires, and a refused token only while it is still the cached one', () => {
    const cache = new IsolateCache<string>();
    cache.set('k', 'old', 1_000);
    expect(cache.get('k', 999)).toBe('old');
    expect(cache.get('k', 1_000)).toBeUndefined();

    cache.set('k', 'new', Number.MAX_SAFE_INTEGER);
    cache.delete('k', 'old'); // a late refusal of the previous token
    expect(cache.get('k')).toBe('new');
    cache.delete('k', 'new');
    expect(cache.get('k')).toBeUndefined();
  });

  it('stays bounded, dropping the oldest entry first', () => {
    const cache = new IsolateCache<number>(2);
    const later = Number.MAX_SAFE_INTEGER;
    cache.set('a', 1, later);
    cache.set('b', 2, later);
    cache.set('c', 3, later);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
  });
});
