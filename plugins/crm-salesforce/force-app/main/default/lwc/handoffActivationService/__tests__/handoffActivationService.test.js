import {
  ActivationPoller,
  isInFlight,
  MAX_POLL_FAILURES,
  newIdempotencyKey,
  nextPollDelay,
  POLL_INITIAL_MS,
  POLL_MAX_MS,
} from 'c/handoffActivationService';

async function flush() {
  for (let i = 0; i < 20; i++) {
    await Promise.resolve();
  }
}

describe('handoffActivationService', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('treats queued, running and retrying as in flight, and the rest as settled', () => {
    expect(['queued', 'running', 'retrying'].map((status) => isInFlight({ status }))).toEqual([
      true,
      true,
      true,
    ]);
    expect(['active', 'needs_fixes', 'failed'].map((status) => isInFlight({ status }))).toEqual([
      false,
      false,
      false,
    ]);
    expect(isInFlight(null)).toBe(false);
  });

  it('backs off from 1.5 s to at most 5 s', () => {
    const delays = [];
    let delay = 0;
    for (let i = 0; i < 6; i++) {
      delay = nextPollDelay(delay);
      delays.push(delay);
    }
    expect(delays).toEqual([POLL_INITIAL_MS, 2250, 3375, POLL_MAX_MS, POLL_MAX_MS, POLL_MAX_MS]);
  });

  it('makes distinct UUID v4 keys, with or without crypto.randomUUID', () => {
    const original = globalThis.crypto.randomUUID;
    const keys = new Set([newIdempotencyKey(), newIdempotencyKey()]);
    try {
      globalThis.crypto.randomUUID = undefined;
      keys.add(newIdempotencyKey());
    } finally {
      globalThis.crypto.randomUUID = original;
    }
    expect(keys.size).toBe(3);
    for (const key of keys) {
      expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('gives up after repeated failed reads and says so once', async () => {
    jest.useFakeTimers();
    const load = jest.fn().mockRejectedValue(new Error('offline'));
    const onError = jest.fn();
    const poller = new ActivationPoller({ load, onResult: jest.fn(), onError });
    poller.start({ status: 'running', updatedAt: 't0' });

    await jest.advanceTimersByTimeAsync(POLL_INITIAL_MS + POLL_MAX_MS * (MAX_POLL_FAILURES + 3));
    await flush();

    expect(load).toHaveBeenCalledTimes(MAX_POLL_FAILURES);
    expect(onError.mock.calls.map((c) => c[2])).toEqual([...Array(MAX_POLL_FAILURES - 1).fill(false), true]);
    expect(poller.running).toBe(false);
  });

  it('ignores a read that finishes after stop()', async () => {
    jest.useFakeTimers();
    let resolveLoad;
    const load = jest.fn(() => new Promise((resolve) => (resolveLoad = resolve)));
    const onResult = jest.fn();
    const poller = new ActivationPoller({ load, onResult, onError: jest.fn() });
    poller.start(null);
    await jest.advanceTimersByTimeAsync(POLL_INITIAL_MS);
    poller.stop();
    resolveLoad({ status: 'running', updatedAt: 't1' });
    await flush();

    expect(onResult).not.toHaveBeenCalled();
    expect(poller.running).toBe(false);
  });
});
