import { jwtVerify, SignJWT } from 'jose';

/** Sidebar embed tokens live ten minutes; the host asks for a fresh one through the host adapter. */
export const EMBED_TOKEN_TTL_SECONDS = 600;
const ISSUER = 'handoff';
const AUDIENCE = 'handoff-sidebar';

export interface EmbedClaims {
  tenantId: string;
  psaProjectId: string;
  user: string;
}

/** A signing key for embed tokens, derived from SECRETS_KEY so there is one secret less to manage. */
export async function embedSigningKey(secretsKeyB64: string): Promise<Uint8Array> {
  const raw = Uint8Array.from(atob(secretsKeyB64), (ch) => ch.charCodeAt(0));
  const hmac = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(
    await crypto.subtle.sign('HMAC', hmac, new TextEncoder().encode('handoff embed token v1')),
  );
}

export async function mintEmbedToken(
  secretsKeyB64: string,
  claims: EmbedClaims,
): Promise<{ token: string; expiresAt: string }> {
  const exp = Math.floor(Date.now() / 1000) + EMBED_TOKEN_TTL_SECONDS;
  const token = await new SignJWT({ tid: claims.tenantId, prj: claims.psaProjectId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(claims.user)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(await embedSigningKey(secretsKeyB64));
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

/** Verifies signature, issuer, audience and expiry (30 s leeway); throws on anything else. */
export async function verifyEmbedToken(secretsKeyB64: string, token: string): Promise<EmbedClaims> {
  const { payload } = await jwtVerify(token, await embedSigningKey(secretsKeyB64), {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['HS256'],
    clockTolerance: 30,
  });
  if (typeof payload.tid !== 'string' || typeof payload.prj !== 'string')
    throw new Error('embed token without tenant or project');
  return { tenantId: payload.tid, psaProjectId: payload.prj, user: payload.sub ?? 'unknown' };
}
