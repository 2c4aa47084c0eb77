import { originOf, parseSidebarMessage, type Theme } from './messages';

/**
 * The host page's side of the contract, shipped as the standalone `sidebar/host.js` (global
 * `HandoffSidebar`). A PSA page (Kantata custom app, ConnectWise pod, Certinia Visualforce/LWC) includes
 * it, calls `HandoffSidebar.mount(...)`, and answers token requests from its own backend. The token
 * travels only by postMessage to the Handoff origin, never in the iframe URL.
 */
export interface MountOptions {
  container: HTMLElement;
  /** The sidebar page, e.g. https://app.handoff.example/sidebar/index.html */
  src: string;
  /** The Handoff origin the iframe is served from: messages to and from any other origin are ignored. */
  apiOrigin: string;
  /** Mints a short-lived embed token (your backend calls POST {handoff}/v1/embed-tokens). */
  getToken: () => Promise<string>;
  theme?: Theme;
  /** The PSA project shown; the token is what scopes the data, this only labels the init message. */
  psaProjectId?: string;
  /** Where the sidebar calls the readiness API; apiOrigin when absent. */
  apiBase?: string;
  /** Accessible name of the iframe. */
  title?: string;
}

export interface SidebarHandle {
  iframe: HTMLIFrameElement;
  /** Push a token the host refreshed on its own. */
  setToken(token: string): void;
  destroy(): void;
}

export function mount(options: MountOptions): SidebarHandle {
  const handoffOrigin = originOf(options.apiOrigin);
  if (!handoffOrigin)
    throw new Error(`HandoffSidebar: apiOrigin must be an http(s) origin, got ${options.apiOrigin}`);
  const src = new URL(options.src, location.href);
  if (src.origin !== handoffOrigin)
    throw new Error(`HandoffSidebar: src (${src.origin}) must be served from apiOrigin (${handoffOrigin})`);
  // The iframe cannot rely on document.referrer (no-referrer below), so it is told which origin may talk to it.
  src.searchParams.set('host', location.origin);

  const iframe = document.createElement('iframe');
  iframe.src = src.href;
  iframe.title = options.title ?? 'Handoff billing readiness';
  iframe.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-popups');
  iframe.setAttribute('referrerpolicy', 'no-referrer');
  iframe.style.cssText = 'width:100%;height:320px;border:0;display:block;color-scheme:normal';

  const send = (message: object) => iframe.contentWindow?.postMessage(message, handoffOrigin);
  const token = async (): Promise<string | null> => {
    try {
      return await options.getToken();
    } catch (error) {
      console.warn('HandoffSidebar: getToken failed', error);
      return null;
    }
  };

  const onMessage = async (event: MessageEvent) => {
    if (event.origin !== handoffOrigin || event.source !== iframe.contentWindow) return;
    const msg = parseSidebarMessage(event.data);
    if (!msg) return;
    switch (msg.type) {
      case 'handoff:ready': {
        const t = await token();
        if (!t) return;
        send({
          type: 'handoff:init',
          token: t,
          apiBase: options.apiBase ?? handoffOrigin,
          ...(options.theme ? { theme: options.theme } : {}),
          ...(options.psaProjectId ? { project: { psaProjectId: options.psaProjectId } } : {}),
        });
        return;
      }
      case 'handoff:token-request': {
        // No answer on failure: the sidebar gives up after its timeout and shows "Session expired".
        const t = await token();
        if (t) send({ type: 'handoff:token', token: t });
        return;
      }
      case 'handoff:resize':
        iframe.style.height = `${Math.min(Math.ceil(msg.height), 20_000)}px`;
        return;
      case 'handoff:open': {
        const url = originOf(msg.url) ? msg.url : null;
        if (url) window.open(url, '_blank', 'noopener,noreferrer');
        return;
      }
    }
  };

  window.addEventListener('message', onMessage);
  options.container.append(iframe);
  return {
    iframe,
    setToken: (t) => send({ type: 'handoff:token', token: t }),
    destroy() {
      window.removeEventListener('message', onMessage);
      iframe.remove();
    },
  };
}
