/**
 * Who may frame each plugin page: the hosts of the product it lives in, from the vendors' documentation.
 * Served as `Content-Security-Policy: frame-ancestors ...` (a header: browsers ignore frame-ancestors in a
 * <meta>), written by `npm run build:plugins` into dist/plugins/_headers (the static-assets headers file of
 * Cloudflare Workers and Pages; other hosts: copy the same headers into their configuration).
 */
export const FRAME_ANCESTORS = {
  /** Kantata (formerly Mavenlink) project pages. Add a firm's own PSA host with SIDEBAR_FRAME_ANCESTORS. */
  sidebar: ['https://*.mavenlink.com', 'https://*.kantata.com'],
  /**
   * Teams and the other Microsoft 365 hosts of a Teams tab (learn.microsoft.com, "Prerequisites" of tab
   * requirements): *.cloud.microsoft, Teams, Microsoft 365 and Outlook.
   */
  teams: [
    'https://*.cloud.microsoft',
    'https://teams.microsoft.com',
    'https://*.teams.microsoft.com',
    'https://*.microsoft365.com',
    'https://*.office.com',
    'https://outlook.office.com',
    'https://outlook.office365.com',
  ],
} as const;

const ORIGIN = /^https:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/** The static-assets `_headers` file for dist/plugins: who may frame each page, and no sniffing. */
export function pluginHeaders(extraSidebarAncestors: readonly string[] = []): string {
  for (const o of extraSidebarAncestors)
    if (!ORIGIN.test(o)) throw new Error(`SIDEBAR_FRAME_ANCESTORS: "${o}" is not an https origin`);
  const block = (path: string, ancestors: readonly string[]) =>
    [
      path,
      `  Content-Security-Policy: frame-ancestors ${ancestors.join(' ')}`,
      '  X-Content-Type-Options: nosniff',
      '  Referrer-Policy: no-referrer',
    ].join('\n');
  return `${[
    block('/sidebar/*', [...FRAME_ANCESTORS.sidebar, ...extraSidebarAncestors]),
    block('/teams/*', FRAME_ANCESTORS.teams),
  ].join('\n\n')}\n`;
}
