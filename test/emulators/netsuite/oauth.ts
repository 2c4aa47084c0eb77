import type { Context, MiddlewareHandler } from 'hono';
import {
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  importSPKI,
  importX509,
  type JWK,
  jwtVerify,
} from 'jose';
import type { EmulatorApp, EmulatorEnv, Instance } from '../kit/emulator';
import { optionsOf } from './options';
import type { NetSuiteState } from './state';
import { errorResponse, INVALID_LOGIN_DETAIL } from './vendor-errors';

export const TOKEN_PATH = '/services/rest/auth/oauth2/v1/token';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** "The Request Token Structure": PS256/384/512 or ES256/384/512; RS256 is not accepted. */
const ALGORITHMS = ['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
const SCOPES = new Set(['restlets', 'rest_webservices', 'suite_analytics']);

type Ctx = Context<EmulatorEnv<NetSuiteState>>;

function oauthError(c: Ctx, error: string, description: string) {
  // The description is the emulator's explanation for tests; NetSuite records the reason in the Login Audit Trail.
  return c.json({ error, error_description: description }, 400);
}

/** This instance's base URL, the stand-in for https://{account}.suitetalk.api.netsuite.com. */
export function instanceBase(c: Ctx): string {
  return `${new URL(c.req.url).origin}/i/${c.get('instance').id}`;
}

async function importRegisteredKey(key: string | Record<string, unknown>, alg: string) {
  if (typeof key !== 'string') return importJWK(key as JWK, alg);
  if (key.includes('BEGIN CERTIFICATE')) return importX509(key, alg);
  return importSPKI(key, alg);
}

function scopeList(scope: unknown): string[] {
  if (Array.isArray(scope)) return scope.map(String);
  if (typeof scope === 'string') return scope.split(/[\s,]+/).filter(Boolean);
  return [];
}

function issueToken(instance: Instance<NetSuiteState>, clientId: string, ttlSeconds: number): string {
  // NetSuite's access tokens are JWTs; the emulator's look like one and are checked by lookup.
  const b64 = (v: object | Uint8Array) =>
    Buffer.from(v instanceof Uint8Array ? v : JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const token = [
    b64({ kid: 'emulator', typ: 'JWT', alg: 'RS256' }),
    b64({
      sub: clientId,
      iss: 'netsuite-emulator',
      aud: instance.id,
      iat: now,
      exp: now + ttlSeconds,
      scope: ['rest_webservices'],
    }),
    b64(crypto.getRandomValues(new Uint8Array(32))),
  ].join('.');
  instance.state.tokens[token] = { clientId, expiresAt: Date.now() + ttlSeconds * 1000 };
  return token;
}

/**
 * `POST /services/rest/auth/oauth2/v1/token`, client credentials grant with a JWT client assertion
 * ("POST Request to the Token Endpoint and the Access Token Response", "The Request Token Structure").
 */
export function registerTokenEndpoint(app: EmulatorApp<NetSuiteState>): void {
  app.post(TOKEN_PATH, async (c) => {
    const instance = c.get('instance');
    const options = optionsOf(instance);
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return oauthError(c, 'invalid_request', 'Parameters must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(await c.req.text());
    const grantType = form.get('grant_type');
    if (!grantType) return oauthError(c, 'invalid_request', 'grant_type is missing');
    if (grantType !== 'client_credentials')
      return oauthError(c, 'unsupported_grant_type', `grant_type ${grantType} is not emulated`);
    if (form.get('client_assertion_type') !== JWT_BEARER)
      return oauthError(c, 'invalid_request', `client_assertion_type must be ${JWT_BEARER}`);
    const assertion = form.get('client_assertion');
    if (!assertion) return oauthError(c, 'invalid_request', 'client_assertion is missing');

    let header: ReturnType<typeof decodeProtectedHeader>;
    let claims: ReturnType<typeof decodeJwt>;
    try {
      header = decodeProtectedHeader(assertion);
      claims = decodeJwt(assertion);
    } catch {
      return oauthError(c, 'invalid_grant', 'client_assertion is not a JWT');
    }
    if (String(header.typ ?? '').toUpperCase() !== 'JWT')
      return oauthError(c, 'invalid_grant', 'typ must be JWT');
    if (!header.alg || !ALGORITHMS.includes(header.alg))
      return oauthError(c, 'invalid_grant', `alg ${header.alg} is not accepted`);
    const client = options.clients.find((cl) => cl.clientId === claims.iss);
    if (!client)
      return oauthError(
        c,
        'invalid_grant',
        'iss is not the client ID of an integration record (InvalidIntegration)',
      );
    const certificate = client.certificates.find(
      (cert) => cert.certificateId === header.kid && !cert.revoked,
    );
    if (!certificate)
      return oauthError(c, 'invalid_grant', 'kid is not a certificate mapped to this integration');

    const tokenUrl = `${instanceBase(c)}${TOKEN_PATH}`;
    const audiences = [tokenUrl, ...options.tokenAudiences];
    if (options.accountId) {
      audiences.push(
        `https://${options.accountId.toLowerCase().replace(/_/g, '-')}.suitetalk.api.netsuite.com${TOKEN_PATH}`,
      );
    }
    try {
      const key = await importRegisteredKey(certificate.publicKey, header.alg);
      await jwtVerify(assertion, key, {
        algorithms: [header.alg],
        issuer: client.clientId,
        audience: audiences,
        requiredClaims: ['iat', 'exp'],
      });
    } catch (e) {
      return oauthError(
        c,
        'invalid_grant',
        `assertion rejected (InvalidSignature or claims): ${(e as Error).message}`,
      );
    }
    if ((claims.exp ?? 0) - (claims.iat ?? 0) > 3600)
      return oauthError(c, 'invalid_grant', 'exp must be less than 60 minutes after iat');
    const scopes = scopeList(claims.scope);
    if (scopes.length === 0 || scopes.some((s) => !SCOPES.has(s)))
      return oauthError(
        c,
        'invalid_scope',
        'scope must list restlets, rest_webservices and/or suite_analytics',
      );
    if (!scopes.includes('rest_webservices'))
      return oauthError(c, 'invalid_scope', 'the token would not grant REST web services');

    instance.effect('token.issue');
    const ttl = options.tokenTtlSeconds;
    return c.json({
      access_token: issueToken(instance, client.clientId, ttl),
      expires_in: ttl,
      token_type: 'Bearer',
    });
  });
}

/** Every REST call needs `Authorization: Bearer <access token>`; otherwise NetSuite's 401 INVALID_LOGIN. */
export const requireBearer: MiddlewareHandler<EmulatorEnv<NetSuiteState>> = async (c, next) => {
  const instance = c.get('instance');
  const options = optionsOf(instance);
  if (!options.requireAuth) return next();
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
  const token = match?.[1];
  const issued = token ? instance.state.tokens[token] : undefined;
  const valid =
    token !== undefined &&
    (options.accessTokens.includes(token) || (issued !== undefined && issued.expiresAt > Date.now()));
  if (!valid) {
    return errorResponse(
      401,
      { detail: INVALID_LOGIN_DETAIL, code: 'INVALID_LOGIN' },
      { 'WWW-Authenticate': 'Bearer' },
    );
  }
  return next();
};
