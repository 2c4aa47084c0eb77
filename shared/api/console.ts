/**
 * The console's roles and what each may do. Shared by the worker (which enforces them) and the console UI
 * (which shows only what the signed-in person may do; the worker decides).
 */
export const CONSOLE_ROLES = ['admin', 'finance-ops', 'delivery-ops', 'viewer'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

export const CONSOLE_PERMISSIONS = {
  /** See everything of the firm: connections, exceptions, dead letters, timelines, health, audit. */
  view: ['admin', 'finance-ops', 'delivery-ops', 'viewer'],
  /** Retry, edit-and-retry, skip, assign and tag exceptions; run bulk actions on them. */
  'exceptions:act': ['admin', 'finance-ops', 'delivery-ops'],
  /** Replay dead letters. */
  'dead-letters:replay': ['admin', 'finance-ops'],
  /** Create, test and remove connections; keys and secrets; plugin installs. */
  'connections:manage': ['admin'],
  /** Invite people, assign roles, map identity-provider groups to roles. */
  'members:manage': ['admin'],
} as const satisfies Record<string, readonly ConsoleRole[]>;
export type ConsolePermission = keyof typeof CONSOLE_PERMISSIONS;

export function rolesAllow(roles: readonly ConsoleRole[], permission: ConsolePermission): boolean {
  const allowed: readonly ConsoleRole[] = CONSOLE_PERMISSIONS[permission];
  return roles.some((r) => allowed.includes(r));
}

/** The console page's policy: its own origin only, no inline code, framed by nobody. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
