/**
 * The dispatcher: claims each trigger's due deliveries from the DeliveryQueue and sends them to
 * its sink. Ordered (the default): one at a time in queue order, the next only after the previous
 * was acknowledged or dead-lettered, a head that waits for its retry time holds the rest. Parallel:
 * up to `concurrency` at once. Each send first takes a token from the trigger's and the sink's
 * bucket. The queue is the only state: a restarted dispatcher carries on where the store says.
 */
import { decide, type RetryPolicy } from './decide.ts';
import { sinkMessage } from './message.ts';
import type { Delivery, DeliveryQueue } from './ports.ts';
import type { FieldMap } from './project.ts';
import { TokenBucket } from './rate.ts';
import { sleepUnless } from './sleep.ts';
import type { Sink } from './sinks/types.ts';

export interface DispatchTrigger extends RetryPolicy {
  name: string;
  mode: 'ordered' | 'parallel';
  concurrency: number;
  /** Deliveries per second for this trigger. */
  rateLimit: number;
  sink: Sink;
  /** Triggers with the same key share the sink's bucket (`sinkRates`). */
  sinkKey: string;
  fields?: readonly FieldMap[];
}

export type DispatchNotice =
  | {
      kind: 'delivered' | 'retry' | 'dead';
      trigger: string;
      delivery: string;
      attempts: number;
      error?: string;
    }
  | { kind: 'disabled' | 'store-error'; trigger: string; error: string };

export interface DispatcherOptions {
  queue: DeliveryQueue;
  /** Deliveries per second per sink key. */
  sinkRates?: Record<string, number>;
  /** How often an idle trigger looks for new work, unless woken (default 250 ms). */
  idleMs?: number;
  clock?: () => number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  onNotice?: (notice: DispatchNotice) => void;
}

export class Dispatcher {
  private readonly stopping = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly wakers = new Map<string, AbortController>();
  private readonly sinkBuckets = new Map<string, TokenBucket>();
  private readonly clock: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(private readonly opts: DispatcherOptions) {
    this.clock = opts.clock ?? Date.now;
    this.sleep = opts.sleep ?? sleepUnless;
  }

  /** Starts dispatching a trigger until `stop()` or its sink says it is gone. */
  run(trigger: DispatchTrigger): void {
    this.loops.push(this.loop(trigger));
  }

  /** New deliveries were queued for the trigger: look now instead of at the next idle tick. */
  wake(trigger: string): void {
    this.wakers.get(trigger)?.abort();
  }

  /** Stops taking work, lets in-flight sends finish and their results be stored. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const waker of this.wakers.values()) waker.abort();
    await Promise.all(this.loops);
  }

  private async loop(t: DispatchTrigger): Promise<void> {
    const bucket = new TokenBucket(t.rateLimit, Math.max(1, t.rateLimit), this.clock);
    const inflight = new Map<string, Promise<boolean>>();
    const limit = t.mode === 'ordered' ? 1 : t.concurrency;
    let disabled = false;
    while (!this.stopping.signal.aborted && !disabled) {
      try {
        disabled = !(await this.step(t, bucket, inflight, limit));
      } catch (error) {
        // The store failed: nothing was recorded, so the delivery is still pending; try again.
        this.opts.onNotice?.({ kind: 'store-error', trigger: t.name, error: (error as Error).message });
        await this.idle(t.name);
      }
    }
    await Promise.all(inflight.values());
  }

  /** Claims what is due (within the bound) and starts it, then waits for a send to settle or for work. */
  private async step(
    t: DispatchTrigger,
    bucket: TokenBucket,
    inflight: Map<string, Promise<boolean>>,
    limit: number,
  ): Promise<boolean> {
    const free = limit - inflight.size;
    const claimed =
      free > 0 ? await this.opts.queue.claim(t.name, free, { ordered: t.mode === 'ordered' }) : [];
    for (const [i, d] of claimed.entries()) {
      await this.take(bucket, t.sinkKey);
      if (this.stopping.signal.aborted) {
        // Claimed but not sent: give them back at once rather than wait for the lease to run out.
        await Promise.all(claimed.slice(i).map((rest) => this.opts.queue.release(rest)));
        break;
      }
      const sent = this.attempt(t, d).catch((error: Error) => {
        // The result could not be stored: the claim runs out and the delivery is sent again.
        this.opts.onNotice?.({ kind: 'store-error', trigger: t.name, error: error.message });
        return true;
      });
      inflight.set(
        d.id,
        sent.finally(() => inflight.delete(d.id)),
      );
    }
    if (t.mode === 'parallel' && inflight.size < limit && claimed.length) return true;
    if (inflight.size) return Promise.race(inflight.values());
    return this.idle(t.name);
  }

  /** Until woken, stopped, or `ms` (default: the idle interval). Resolves true (still enabled). */
  private async idle(trigger: string, ms = this.opts.idleMs ?? 250): Promise<boolean> {
    // One signal per wait (stop() aborts the wakers too): composed signals can be collected early.
    const waker = new AbortController();
    this.wakers.set(trigger, waker);
    if (!this.stopping.signal.aborted) await this.sleep(ms, waker.signal);
    return true;
  }

  private async take(bucket: TokenBucket, sinkKey: string): Promise<void> {
    const rate = this.opts.sinkRates?.[sinkKey];
    let sinkBucket = this.sinkBuckets.get(sinkKey);
    if (rate && !sinkBucket)
      this.sinkBuckets.set(sinkKey, (sinkBucket = new TokenBucket(rate, Math.max(1, rate), this.clock)));
    for (const b of [bucket, sinkBucket]) {
      for (let wait = b?.take() ?? 0; wait > 0 && !this.stopping.signal.aborted; wait = b?.take() ?? 0) {
        await this.sleep(wait, this.stopping.signal);
      }
    }
  }

  /** One send and its result stored; false when the trigger got disabled. */
  private async attempt(t: DispatchTrigger, d: Delivery): Promise<boolean> {
    const first = d.firstAttemptAt ?? this.clock();
    const attempts = d.attempts + 1;
    const outcome = await t.sink.send(sinkMessage(d, t.fields)).catch((error: Error) => ({
      kind: 'retry' as const,
      error: `sink failed: ${error.message}`,
    }));
    const now = this.clock();
    const decision = decide(outcome, attempts, first, now, t);
    const notice = { trigger: t.name, delivery: d.id, attempts };
    switch (decision.kind) {
      case 'ack':
        await this.opts.queue.ack(d, now);
        this.opts.onNotice?.({ kind: 'delivered', ...notice });
        return true;
      case 'retry':
        await this.opts.queue.retry(d, {
          attempts,
          firstAttemptAt: first,
          notBefore: decision.notBefore,
          error: decision.error,
        });
        this.opts.onNotice?.({ kind: 'retry', ...notice, error: decision.error });
        return true;
      case 'dead':
        await this.opts.queue.dead(d, { attempts, error: decision.error, at: now });
        this.opts.onNotice?.({ kind: 'dead', ...notice, error: decision.error });
        return true;
      case 'disable':
        // The delivery goes back unsent (not counted as an attempt), waiting for the trigger's return.
        await this.opts.queue.release(d);
        await this.opts.queue.disable(t.name, decision.error);
        this.opts.onNotice?.({ kind: 'disabled', trigger: t.name, error: decision.error });
        return false;
    }
  }
}
