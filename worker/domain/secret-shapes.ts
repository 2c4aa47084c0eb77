/**
 * What a secret looks like, by its setting's name or by its value. Used twice: a connection's `config`
 * (stored in clear and returned to admins) refuses anything secret-looking, and every audit row is passed
 * through `redactSecrets` before it is written, so a secret can reach neither by mistake.
 */

/** Names that hold a secret wherever they appear in the name (`clientSecret`, `db_password`, `privateKeyPem`). */
const SECRET_NAME_PARTS = [
  'secret',
  'password',
  'passwd',
  'passphrase',
  'privatekey',
  'apikey',
  'accesstoken',
  'refreshtoken',
  'bearertoken',
  'authtoken',
  'idtoken',
  'sessiontoken',
  'hmac',
  'signingkey',
  'encryptionkey',
  'clientassertion',
  'credential',
];
/** Names whose last word says secret (`token`, `webhookKey`, `connectKeys`, `pem`). */
const SECRET_LAST_WORDS = new Set(['token', 'tokens', 'key', 'keys', 'pem', 'pat', 'jwt', 'cookie']);
/** Names that only describe a secret (where it comes from, how long it lives), never hold one. */
const DESCRIPTIVE_LAST_WORDS = new Set([
  'url',
  'uri',
  'urls',
  'endpoint',
  'host',
  'id',
  'ids',
  'name',
  'names',
  'header',
  'algorithm',
  'alg',
  'type',
  'seconds',
  'ms',
  'minutes',
  'at',
  'ttl',
  'count',
  'paths',
  'fields',
  'changed',
  'scope',
  'scopes',
]);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** True when a setting's name says it holds a secret (an identifier-like name; free-text map keys are not judged). */
export function isSecretName(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,80}$/.test(name)) return false;
  const w = words(name);
  const last = w[w.length - 1] ?? '';
  if (DESCRIPTIVE_LAST_WORDS.has(last)) return false;
  if (SECRET_LAST_WORDS.has(last)) return true;
  const joined = w.join('');
  return SECRET_NAME_PARTS.some((part) => joined.includes(part));
}

const SECRET_VALUES: { pattern: RegExp; what: string }[] = [
  { pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, what: 'a PEM private key' },
  { pattern: /^whsec_[A-Za-z0-9+/=_-]{8,}/, what: 'a webhook signing secret (whsec_…)' },
  { pattern: /^eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*$/, what: 'a JWT' },
  { pattern: /^hk_(?:crm|psa|admin)_[A-Za-z0-9_-]{16,}$/, what: 'a Handoff API key' },
  { pattern: /^(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}$/, what: 'an API secret key' },
  { pattern: /^(?:gh[pousr]_|github_pat_|xox[abprs]-|glpat-)[A-Za-z0-9_-]{10,}/, what: 'an access token' },
  { pattern: /^Bearer\s+\S{10,}$/i, what: 'a bearer token' },
];

/** What a value looks like when it looks like a secret (`a PEM private key`), else undefined. */
export function secretValueKind(value: string): string | undefined {
  const v = value.trim();
  return SECRET_VALUES.find((s) => s.pattern.test(v))?.what;
}

export interface SecretLookingSetting {
  path: string;
  reason: string;
}

/** Every setting under `value` whose name or value looks like a secret, with its dotted path. */
export function secretLookingSettings(value: unknown, path = ''): SecretLookingSetting[] {
  if (typeof value === 'string') {
    const kind = secretValueKind(value);
    return kind ? [{ path, reason: `its value looks like ${kind}` }] : [];
  }
  if (Array.isArray(value))
    return value.flatMap((v, i) => secretLookingSettings(v, path ? `${path}.${i}` : String(i)));
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
      const at = path ? `${path}.${k}` : k;
      if (isSecretName(k) && v !== null && v !== undefined && v !== '')
        return [{ path: at, reason: `"${k}" names a secret` }];
      return secretLookingSettings(v, at);
    });
  }
  return [];
}

export const REDACTED = '[redacted]';

/** A copy with every secret-named setting and every secret-looking value replaced by "[redacted]". */
export function redactSecrets<T>(value: T): T {
  if (typeof value === 'string') return (secretValueKind(value) ? REDACTED : value) as T;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        isSecretName(k) && v !== null && v !== undefined ? REDACTED : redactSecrets(v),
      ]),
    ) as T;
  }
  return value;
}

/** The dotted paths of every leaf of a secrets object (what an audit row may say about secrets). */
export function leafPaths(value: unknown, path = ''): string[] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
      leafPaths(v, path ? `${path}.${k}` : k),
    );
  }
  return path ? [path] : [];
}
