import type { EmbedChannel } from './embed-channel';
import type { InitMessage } from './messages';
import { createPoller } from './poller';
import { createReadinessClient, type LoadResult } from './readiness-client';
import type { Shell } from './view/shell';

export interface SidebarOptions {
  win: Window;
  channel: EmbedChannel;
  shell: Shell;
  pollMs: number;
}

/** Where the API is: the host's apiBase if it is an http(s) URL, else the sidebar's own origin. */
function resolveApiBase(init: InitMessage, win: Window): string {
  if (init.apiBase) {
    try {
      const url = new URL(init.apiBase, win.location.href);
      if (url.protocol === 'https:' || url.protocol === 'http:') return url.href.replace(/\/+$/, '');
    } catch {
      // fall through to same origin
    }
  }
  return win.location.origin;
}

/**
 * The sidebar's behaviour: wait for the host's init, then poll readiness and render when the version
 * changes. The embed token lives only in this closure, never in storage or a URL.
 */
export function startSidebar({ win, channel, shell, pollMs }: SidebarOptions) {
  const doc = win.document;
  let token = '';
  let apiBase = '';
  let version: string | null = null;
  let expired = false;
  let client: ReturnType<typeof createReadinessClient> | null = null;

  const poller = createPoller(() => refresh(), pollMs, doc);

  async function refresh() {
    if (!client) return;
    apply(await client.load());
  }

  function apply(result: LoadResult) {
    switch (result.kind) {
      case 'data':
        shell.banner(null);
        if (result.readiness.version !== version) {
          const first = version === null;
          version = result.readiness.version;
          shell.showReadiness(result.readiness);
          if (!first) shell.announce(`Billing readiness updated at ${new Date().toLocaleTimeString()}`);
        }
        return;
      case 'unchanged':
        shell.banner(null);
        return;
      case 'expired':
        expired = true;
        version = null;
        client?.forgetEtag();
        poller.stop();
        shell.showMessage(
          'Session expired: reload the page',
          'Your sign-in to Handoff has ended. Reload the page to see billing readiness again.',
          'alert',
        );
        return;
      case 'error':
        if (result.status === 403 || result.status === 404) {
          if (!shell.hasData()) shell.showMessage('Not available for this project', result.message);
          else shell.banner(`Couldn't refresh: ${result.message}`);
          return;
        }
        shell.banner(
          shell.hasData()
            ? `Couldn't refresh: ${result.message}. Showing the last data; retrying.`
            : `Couldn't load billing readiness: ${result.message}. Retrying.`,
        );
        return;
    }
  }

  function resume() {
    if (!expired) return;
    expired = false;
    poller.start();
  }

  channel.onInit((init) => {
    token = init.token;
    const root = doc.documentElement;
    if (init.theme) root.dataset.theme = init.theme;
    const base = resolveApiBase(init, win);
    if (!client || base !== apiBase) {
      apiBase = base;
      version = null;
      client = createReadinessClient({
        apiBase,
        token: () => token,
        renewToken: async () => {
          const fresh = await channel.requestToken();
          if (fresh) token = fresh;
          return fresh;
        },
      });
    }
    if (expired) resume();
    else poller.start();
  });

  channel.onToken((fresh) => {
    token = fresh;
    resume();
  });

  // The host sizes the iframe to the content, so the sidebar never shows a second scrollbar.
  let lastHeight = -1;
  new ResizeObserver(() => {
    const height = Math.ceil(doc.body.getBoundingClientRect().height);
    if (height === lastHeight) return;
    lastHeight = height;
    channel.send({ type: 'handoff:resize', height });
  }).observe(doc.body);

  // Links open in a new tab of the host (a sandboxed iframe's own popups may be blocked by the PSA).
  doc.addEventListener('click', (event) => {
    const link = (event.target as Element | null)?.closest?.('a[data-open]') as HTMLAnchorElement | null;
    if (!link || !channel.embedded) return;
    event.preventDefault();
    channel.send({ type: 'handoff:open', url: link.href });
  });

  win.setInterval(() => shell.refreshAges(), 30_000);

  if (!channel.embedded)
    shell.showMessage(
      'Open this from your PSA project',
      'The Handoff sidebar shows billing readiness inside Kantata, ConnectWise or Certinia.',
    );
  else channel.send({ type: 'handoff:ready' });
}
