/**
 * Runs a task now and then every `intervalMs` while the document is visible. A hidden tab costs the API
 * nothing; coming back refreshes at once. Runs never overlap: the next is scheduled when one finishes.
 */
export function createPoller(task: () => Promise<void>, intervalMs: number, doc: Document = document) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running = false;
  let active = false;

  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (active && doc.visibilityState === 'visible') timer = setTimeout(run, intervalMs);
  };

  async function run() {
    timer = null;
    if (!active || running) return;
    running = true;
    try {
      await task();
    } finally {
      running = false;
      schedule();
    }
  }

  const onVisibility = () => {
    if (doc.visibilityState === 'visible') void run();
    else schedule();
  };

  return {
    start() {
      if (active) return;
      active = true;
      doc.addEventListener('visibilitychange', onVisibility);
      if (doc.visibilityState === 'visible') void run();
    },
    stop() {
      active = false;
      doc.removeEventListener('visibilitychange', onVisibility);
      if (timer) clearTimeout(timer);
      timer = null;
    },
    /** Refresh now (e.g. after a new token), keeping the cadence. */
    poke: () => void run(),
  };
}
