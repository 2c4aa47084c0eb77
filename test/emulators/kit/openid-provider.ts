import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

/**
 * What the emulated OpenID Connect providers (Entra ID, Salesforce) share: their signing keys (one per
 * instance, plus a key no instance publishes, to forge with), the PKCE S256 check, the redirect back to the
 * client's registered URI with the state, and the hidden fields of their sign-in forms.
 */

export interface SigningKey {
  privateKey: CryptoKey;
  jwk: JWK;
}

async function newKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' } };
}

/** RS256 keys per instance (the JWKS it publishes), and one that no instance publishes. */
export function signingKeys<I extends object>(kidOf: (inst: I) => string, unpublishedKid: string) {
  const keys = new WeakMap<I, Promise<SigningKey>>();
  let stray: Promise<SigningKey> | undefined;
  return {
    of(inst: I): Promise<SigningKey> {
      let k = keys.get(inst);
      if (!k) {
        k = newKey(kidOf(inst));
        keys.set(inst, k);
      }
      return k;
    },
    unpublished: (): Promise<SigningKey> => {
      stray ??= newKey(unpublishedKid);
      return stray;
    },
  };
}

/** The S256 code challenge of a PKCE verifier. */
export const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** A 302 back to the client's redirect URI with `params` and the request's state (RFC 6749 §4.1.2). */
export function redirectBack(c: Context, redirectUri: string, state: string | undefined) {
  return (params: Record<string, string>) => {
    const u = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    if (state !== undefined) u.searchParams.set('state', state);
    return c.redirect(u.toString(), 302);
  };
}

export const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

/** The authorization request's parameters as hidden fields, so the sign-in form resubmits them. */
export const hiddenFields = (q: Record<string, string>, omit: string[] = []) =>
  Object.entries(q)
    .filter(([k]) => !omit.includes(k))
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
