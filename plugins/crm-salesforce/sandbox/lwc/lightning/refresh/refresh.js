// Sandbox stand-in for lightning/refresh: a RefreshEvent anywhere on the page runs every registered handler.
export const RefreshEventName = 'lightning__refresh';

export class RefreshEvent extends CustomEvent {
  constructor() {
    super(RefreshEventName, { bubbles: true, composed: true, cancelable: true });
  }
}

const handlers = new Map();
let nextId = 0;
let listening = false;

function listen() {
  if (listening) {
    return;
  }
  listening = true;
  document.addEventListener(RefreshEventName, () => {
    for (const handler of handlers.values()) {
      Promise.resolve()
        .then(handler)
        .catch(() => {});
    }
  });
}

export function registerRefreshHandler(element, handler) {
  listen();
  const id = ++nextId;
  handlers.set(id, handler.bind(element));
  return id;
}

export function unregisterRefreshHandler(id) {
  handlers.delete(id);
}

export function registerRefreshContainer() {
  return -1;
}

export function unregisterRefreshContainer() {}
