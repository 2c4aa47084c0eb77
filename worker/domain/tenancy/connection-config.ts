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

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i;
const PRIVATE = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|0\.|\[?f[cd][0-9a-f]{2}:|\[?fe80:)/i;

/**
 * Tenant-configured URLs are an SSRF risk (OWASP API7): only https to public hosts, except loopback
 * when the deployment explicitly allows it (the sandbox and tests talk to local emulators).
 */
export function urlProblems(
  value: unknown,
  allowLoopback: boolean,
  path = '',
): { field: string; message: string; fix: string }[] {
  if (typeof value === 'string' && /url$/i.test(path.split('.').pop() ?? '')) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return [{ field: path, message: 'is not a URL', fix: 'Use an absolute https:// URL.' }];
    }
    const loopback = LOOPBACK.test(url.hostname);
    if (loopback && allowLoopback) return [];
    if (url.protocol !== 'https:')
      return [{ field: path, message: 'must use https', fix: 'Use the https:// URL of the system.' }];
    if (loopback || PRIVATE.test(url.hostname))
      return [
        {
          field: path,
          message: 'points at a private or loopback address',
          fix: 'Use the public URL of the system.',
        },
      ];
    return [];
  }
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
      urlProblems(v, allowLoopback, path ? `${path}.${k}` : k),
    );
  }
  return [];
}
