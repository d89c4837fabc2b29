/**
 * One rate budget for every node on a PostgreSQL store: rate-limiter-flexible's RateLimiterPostgres
 * (an atomic upsert per call on a shared row), wrapped so a caller WAITS for its slot (the
 * limiter's msBeforeNext) instead of failing.
 *
 * The limiter counts fixed windows. A window of `limit` calls per interval would let 2×limit through
 * across a window edge, so each limit is cut into short windows of `burst` calls (≥ 50 ms, to keep
 * store round trips few): in any stretch of `intervalMs` at most `limit + burst` calls are granted —
 * the same burst tolerance as the local GCRA bucket. A window starts at its first call, so time lost
 * between windows is lost capacity, never extra.
 *
 * Fairness: callers of one process queue in arrival order and only the head asks the store; across
 * nodes the heads take the window's slots as they come.
 */
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { ThrottleStats } from './throttle.ts';
import { realClock, type Clock } from './throttle.ts';
import { emptyThrottleStats, type BudgetLimit, type RateBudget } from './budget.ts';
import type { BudgetStore } from './budget-store.ts';
import { ConnectorError } from '../errors.ts';

/** Shortest window: below it, the store round trips between windows eat the budget. */
export const MIN_WINDOW_MS = 50;

/** The fixed window a limit is cut into: `points` calls per `windowMs`. */
export function sharedWindow(l: BudgetLimit): { points: number; windowMs: number } {
  let points = Math.max(1, Math.min(l.burst, l.limit));
  if ((l.intervalMs * points) / l.limit < MIN_WINDOW_MS)
    points = Math.min(l.limit, Math.ceil((MIN_WINDOW_MS * l.limit) / l.intervalMs));
  return { points, windowMs: (l.intervalMs * points) / l.limit };
}

export interface SharedBudgetOptions {
  clock?: Clock;
}

export function sharedBudget(
  store: BudgetStore,
  key: string,
  limits: BudgetLimit[],
  options: SharedBudgetOptions = {},
): RateBudget {
  return new SharedBudget(store, key, limits, options.clock ?? realClock);
}

class SharedBudget implements RateBudget {
  readonly info;
  readonly stats: ThrottleStats = emptyThrottleStats();
  /** Short windows first: a refusal by a long one then wastes only a cheap short-window slot. */
  private readonly order: number[];
  private readonly limiters: RateLimiterPostgres[];
  private readonly windows: Array<{ points: number; windowMs: number }>;
  /** Per limit, when the store last said it is full until (epoch ms): wait without asking again. */
  private readonly fullUntil: number[];
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: BudgetStore,
    private readonly key: string,
    limits: BudgetLimit[],
    private readonly clock: Clock,
  ) {
    this.info = { key, shared: true, limits };
    this.windows = limits.map(sharedWindow);
    this.limiters = this.windows.map(
      (w, i) =>
        new RateLimiterPostgres({
          storeClient: store.pool,
          storeType: 'pool',
          tableName: store.table,
          tableCreated: true,
          keyPrefix: `w${i}`,
          points: w.points,
          duration: w.windowMs / 1000,
        }),
    );
    this.order = this.windows
      .map((_, i) => i)
      .sort((a, b) => this.windows[a]!.windowMs - this.windows[b]!.windowMs);
    this.fullUntil = limits.map(() => 0);
  }

  acquire(signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    const started = Date.now();
    // Arrival order within this process: each caller's turn starts when the previous one's ends.
    const turn = this.tail.then(() => (signal?.aborted ? undefined : this.take(signal)));
    this.tail = turn.catch(() => undefined);
    const done = turn.then(() => {
      signal?.throwIfAborted();
      const waited = Date.now() - started;
      this.stats.acquired++;
      if (waited > 0) {
        this.stats.waits++;
        this.stats.waitedMs += waited;
      }
      return waited;
    });
    return signal ? raceAbort(done, signal) : done;
  }

  /** One slot in every limit, waiting while any is full. */
  private async take(signal?: AbortSignal): Promise<void> {
    await this.store.ready();
    for (;;) {
      const wait = Math.max(...this.fullUntil) - Date.now();
      if (wait > 0) await this.clock.sleep(wait, signal);
      if (await this.tryAll()) return;
    }
  }

  private async tryAll(): Promise<boolean> {
    for (const i of this.order) {
      try {
        await this.limiters[i]!.consume(this.key, 1);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw this.storeError(error);
        // Slots already taken in shorter windows are given up: using them later could put the
        // call into a window that never counted it.
        this.fullUntil[i] = Date.now() + Math.max(1, error.msBeforeNext);
        return false;
      }
    }
    return true;
  }

  async pause(ms: number): Promise<void> {
    if (!(ms > 0)) return;
    this.stats.pauses++;
    await this.store.ready();
    // At least one window long, so the pause never shortens a window already handing out slots.
    const first = this.order[0]!;
    const pauseMs = Math.ceil(Math.max(ms, this.windows[first]!.windowMs));
    this.fullUntil[first] = Date.now() + pauseMs;
    try {
      await this.limiters[first]!.block(this.key, pauseMs / 1000);
    } catch (error) {
      throw this.storeError(error);
    }
  }

  async close(): Promise<void> {}

  private storeError(error: unknown): ConnectorError {
    return new ConnectorError(
      'STORE_UNAVAILABLE',
      `shared rate budget "${this.key}" at ${this.store.location}: ${(error as Error)?.message ?? error}`,
      { budget: this.key },
    );
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}
