/**
 * Group commit: writes that arrive while a transaction is open wait and then commit together in
 * the next one. Each caller still resolves only once its own write is durable, so nothing is
 * acknowledged early, but a burst of N webhooks or acks costs one transaction instead of N (SQLite
 * does ~1,500 single-write transactions a second on the 2-core machine, ~4,000 batched).
 * Urgent writes (a dispatcher's retries and releases: what it sends next depends on them) do not queue
 * behind a burst of webhooks: they get the next transaction to themselves, and a batch is capped,
 * so one never waits for more than a short transaction. Lazy writes (the dispatchers' acks: the sink
 * already has the delivery) start no transaction of their own unless nothing else comes within LAZY_MS:
 * under a flow of webhooks they ride along in the webhooks' transactions.
 */
import type { Repos, Store } from '../../store/types.ts';

type Op = {
  run: (tx: Repos) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};

/** How long a lazy write waits for a transaction to join before it starts one. */
export const LAZY_MS = 5;

export class GroupCommit {
  private waiting: Op[] = [];
  private urgent: Op[] = [];
  private running: Promise<void> | undefined;
  private lazyTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    /** Writes per transaction at most (a long batch holds the write lock, and its callers, longer). */
    private readonly maxBatch = 100,
  ) {}

  /**
   * Runs `fn` in a transaction shared with whatever else is waiting; resolves after the commit.
   * `urgent`: in the next transaction, with the other urgent writes only. `lazy`: in the next
   * transaction that starts, or in one of its own after LAZY_MS.
   */
  run<T>(fn: (tx: Repos) => Promise<T>, opts: { urgent?: boolean; lazy?: boolean } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      (opts.urgent ? this.urgent : this.waiting).push({
        run: fn,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      if (this.running) return;
      if (!opts.lazy) return this.start();
      this.lazyTimer ??= setTimeout(() => this.start(), LAZY_MS);
    });
  }

  /** Resolves once everything queued so far has committed (or failed). */
  async flush(): Promise<void> {
    if (this.lazyTimer) this.start();
    while (this.running) await this.running;
  }

  private start(): void {
    clearTimeout(this.lazyTimer);
    this.lazyTimer = undefined;
    this.running ??= this.drain();
  }

  private async drain(): Promise<void> {
    // Let the writes of this tick (a burst of requests, several dispatch loops) join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    let urgentLast = false;
    while (this.urgent.length || this.waiting.length) {
      // Urgent first, but never twice in a row while others wait (no starving the webhooks).
      urgentLast = this.urgent.length > 0 && (!urgentLast || !this.waiting.length);
      const batch = (urgentLast ? this.urgent : this.waiting).splice(0, this.maxBatch);
      try {
        const results = await this.store.transaction(async (tx) => {
          const out: unknown[] = [];
          for (const op of batch) out.push(await op.run(tx));
          return out;
        });
        batch.forEach((op, i) => op.resolve(results[i]));
      } catch (error) {
        // The whole transaction rolled back: every write in it failed, and each caller is told.
        for (const op of batch) op.reject(error);
      }
    }
    this.running = undefined;
  }
}
