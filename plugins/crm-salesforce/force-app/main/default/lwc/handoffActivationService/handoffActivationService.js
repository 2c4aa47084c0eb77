/**
 * What the Handoff components share: which activation states are still moving, how fast to poll them,
 * and the idempotency key each click carries.
 */

const IN_FLIGHT = new Set(['queued', 'running', 'retrying']);

/** Poll quickly while something is happening, then back off to POLL_MAX_MS while nothing changes. */
export const POLL_INITIAL_MS = 1500;
export const POLL_MAX_MS = 5000;
const POLL_GROWTH = 1.5;
/** Consecutive failed polls before the card stops and asks the user to refresh. */
export const MAX_POLL_FAILURES = 5;

export function isInFlight(activation) {
  return !!activation && IN_FLIGHT.has(activation.status);
}

export function nextPollDelay(previousMs) {
  if (!previousMs) {
    return POLL_INITIAL_MS;
  }
  return Math.min(POLL_MAX_MS, Math.round(previousMs * POLL_GROWTH));
}

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A UUID v4 per click: the backend replays the first answer for a key instead of starting twice. */
export function newIdempotencyKey() {
  const cryptoApi = typeof crypto !== 'undefined' ? crypto : undefined;
  if (cryptoApi && typeof cryptoApi.randomUUID === 'function') {
    return cryptoApi.randomUUID();
  }
  const bytes = new Uint8Array(16);
  if (cryptoApi && typeof cryptoApi.getRandomValues === 'function') {
    cryptoApi.getRandomValues(bytes);
  } else {
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = Math.floor(Math.random() * 256);
    }
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = toHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Re-reads an activation while it is in flight. The delay grows from POLL_INITIAL_MS to POLL_MAX_MS while
 * nothing changes and drops back when the activation moves, so a running step shows up quickly without
 * hammering the org's callout limits. It stops by itself when the activation is done (active, needs
 * fixes, failed) or after MAX_POLL_FAILURES failed reads in a row.
 */
export class ActivationPoller {
  /**
   * @param {{ load: () => Promise<object|null>, onResult: (a: object|null) => void,
   *           onError: (error: unknown, failures: number, gaveUp: boolean) => void }} options
   */
  constructor({ load, onResult, onError }) {
    this.load = load;
    this.onResult = onResult;
    this.onError = onError;
    this.timer = null;
    this.delay = 0;
    this.failures = 0;
    this.lastUpdatedAt = undefined;
    // Bumped by stop(): a read that was in flight when the poller stopped is ignored.
    this.generation = 0;
  }

  get running() {
    return this.timer !== null;
  }

  /** (Re)starts polling after the first delay; `seen` is the activation already on screen. */
  start(seen) {
    this.stop();
    this.failures = 0;
    this.lastUpdatedAt = seen ? seen.updatedAt : undefined;
    this.schedule(POLL_INITIAL_MS);
  }

  stop() {
    this.generation++;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  schedule(delay) {
    this.delay = delay;
    const generation = this.generation;
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick(generation);
    }, delay);
  }

  async tick(generation) {
    let activation;
    try {
      activation = await this.load();
    } catch (error) {
      if (generation !== this.generation) {
        return;
      }
      this.failures++;
      const gaveUp = this.failures >= MAX_POLL_FAILURES;
      this.onError(error, this.failures, gaveUp);
      if (!gaveUp) {
        this.schedule(POLL_MAX_MS);
      }
      return;
    }
    if (generation !== this.generation) {
      return;
    }
    this.failures = 0;
    const moved = !!activation && activation.updatedAt !== this.lastUpdatedAt;
    this.lastUpdatedAt = activation ? activation.updatedAt : undefined;
    this.onResult(activation);
    if (isInFlight(activation) && generation === this.generation) {
      this.schedule(moved ? POLL_INITIAL_MS : nextPollDelay(this.delay));
    }
  }
}
