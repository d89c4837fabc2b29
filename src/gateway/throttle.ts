/**
 * The connection's rate budget: a token bucket shared by every concurrent caller, written as GCRA
 * (a "theoretical arrival time" per bucket), which is the same thing as a token bucket but lets each
 * caller reserve its slot at once: callers are served in arrival order and nobody polls.
 */

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface ThrottleStats {
  /** Slots handed out. */
  acquired: number;
  /** How many callers had to wait for their slot, and for how long in total. */
  waits: number;
  waitedMs: number;
  /** Pauses imposed by the server (429 with Retry-After). */
  pauses: number;
}

export class TokenBucket {
  readonly tps: number;
  readonly burst: number;
  readonly stats: ThrottleStats = { acquired: 0, waits: 0, waitedMs: 0, pauses: 0 };
  private readonly interval: number;
  private readonly tolerance: number;
  private tat: number;
  private readonly clock: Clock;

  constructor(options: { tps: number; burst?: number; clock?: Clock }) {
    if (!(options.tps > 0)) throw new RangeError('tps must be positive');
    this.tps = options.tps;
    this.burst = Math.max(1, Math.floor(options.burst ?? 1));
    this.clock = options.clock ?? realClock;
    this.interval = 1000 / this.tps;
    this.tolerance = (this.burst - 1) * this.interval;
    this.tat = this.clock.now();
  }

  /** How long a caller arriving now would wait, in ms. */
  delay(): number {
    const now = this.clock.now();
    return Math.max(0, Math.max(this.tat, now) - this.tolerance - now);
  }

  /** Reserves the next slot and waits for it; resolves with the time waited (ms). */
  async acquire(signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    const now = this.clock.now();
    const tat = Math.max(this.tat, now);
    const wait = Math.max(0, tat - this.tolerance - now);
    this.tat = tat + this.interval;
    this.stats.acquired++;
    if (wait > 0) {
      this.stats.waits++;
      this.stats.waitedMs += wait;
      await this.clock.sleep(wait, signal);
    }
    return wait;
  }

  /**
   * The server told us to slow down: nobody gets a new slot for `ms`. Callers already holding a
   * slot keep it; the retry of the throttled request goes through acquire() again.
   */
  pause(ms: number): void {
    if (!(ms > 0)) return;
    this.stats.pauses++;
    // Push the schedule so that the first slot after the pause comes at now + ms, with no burst.
    this.tat = Math.max(this.tat, this.clock.now() + ms + this.tolerance);
  }
}
