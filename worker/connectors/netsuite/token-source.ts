import { importPKCS8, SignJWT } from 'jose';
import { z } from 'zod';
import { ConnectorError, networkError } from '../errors';
import { credentialKey, IsolateCache } from '../isolate-cache';
import type { FetchLike } from '../ports';
import {
  type NetSuiteClientCredentials,
  type NetSuiteConnection,
  type NetSuiteJwtAlgorithm,
  suiteTalkBaseUrl,
  TOKEN_PATH,
} from './config';
import { isTimeout, SYSTEM, timeoutError } from './vendor-error';

/** Gives the bearer token for each call; `invalidate` drops a token NetSuite answered 401 to. */
export interface TokenSource {
  get(): Promise<string>;
  invalidate(token: string): void;
  /** Whether a fresh token can be obtained after `invalidate` (false for a fixed access token). */
  readonly renewable: boolean;
}

const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  // NetSuite documents expires_in as always 3600; accept it as a number or a numeric string.
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).default(3600),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer', 'token_type must be Bearer'),
});

const OAuthErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

/** The assertion only has to live until the token endpoint reads it; NetSuite caps exp - iat at 60 minutes. */
const ASSERTION_LIFETIME_SECONDS = 300;
const CANDIDATE_ALGORITHMS: NetSuiteJwtAlgorithm[] = ['PS256', 'ES256', 'ES384', 'ES512'];

export function staticTokenSource(accessToken: string): TokenSource {
  return { renewable: false, get: async () => accessToken, invalidate: () => {} };
}

/** jose needs the algorithm to import a PKCS#8 key; try the ones NetSuite accepts until one fits the key type. */
async function importSigningKey(
  creds: NetSuiteClientCredentials,
): Promise<{ key: CryptoKey; alg: NetSuiteJwtAlgorithm }> {
  const pem = creds.privateKeyPem.trim();
  if (/BEGIN (RSA |EC )?PRIVATE KEY/.test(pem) && !pem.includes('BEGIN PRIVATE KEY')) {
    throw new ConnectorError({
      system: SYSTEM,
      message:
        'The NetSuite private key is in PKCS#1/SEC1 form; a PKCS#8 PEM ("BEGIN PRIVATE KEY") is required',
      retryable: false,
      code: 'NETSUITE_KEY_FORMAT',
      fix: 'Convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem',
      field: 'auth.privateKeyPem',
    });
  }
  for (const alg of creds.algorithm ? [creds.algorithm] : CANDIDATE_ALGORITHMS) {
    try {
      return { key: (await importPKCS8(pem, alg)) as CryptoKey, alg };
    } catch {
      // wrong key type for this algorithm: try the next one
    }
  }
  throw new ConnectorError({
    system: SYSTEM,
    message: 'The NetSuite private key could not be read as an RSA (PS256) or EC P-256/384/521 PKCS#8 key',
    retryable: false,
    code: 'NETSUITE_KEY_FORMAT',
    fix: 'Paste the unencrypted PKCS#8 private key of the certificate uploaded to NetSuite’s OAuth 2.0 Client Credentials (M2M) Setup.',
    field: 'auth.privateKeyPem',
  });
}

/**
 * OAuth 2.0 client credentials ("POST Request to the Token Endpoint and the Access Token Response"):
 * a JWT signed with the certificate's private key (kid = certificate id, iss = client id, aud = the
 * token endpoint) is exchanged for a 60-minute bearer token, renewed before it runs out. Concurrent
 * callers share one exchange.
 */
/** Tokens minted in this isolate, by credential: the steps of one activation share one token. */
const minted = new IsolateCache<string>();

export function clientCredentialsTokenSource(
  config: NetSuiteConnection,
  creds: NetSuiteClientCredentials,
  fetchImpl: FetchLike,
  now: () => number = Date.now,
): TokenSource {
  const tokenUrl = `${suiteTalkBaseUrl(config)}${TOKEN_PATH}`;
  let signingKey: Promise<{ key: CryptoKey; alg: NetSuiteJwtAlgorithm }> | undefined;
  let current: { token: string; refreshAt: number } | undefined;
  let pending: Promise<string> | undefined;
  let cacheKey: string | undefined;
  const keyOf = async () =>
    (cacheKey ??= await credentialKey(
      tokenUrl,
      creds.clientId,
      creds.certificateId,
      creds.scope,
      creds.privateKeyPem,
    ));

  async function mint(): Promise<string> {
    signingKey ??= importSigningKey(creds);
    const { key, alg } = await signingKey.catch((e) => {
      signingKey = undefined;
      throw e;
    });
    const iat = Math.floor(now() / 1000);
    const assertion = await new SignJWT({ scope: creds.scope })
      .setProtectedHeader({ typ: 'JWT', alg, kid: creds.certificateId })
      .setIssuer(creds.clientId)
      .setAudience(tokenUrl)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ASSERTION_LIFETIME_SECONDS)
      .setJti(crypto.randomUUID())
      .sign(key);
    let response: Response;
    try {
      response = await fetchImpl(tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        }).toString(),
        signal: AbortSignal.timeout(config.timeoutMs),
      });
    } catch (e) {
      if (e instanceof ConnectorError) throw e; // refused by the outbound guard: not a network error
      throw isTimeout(e) ? timeoutError('token request', config.timeoutMs, e) : networkError(SYSTEM, e);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw tokenError(response, text);
    let parsed: z.infer<typeof TokenResponseSchema>;
    try {
      parsed = TokenResponseSchema.parse(JSON.parse(text));
    } catch (e) {
      throw new ConnectorError({
        system: SYSTEM,
        message: 'NetSuite token endpoint answered without a usable bearer token',
        retryable: true,
        code: 'NETSUITE_TOKEN_RESPONSE',
        status: response.status,
        cause: e,
      });
    }
    const lifetimeMs = parsed.expires_in * 1000;
    const skewMs = Math.min(config.tokenRefreshSkewSeconds * 1000, lifetimeMs / 2);
    current = { token: parsed.access_token, refreshAt: now() + lifetimeMs - skewMs };
    minted.set(await keyOf(), current.token, current.refreshAt);
    return parsed.access_token;
  }

  return {
    renewable: true,
    async get() {
      if (current && now() < current.refreshAt) return current.token;
      const shared = minted.get(await keyOf(), now());
      if (shared) return shared;
      pending ??= mint().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    invalidate(token) {
      if (current?.token === token) current = undefined;
      // Any token handed out was looked up under the key, so it is known by now.
      if (cacheKey) minted.delete(cacheKey, token);
    },
  };
}

function tokenError(response: Response, text: string): ConnectorError {
  let oauth: z.infer<typeof OAuthErrorSchema> | undefined;
  try {
    oauth = OAuthErrorSchema.parse(JSON.parse(text));
  } catch {
    oauth = undefined;
  }
  const retryable = response.status === 429 || response.status >= 500;
  const code = oauth?.error ?? `HTTP_${response.status}`;
  return new ConnectorError({
    system: SYSTEM,
    message: `NetSuite refused the client-credentials token request (${response.status} ${code})${oauth?.error_description ? `: ${oauth.error_description}` : ''}`,
    retryable,
    status: response.status,
    code: retryable ? code : `NETSUITE_AUTH_${code.toUpperCase()}`,
    fix: retryable
      ? undefined
      : 'Check the client ID, the certificate ID and that the certificate’s public key is mapped to an active role under Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup; the Login Audit Trail says which part NetSuite rejected.',
    field: 'auth',
  });
}
