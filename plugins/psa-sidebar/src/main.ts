import { startSidebar } from './app';
import { createEmbedChannel } from './embed-channel';
import { createShell } from './view/shell';

/** 5 s by default; a host may slow it down (`?poll=15000`), never below 1 s. */
function pollInterval(): number {
  const asked = Number(new URL(location.href).searchParams.get('poll'));
  return Number.isFinite(asked) && asked > 0 ? Math.min(60_000, Math.max(1_000, asked)) : 5_000;
}

startSidebar({
  win: window,
  channel: createEmbedChannel(window),
  shell: createShell(document),
  pollMs: pollInterval(),
});
