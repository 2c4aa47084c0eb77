import {
  type OutboundPolicy,
  outboundPolicyFromEnv,
  outboundUrlProblems,
  type UrlProblem,
  vendorTargets,
} from '../../connectors/outbound-guard';
import { secretLookingSettings } from '../secret-shapes';

/** Deep-merge non-secret config with decrypted secrets (secrets win), giving the connector's full config. */
export function mergeConfig(
  config: Record<string, unknown>,
  secrets: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const [k, v] of Object.entries(secrets)) {
    const base = out[k];
    out[k] =
      base &&
      typeof base === 'object' &&
      !Array.isArray(base) &&
      v &&
      typeof v === 'object' &&
      !Array.isArray(v)
        ? mergeConfig(base as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** A setting that holds a URL: named *Url / *Uri / *Endpoint, or any string that starts with a scheme. */
const URL_KEY = /(url|uri|endpoint)$/i;
const HAS_SCHEME = /^\s*[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Tenant-configured URLs are an SSRF risk (OWASP API7): every URL setting of a connection, at any depth,
 * through the one outbound guard (https, the vendor's documented hosts, no IP literal or internal name...).
 * The connectors check every request again with the same guard.
 */
export function urlProblems(value: unknown, system: string, policy: OutboundPolicy, path = ''): UrlProblem[] {
  if (typeof value === 'string') {
    const key = path.split('.').pop() ?? '';
    if (!URL_KEY.test(key) && !HAS_SCHEME.test(value)) return [];
    return outboundUrlProblems(value, vendorTargets(system), policy, path);
  }
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
      urlProblems(v, system, policy, path ? `${path}.${k}` : k),
    );
  }
  return [];
}

/** Every URL setting of a connection checked under the deployment's outbound policy. */
export function connectionUrlProblems(
  env: Parameters<typeof outboundPolicyFromEnv>[0],
  merged: Record<string, unknown>,
  system: string,
): UrlProblem[] {
  return urlProblems(merged, system, outboundPolicyFromEnv(env));
}

/**
 * `config` is stored in clear and returned to admins: a setting whose name or value looks like a secret
 * (a password, token, private key, webhook secret, JWT...) is refused there, with where it belongs.
 */
export function secretInConfigProblems(config: Record<string, unknown>): UrlProblem[] {
  return secretLookingSettings(config).map(({ path, reason }) => ({
    field: `config.${path}`,
    message: `Looks like a secret: ${reason}; config is stored in clear and shown to admins.`,
    fix: `Move it under secrets (secrets.${path}): secrets are encrypted at rest and never returned.`,
  }));
}
