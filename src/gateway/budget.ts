/**
 * A connection's rate budget: what every call waits for before it goes to Stripe. One or more
 * limits (the connection's tps, plus e.g. Microsoft's "100 calls per 60 s"), all of which must pass.
 * Two kinds: local (GCRA token buckets in this process, the fast path) and shared (one budget for
 * every node on a PostgreSQL store, budget-shared.ts).
 */
import type { Connection } from '../connection/load.ts';
import { TokenBucket, type Clock, type ThrottleStats } from './throttle.ts';

/** `limit` calls per `intervalMs`; `burst` of them may go at once after an idle period. */
export interface BudgetLimit {
  limit: number;
  intervalMs: number;
  burst: number;
}

export interface BudgetInfo {
  key: string;
  shared: boolean;
  limits: BudgetLimit[];
}

export interface RateBudget {
  readonly info: BudgetInfo;
  readonly stats: ThrottleStats;
  /** Waits for this caller's slot in every limit; resolves with the time waited (ms). */
  acquire(signal?: AbortSignal): Promise<number>;
  /** The server said 429 with Retry-After: nobody on this budget gets a slot for `ms`. */
  pause(ms: number): Promise<void>;
  close(): Promise<void>;
}

export function emptyThrottleStats(): ThrottleStats {
  return { acquired: 0, waits: 0, waitedMs: 0, pauses: 0 };
}

/** The connection's limits: its tps (per second, with its burst) first, then the extra budgets. */
export function connectionLimits(throttle: Connection['throttle']): BudgetLimit[] {
  const extra = (throttle.budgets ?? []).map((b) => ({
    limit: b.limit,
    intervalMs: b.intervalMs,
    burst: b.burst ?? Math.max(1, Math.floor(b.limit / 10)),
  }));
  return [{ limit: throttle.tps, intervalMs: 1000, burst: throttle.burst }, ...extra];
}

/**
 * The in-process budget: a GCRA bucket per limit, taken one after the other. A slot used after
 * its reserved time never exceeds a GCRA rate, so waiting for the second limit after the first
 * keeps both.
 */
export function localBudget(key: string, limits: BudgetLimit[], clock?: Clock): RateBudget {
  const buckets = limits.map(
    (l) =>
      new TokenBucket({
        tps: (l.limit * 1000) / l.intervalMs,
        burst: l.burst,
        ...(clock ? { clock } : {}),
      }),
  );
  const stats = emptyThrottleStats();
  return {
    info: { key, shared: false, limits },
    stats,
    async acquire(signal) {
      let waited = 0;
      for (const bucket of buckets) waited += await bucket.acquire(signal);
      stats.acquired++;
      if (waited > 0) {
        stats.waits++;
        stats.waitedMs += waited;
      }
      return waited;
    },
    async pause(ms) {
      if (!(ms > 0)) return;
      stats.pauses++;
      buckets[0]!.pause(ms);
    },
    async close() {},
  };
}
