/**
 * The postMessage contract between a PSA host page and the sidebar iframe (see README). Both sides parse
 * what they receive with these guards: a message from another script on the page is ignored, not trusted.
 */
export type Theme = 'light' | 'dark';

export interface InitMessage {
  type: 'handoff:init';
  token: string;
  /** Where the readiness API lives; the sidebar's own origin when absent. */
  apiBase?: string;
  theme?: Theme;
  project?: { psaProjectId: string };
}
export interface TokenMessage {
  type: 'handoff:token';
  token: string;
}
export type HostMessage = InitMessage | TokenMessage;

export type SidebarMessage =
  | { type: 'handoff:ready' }
  | { type: 'handoff:resize'; height: number }
  | { type: 'handoff:token-request' }
  | { type: 'handoff:open'; url: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isToken = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length < 8192;

export function parseHostMessage(data: unknown): HostMessage | null {
  if (!isRecord(data) || !isToken(data.token)) return null;
  if (data.type === 'handoff:token') return { type: 'handoff:token', token: data.token };
  if (data.type !== 'handoff:init') return null;
  const msg: InitMessage = { type: 'handoff:init', token: data.token };
  if (typeof data.apiBase === 'string') msg.apiBase = data.apiBase;
  if (data.theme === 'light' || data.theme === 'dark') msg.theme = data.theme;
  if (isRecord(data.project) && typeof data.project.psaProjectId === 'string')
    msg.project = { psaProjectId: data.project.psaProjectId };
  return msg;
}

export function parseSidebarMessage(data: unknown): SidebarMessage | null {
  if (!isRecord(data)) return null;
  switch (data.type) {
    case 'handoff:ready':
    case 'handoff:token-request':
      return { type: data.type };
    case 'handoff:resize':
      return typeof data.height === 'number' && Number.isFinite(data.height) && data.height >= 0
        ? { type: 'handoff:resize', height: data.height }
        : null;
    case 'handoff:open':
      return typeof data.url === 'string' ? { type: 'handoff:open', url: data.url } : null;
    default:
      return null;
  }
}

/** The origin of a URL, or null for anything that is not an http(s) URL. */
export function originOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : null;
  } catch {
    return null;
  }
}
