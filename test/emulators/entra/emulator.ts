import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { createEmulator, type Instance } from '../kit/emulator';

/**
 * Microsoft Entra ID v2, the slice Teams tab SSO needs: per-tenant OpenID configuration and signing keys
 * (`/{tid}/v2.0/.well-known/openid-configuration`, `/{tid}/discovery/v2.0/keys`), and a control endpoint
 * that issues the token `authentication.getAuthToken()` would hand a tab (v2 access token: iss
 * `{authority}/{tid}/v2.0`, aud = the app's id URI, scp `access_as_user`, oid, tid, name).
 */
interface EntraState {
  users: Record<string, { oid: string; name: string; email?: string; tid: string }>;
}

const keys = new WeakMap<Instance<EntraState>, Promise<{ privateKey: CryptoKey; jwk: JWK }>>();

function signingKey(inst: Instance<EntraState>) {
  let k = keys.get(inst);
  if (!k) {
    k = (async () => {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
      const jwk = { ...(await exportJWK(publicKey)), kid: `entra-${inst.id}`, use: 'sig', alg: 'RS256' };
      return { privateKey, jwk };
    })();
    keys.set(inst, k);
  }
  return k;
}

export function createEntraEmulator() {
  return createEmulator<EntraState>({
    name: 'entra',
    initialState: () => ({ users: {} }),
    errorFormat: (status, message, code) => ({
      body: { error: code.toLowerCase(), error_description: message, status },
    }),
    routes(app) {
      app.get('/:tid/v2.0/.well-known/openid-configuration', (c) => {
        const base = `${new URL(c.req.url).origin}/i/${c.get('instance').id}`;
        const tid = c.req.param('tid');
        return c.json({
          issuer: `${base}/${tid}/v2.0`,
          jwks_uri: `${base}/${tid}/discovery/v2.0/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
        });
      });
      app.get('/:tid/discovery/v2.0/keys', async (c) =>
        c.json({ keys: [(await signingKey(c.get('instance'))).jwk] }),
      );
    },
    controlRoutes(app, instance) {
      /** What getAuthToken() returns to a tab for this user: test and sandbox use only. */
      app.post('/__emulator/instances/:id/sso-token', async (c) => {
        const inst = instance(c.req.param('id'));
        if (!inst) return c.json({ error: 'no such instance' }, 404);
        const b = (await c.req.json()) as {
          tid: string;
          oid: string;
          name: string;
          aud: string;
          scp?: string;
          expiresInSeconds?: number;
          issuer?: string;
          email?: string;
        };
        const { privateKey, jwk } = await signingKey(inst);
        const base = `${new URL(c.req.url).origin}/i/${inst.id}`;
        const now = Math.floor(Date.now() / 1000);
        const token = await new SignJWT({
          tid: b.tid,
          oid: b.oid,
          name: b.name,
          scp: b.scp ?? 'access_as_user',
          preferred_username: b.email,
          ver: '2.0',
        })
          .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
          .setIssuer(b.issuer ?? `${base}/${b.tid}/v2.0`)
          .setAudience(b.aud)
          .setSubject(b.oid)
          .setIssuedAt(now)
          .setExpirationTime(now + (b.expiresInSeconds ?? 3600))
          .sign(privateKey);
        return c.json({ token });
      });
    },
  });
}
export type EntraEmulator = ReturnType<typeof createEntraEmulator>;
