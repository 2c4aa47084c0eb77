import { type InitMessage, originOf, parseHostMessage, type SidebarMessage } from './messages';

/**
 * The iframe's side of the host contract. It accepts messages only from its parent window and only from
 * an allowed origin: the origins listed in the iframe URL (`?host=https://a.example,https://b.example`)
 * and the referrer's origin. Once init arrives, every reply goes to that one origin, never to '*'.
 */
export interface EmbedChannel {
  /** Called for the first init and any later one (a host may re-send it with a new token or theme). */
  onInit(handler: (init: InitMessage) => void): void;
  /** A token the host pushed on its own (handoff:token without a request). */
  onToken(handler: (token: string) => void): void;
  /** Ask the host for a fresh token; null if none arrives within the timeout. */
  requestToken(timeoutMs?: number): Promise<string | null>;
  send(message: SidebarMessage): void;
  readonly embedded: boolean;
}

export function allowedHostOrigins(win: Window): string[] {
  const listed = (new URL(win.location.href).searchParams.get('host') ?? '')
    .split(',')
    .map((s) => originOf(s.trim()))
    .filter((o): o is string => o !== null);
  const fromReferrer = originOf(win.document.referrer);
  const all = new Set([...listed, ...(fromReferrer ? [fromReferrer] : [])]);
  // Chromium and Safari tell us who frames us; an allowed origin that is not the parent is no use.
  const parent = win.location.ancestorOrigins?.[0];
  return [...all].filter((o) => parent === undefined || o === parent);
}

export function createEmbedChannel(win: Window = window): EmbedChannel {
  const embedded = win.parent !== win;
  const allowed = allowedHostOrigins(win);
  let hostOrigin: string | null = null;
  const initHandlers: ((init: InitMessage) => void)[] = [];
  const tokenHandlers: ((token: string) => void)[] = [];
  let waiting: ((token: string | null) => void)[] = [];

  const post = (message: SidebarMessage) => {
    if (!embedded) return;
    // Before init we do not know which allowed origin is ours: a message to a wrong targetOrigin is
    // dropped by the browser, so offering it to each is safe.
    for (const origin of hostOrigin ? [hostOrigin] : allowed) win.parent.postMessage(message, origin);
  };

  const settle = (token: string | null) => {
    const pending = waiting;
    waiting = [];
    for (const resolve of pending) resolve(token);
  };

  win.addEventListener('message', (event: MessageEvent) => {
    if (event.source !== win.parent || !allowed.includes(event.origin)) return;
    if (hostOrigin && event.origin !== hostOrigin) return;
    const msg = parseHostMessage(event.data);
    if (!msg) return;
    hostOrigin = event.origin;
    if (msg.type === 'handoff:init') for (const h of initHandlers) h(msg);
    else if (waiting.length === 0) for (const h of tokenHandlers) h(msg.token);
    settle(msg.token);
  });

  return {
    embedded,
    onInit: (handler) => void initHandlers.push(handler),
    onToken: (handler) => void tokenHandlers.push(handler),
    requestToken(timeoutMs = 10_000) {
      if (!embedded) return Promise.resolve(null);
      const answer = new Promise<string | null>((resolve) => {
        const timer = setTimeout(() => {
          waiting = waiting.filter((w) => w !== done);
          resolve(null);
        }, timeoutMs);
        const done = (token: string | null) => {
          clearTimeout(timer);
          resolve(token);
        };
        waiting.push(done);
      });
      // One request on the wire however many callers wait for the answer.
      if (waiting.length === 1) post({ type: 'handoff:token-request' });
      return answer;
    },
    send: post,
  };
}
