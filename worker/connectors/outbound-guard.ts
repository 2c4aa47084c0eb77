import { ConnectorError } from './errors';
import type { FetchLike } from './ports';

/**
 * The one outbound URL guard (OWASP API7, SSRF). Every URL Handoff sends a request to on a tenant's behalf
 * passes `outboundUrlProblems` twice: when the tenant saves it (a 422 with these problems) and again right
 * before each request (`guardedFetch`, a non-retryable ConnectorError), so a row written before a rule
 * existed, or edited behind the API, cannot reach anywhere the rules forbid.
 *
 * The rules: https only; the vendor's documented host names, matched label by label; never an IP literal in
 * any spelling (WHATWG URL parsing turns decimal, octal and hex IPv4 forms into dotted decimal, IPv6 always
 * comes bracketed, so both are recognised after parsing, whatever the range: private, loopback, link-local,
 * CGNAT 100.64/10, benchmarking 198.18/15, IPv4-mapped, NAT64); no user info, no trailing dot, no
 * non-default port, no internal names (single labels, *.localhost, *.internal, *.local...), no punycode.
 * A deployment may add hosts (ALLOWED_CUSTOM_VENDOR_HOSTS, TEAMS_BOT_CONNECTOR_ORIGINS) and, for the sandbox
 * and tests only, loopback emulators (ALLOW_LOOPBACK_CONNECTIONS=true). Pure: no I/O, no runtime APIs but URL.
 */

export interface UrlProblem {
  field: string;
  message: string;
  fix: string;
}

/** What a deployment allows beyond the vendors' documented hosts (see `outboundPolicyFromEnv`). */
export interface OutboundPolicy {
  /** ALLOW_LOOPBACK_CONNECTIONS=true: http(s) to 127.0.0.0/8, localhost and [::1] (local emulators). */
  allowLoopback: boolean;
  /** ALLOWED_CUSTOM_VENDOR_HOSTS: extra host names (exact, or `*.suffix`) for CRM/PSA/ERP/CLM URLs. */
  customHosts: readonly string[];
  /** TEAMS_BOT_CONNECTOR_ORIGINS: extra https origins the bot token may be sent to (sovereign clouds). */
  botConnectorOrigins: readonly string[];
}

/** Production default: documented vendor hosts only. */
export const STRICT_OUTBOUND_POLICY: OutboundPolicy = Object.freeze({
  allowLoopback: false,
  customHosts: Object.freeze([]) as readonly string[],
  botConnectorOrigins: Object.freeze([]) as readonly string[],
});

export type VendorSystem = 'salesforce' | 'kantata' | 'netsuite' | 'docusign';
export const VENDOR_SYSTEMS: readonly VendorSystem[] = ['salesforce', 'kantata', 'netsuite', 'docusign'];

/** Where a connection of `system` may point: its documented hosts (any vendor's, for a system not listed). */
export function vendorTargets(system: string | null | undefined): readonly VendorSystem[] {
  return (VENDOR_SYSTEMS as readonly (string | null | undefined)[]).includes(system)
    ? [system as VendorSystem]
    : VENDOR_SYSTEMS;
}
/**
 * Where a request goes: a vendor's API (host patterns), the Bot Connector (exact hosts: the bot's token goes
 * there), or Microsoft's sign-in and Bot Framework key endpoints (exact hosts).
 */
export type OutboundTarget = VendorSystem | 'bot-connector' | 'microsoft-login';

/**
 * Documented hosts per vendor. `*.x.y` matches one or more labels before `x.y`, never `x.y` itself.
 * - Salesforce: My Domain `{name}.my.salesforce.com` (sandboxes `{name}--{sbx}.sandbox.my.salesforce.com`,
 *   Developer Edition `.develop.my.salesforce.com`), login.salesforce.com / test.salesforce.com, legacy
 *   instance hosts (`na1.salesforce.com`) and `*.force.com` (Lightning and Visualforce domains).
 * - Kantata OX: the API root is https://api.mavenlink.com/api/v1/ (developer.kantata.com); people open
 *   projects on app.mavenlink.com or the account's Kantata domain.
 * - NetSuite: account-specific domains `{accountId}.suitetalk.api.netsuite.com`,
 *   `{accountId}.restlets.api.netsuite.com`, `{accountId}.app.netsuite.com` (Oracle, "URLs for
 *   Account-Specific Domains").
 * - DocuSign: `*.docusign.net` (eSignature API, e.g. na3.docusign.net, demo.docusign.net) and `*.docusign.com`
 *   (account.docusign.com, eu.docusign.com...).
 */
export const VENDOR_HOSTS: Readonly<Record<VendorSystem, readonly string[]>> = {
  salesforce: ['*.salesforce.com', '*.force.com'],
  kantata: ['api.mavenlink.com', 'app.mavenlink.com', '*.mavenlink.com', '*.kantata.com'],
  netsuite: ['*.suitetalk.api.netsuite.com', '*.restlets.api.netsuite.com', '*.app.netsuite.com'],
  docusign: ['*.docusign.net', '*.docusign.com'],
};

/**
 * The Bot Connector service hosts Microsoft documents, matched exactly (scheme https, host, port 443). Not a
 * suffix of trafficmanager.net: anyone can register a name there.
 * - smba.trafficmanager.net: public cloud (serviceUrl https://smba.trafficmanager.net/teams/ and regional
 *   paths such as /amer/, /emea/, /apac/, /in/ as Teams sends them)
 * - smba.onyx.prod.teams.trafficmanager.net: public cloud (Teams SDK service URL validation list)
 * - smba.infra.gcc.teams.microsoft.com: GCC
 * - smba.infra.gov.teams.microsoft.us: GCC High
 * - smba.infra.dod.teams.microsoft.us: DoD
 * - frontend.botapi.msg.infra.teams.microsoftonline.cn: Teams operated by 21Vianet
 * Sources: learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages,
 * microsoft.github.io/teams-sdk/csharp/essentials/app-configuration/service-url-validation,
 * microsoft.github.io/Agents-for-js (TeamsServiceEndpoints).
 */
export const BOT_CONNECTOR_HOSTS: readonly string[] = [
  'smba.trafficmanager.net',
  'smba.onyx.prod.teams.trafficmanager.net',
  'smba.infra.gcc.teams.microsoft.com',
  'smba.infra.gov.teams.microsoft.us',
  'smba.infra.dod.teams.microsoft.us',
  'frontend.botapi.msg.infra.teams.microsoftonline.cn',
];

/**
 * Microsoft identity platform token endpoints and Bot Framework OpenID metadata / key hosts (public cloud and
 * US Government), exact. The bot's client secret goes to the first kind.
 */
export const MICROSOFT_LOGIN_HOSTS: readonly string[] = [
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.botframework.com',
  'login.botframework.azure.us',
];

/** Suffixes that only ever name something inside a network (RFC 6761/6762/8375, cloud metadata, k8s). */
const INTERNAL_SUFFIXES = [
  'localhost',
  'local',
  'localdomain',
  'internal',
  'intranet',
  'private',
  'corp',
  'lan',
  'home',
  'home.arpa',
  'in-addr.arpa',
  'ip6.arpa',
  'svc',
  'cluster.local',
  'test',
  'example',
  'invalid',
  'onion',
];

const LOOPBACK_HOST = /^(localhost|\[::1\]|127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;
const IPV4_DOTTED = /^\d{1,3}(\.\d{1,3}){3}$/;
/** A last label WHATWG would read as a number (decimal, octal with a leading 0, hex 0x...). */
const NUMERIC_LABEL = /^(0x[0-9a-f]*|\d+)$/i;
const LDH_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

const TARGET_NAMES: Record<OutboundTarget, string> = {
  salesforce: 'Salesforce',
  kantata: 'Kantata',
  netsuite: 'NetSuite',
  docusign: 'DocuSign',
  'bot-connector': 'Microsoft Bot Connector',
  'microsoft-login': 'Microsoft sign-in',
};

const TARGET_EXAMPLES: Record<OutboundTarget, string> = {
  salesforce: 'https://acme.my.salesforce.com',
  kantata: 'https://api.mavenlink.com/api/v1',
  netsuite: 'https://1234567.suitetalk.api.netsuite.com',
  docusign: 'https://na3.docusign.net',
  'bot-connector': 'https://smba.trafficmanager.net/teams/',
  'microsoft-login': 'https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token',
};

/** Does `host` match `pattern` (exact, or `*.suffix` = at least one more label before the suffix)? */
export function hostMatches(host: string, pattern: string): boolean {
  const p = pattern.trim().toLowerCase();
  if (p.startsWith('*.')) {
    const suffix = p.slice(1); // ".salesforce.com"
    return host.length > suffix.length && host.endsWith(suffix);
  }
  return host === p;
}

function allowedHosts(targets: readonly OutboundTarget[], policy: OutboundPolicy): string[] {
  const out: string[] = [];
  for (const t of targets) {
    if (t === 'bot-connector') out.push(...BOT_CONNECTOR_HOSTS);
    else if (t === 'microsoft-login') out.push(...MICROSOFT_LOGIN_HOSTS);
    else out.push(...VENDOR_HOSTS[t], ...policy.customHosts);
  }
  return out;
}

function isInternalName(host: string): boolean {
  if (!host.includes('.')) return true; // "metadata", "intranet", "kubernetes"
  return INTERNAL_SUFFIXES.some((s) => host === s || host.endsWith(`.${s}`));
}

/**
 * Problems with one URL for the given targets (empty = allowed). `field` names the setting in every problem.
 * Only the first problem found is reported: each one alone is enough to refuse the URL.
 */
export function outboundUrlProblems(
  value: unknown,
  targets: OutboundTarget | readonly OutboundTarget[],
  policy: OutboundPolicy = STRICT_OUTBOUND_POLICY,
  field = 'url',
): UrlProblem[] {
  const list: readonly OutboundTarget[] = typeof targets === 'string' ? [targets] : targets;
  const name = list.map((t) => TARGET_NAMES[t]).join(' or ');
  const example = TARGET_EXAMPLES[list[0] ?? 'salesforce'];
  const problem = (message: string, fix: string): UrlProblem[] => [{ field, message, fix }];
  if (typeof value !== 'string' && !(value instanceof URL))
    return problem('is not a URL', `Use an absolute https:// URL, e.g. ${example}.`);
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return problem('is not a URL', `Use an absolute https:// URL, e.g. ${example}.`);
  }
  if (url.username || url.password)
    return problem(
      'contains a user name or password before the host',
      `Remove everything between "//" and "@": give only the ${name} host, e.g. ${example}.`,
    );
  const host = url.hostname.toLowerCase();
  if (policy.allowLoopback && LOOPBACK_HOST.test(host) && /^https?:$/.test(url.protocol)) return [];
  if (url.protocol !== 'https:')
    return problem('must use https', `Use the https:// URL of ${name}, e.g. ${example}.`);
  if (host.endsWith('.'))
    return problem('ends with a dot', `Remove the trailing dot from the host, e.g. ${example}.`);
  const labels = host.split('.');
  if (
    host.startsWith('[') ||
    host.includes(':') ||
    IPV4_DOTTED.test(host) ||
    NUMERIC_LABEL.test(labels[labels.length - 1] ?? '')
  )
    return problem(
      'is an IP address (private, loopback, link-local, shared, mapped and NAT64 addresses included)',
      `Use the ${name} host name, never an address, e.g. ${example}.`,
    );
  if (isInternalName(host))
    return problem('names a local or internal host', `Use the public ${name} host name, e.g. ${example}.`);
  if (!labels.every((l) => LDH_LABEL.test(l)) || labels.some((l) => l.startsWith('xn--')))
    return problem(
      'has characters a vendor host name never has (punycode, underscores...)',
      `Type the ${name} host name in plain ASCII, e.g. ${example}.`,
    );
  if (url.port !== '')
    return problem('uses a port other than 443', `Remove ":${url.port}" from the URL, e.g. ${example}.`);
  if (list.includes('bot-connector') && policy.botConnectorOrigins.includes(url.origin)) return [];
  if (allowedHosts(list, policy).some((p) => hostMatches(host, p))) return [];
  return problem(
    `is not a ${name} host`,
    list.includes('bot-connector')
      ? 'Leave it unset: Handoff replies on the service URL Teams sends with each activity. Otherwise use the Bot Connector URL of your cloud (https://smba.trafficmanager.net/teams/, https://smba.infra.gcc.teams.microsoft.com/teams, https://smba.infra.gov.teams.microsoft.us/teams or https://smba.infra.dod.teams.microsoft.us/teams); an operator can add another with TEAMS_BOT_CONNECTOR_ORIGINS.'
      : `Use the ${name} URL, e.g. ${example} (allowed: ${allowedHosts(list, STRICT_OUTBOUND_POLICY).join(', ')}). An operator can allow a custom host with ALLOWED_CUSTOM_VENDOR_HOSTS.`,
  );
}

const splitList = (raw: string | undefined) =>
  (raw ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The deployment's policy from its vars. Custom entries cannot widen the fixed rules: a custom host is still
 * refused if it is an IP, internal, punycode... (those checks run first); malformed entries are dropped.
 */
export function outboundPolicyFromEnv(env: {
  ALLOW_LOOPBACK_CONNECTIONS?: string;
  ALLOWED_CUSTOM_VENDOR_HOSTS?: string;
  TEAMS_BOT_CONNECTOR_ORIGINS?: string;
}): OutboundPolicy {
  // Names only (the last label has a letter, so never an address), at least two labels.
  const hostPattern = /^(\*\.)?([a-z0-9-]+\.)+[a-z0-9-]*[a-z][a-z0-9-]*$/;
  return {
    allowLoopback: env.ALLOW_LOOPBACK_CONNECTIONS === 'true',
    customHosts: splitList(env.ALLOWED_CUSTOM_VENDOR_HOSTS)
      .map((h) => h.toLowerCase())
      // "*.com" would allow everything under a public suffix: a wildcard needs two labels after it.
      .filter((h) => hostPattern.test(h) && (!h.startsWith('*.') || h.split('.').length >= 3)),
    botConnectorOrigins: splitList(env.TEAMS_BOT_CONNECTOR_ORIGINS).flatMap((o) => {
      try {
        const u = new URL(o);
        return u.protocol === 'https:' && !u.username && !u.password ? [u.origin] : [];
      } catch {
        return [];
      }
    }),
  };
}

/** Redirect statuses fetch would follow (300 is an answer: Salesforce's ambiguous external id). */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The error a refused URL becomes at call time: permanent, with the same fix as at config time. */
export function refusedUrlError(system: string, problem: UrlProblem, url: string): ConnectorError {
  return new ConnectorError({
    system,
    message: `Refused to call ${redact(url)}: ${problem.field} ${problem.message}`,
    retryable: false,
    code: 'URL_REFUSED',
    field: problem.field,
    fix: problem.fix,
  });
}

/** Throws the call-time refusal if `url` is not allowed for `targets`. */
export function assertOutboundUrl(
  system: string,
  url: string,
  targets: OutboundTarget | readonly OutboundTarget[],
  policy: OutboundPolicy = STRICT_OUTBOUND_POLICY,
  field = 'url',
): void {
  const [problem] = outboundUrlProblems(url, targets, policy, field);
  if (problem) throw refusedUrlError(system, problem, url);
}

/**
 * A fetch that checks every URL right before the request and never follows a redirect: a 3xx to anywhere
 * would carry the Authorization header (or the body with a secret) past the check, so it becomes a
 * non-retryable ConnectorError instead.
 */
export function guardedFetch(
  fetchImpl: FetchLike,
  opts: { system: string; targets: OutboundTarget | readonly OutboundTarget[]; policy?: OutboundPolicy },
): FetchLike {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    assertOutboundUrl(opts.system, url, opts.targets, opts.policy);
    const response = await fetchImpl(input, { ...init, redirect: 'manual' });
    if (REDIRECTS.has(response.status) || response.type === 'opaqueredirect') {
      await response.body?.cancel().catch(() => undefined);
      throw redirectError(opts.system, url, response);
    }
    return response;
  };
}

export function redirectError(system: string, url: string, response: Response): ConnectorError {
  const location = response.headers.get('location');
  return new ConnectorError({
    system,
    message: `${redact(url)} answered ${response.status} redirecting to ${location ? redact(location) : 'another place'}; redirects are never followed`,
    retryable: false,
    code: 'REDIRECT',
    status: response.status,
    fix: `The ${system} URL in Handoff is out of date: set it to the URL the vendor now uses (where it redirects to, if that is the vendor's own host).`,
  });
}

/** The URL without query or user info, for messages (a query may carry an id or a token). */
function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}
