import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import type { Keyring } from './keyring';

/** Sidebar embed tokens live ten minutes; the host asks for a fresh one through the host adapter. */
export const EMBED_TOKEN_TTL_SECONDS = 600;
/** Leeway on expiry when verifying. A previous signing key may be removed this long after a rotation. */
export const EMBED_TOKEN_LEEWAY_SECONDS = 30;
const ISSUER = 'handoff';
const AUDIENCE = 'handoff-sidebar';

export interface EmbedClaims {
  tenantId: string;
  psaProjectId: string;
  user: string;
}

/**
 * Embed tokens are HS256 with EMBED_SIGNING_KEY, a key of its own (never the data key), and carry its id
 * (`kid`) in the header so a rotation can keep the previous key verifying until its last tokens expire.
 */
export async function mintEmbedToken(
  ring: Keyring,
  claims: EmbedClaims,
): Promise<{ token: string; expiresAt: string }> {
  const exp = Math.floor(Date.now() / 1000) + EMBED_TOKEN_TTL_SECONDS;
  const token = await new SignJWT({ tid: claims.tenantId, prj: claims.psaProjectId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: ring.currentId })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(claims.user)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(ring.keys.get(ring.currentId)!);
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

/**
 * Verifies with the key the token's `kid` names (current or previous), then signature, issuer, audience
 * and expiry (30 s leeway); throws on anything else, a token without a known `kid` included.
 */
export async function verifyEmbedToken(ring: Keyring, token: string): Promise<EmbedClaims> {
  const { kid, alg } = decodeProtectedHeader(token);
  if (alg !== 'HS256') throw new Error('embed token not HS256');
  const key = typeof kid === 'string' ? ring.keys.get(kid) : undefined;
  if (!key) throw new Error('embed token signed with an unknown key id');
  const { payload } = await jwtVerify(token, key, {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['HS256'],
    clockTolerance: EMBED_TOKEN_LEEWAY_SECONDS,
  });
  if (typeof payload.tid !== 'string' || typeof payload.prj !== 'string')
    throw new Error('embed token without tenant or project');
  return { tenantId: payload.tid, psaProjectId: payload.prj, user: payload.sub ?? 'unknown' };
}
