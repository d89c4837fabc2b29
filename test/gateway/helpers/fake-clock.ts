import type { Clock } from '../../../src/gateway/throttle.ts';

/** Virtual time: sleepers wait until the test (or `drain`) moves the clock past their wake-up. */
export function fakeClock() {
  const sleepers: Array<{ at: number; resolve: () => void }> = [];
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        sleepers.push({ at: clock.t + ms, resolve });
      }),
    /** Wakes sleepers one by one in time order until none is left. */
    async drain() {
      for (;;) {
        await new Promise((r) => setImmediate(r));
        if (!sleepers.length) return;
        sleepers.sort((a, b) => a.at - b.at);
        const next = sleepers.shift()!;
        clock.t = Math.max(clock.t, next.at);
        next.resolve();
      }
    },
  };
  return clock satisfies Clock;
}
