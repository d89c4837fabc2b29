/**
 * The dispatcher: claims each trigger's due deliveries from the DeliveryQueue and sends them to
 * its sink. Ordered (the default): one at a time in queue order, the next only after the sink
 * acknowledged the previous one (its ack written behind it, not waited for) or it was
 * dead-lettered; a head that waits for its retry time holds the rest. It claims a run of
 * consecutive due deliveries at once (one claim instead of one per delivery) and sends them one
 * after another, giving back what it did not send. Parallel:
 * up to `concurrency` at once. Each send first takes a token from the trigger's and the sink's
 * bucket. The queue is the only state: a restarted dispatcher carries on where the store says.
 */
import { decide, type RetryPolicy } from './decide.ts';
import { sinkMessage } from './message.ts';
import type { Delivery, DeliveryQueue } from './ports.ts';
import type { FieldMap } from './project.ts';
import { TokenBucket } from './rate.ts';
import { sleepUnless } from '../lifecycle.ts';
import type { Sink, SinkMessage } from './sinks/types.ts';

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
  /** Ordered: deliveries claimed at once, at most (default 50; never more than a second's worth at the trigger's rate). */
  runLength?: number;
  clock?: () => number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  onNotice?: (notice: DispatchNotice) => void;
}

export class Dispatcher {
  /** Per trigger dispatched: how to stop its loop, and the loop. */
  private readonly loops = new Map<string, { stopping: AbortController; done: Promise<void> }>();
  private readonly wakers = new Map<string, AbortController>();
  /** Triggers woken while not idle. */
  private readonly woken = new Set<string>();
  private readonly sinkBuckets = new Map<string, TokenBucket>();
  private readonly clock: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(private readonly opts: DispatcherOptions) {
    this.clock = opts.clock ?? Date.now;
    this.sleep = opts.sleep ?? sleepUnless;
  }

  /**
   * Starts dispatching a trigger until `stop()`, `stopTrigger()` or its sink says it is gone; its
   * sink is closed when it ends.
   */
  run(trigger: DispatchTrigger): void {
    if (this.loops.has(trigger.name)) throw new Error(`trigger ${trigger.name} is already dispatched`);
    const stopping = new AbortController();
    const entry = { stopping, done: Promise.resolve() };
    entry.done = this.loop(trigger, stopping.signal).finally(() => {
      if (this.loops.get(trigger.name) === entry) this.loops.delete(trigger.name);
      this.woken.delete(trigger.name);
    });
    this.loops.set(trigger.name, entry);
  }

  /** The triggers being dispatched now. */
  running(): string[] {
    return [...this.loops.keys()];
  }

  /**
   * New deliveries were queued for the trigger: look now instead of at the next idle tick. Not
   * idle now: it looks before it next idles (a wake is never lost between a claim and a wait).
   */
  wake(trigger: string): void {
    const waker = this.wakers.get(trigger);
    if (waker) waker.abort();
    else if (this.loops.has(trigger)) this.woken.add(trigger);
  }

  /** Stops one trigger's loop: no new work, its in-flight sends finish and their results are stored. */
  async stopTrigger(name: string): Promise<void> {
    const entry = this.loops.get(name);
    if (!entry) return;
    entry.stopping.abort();
    this.wakers.get(name)?.abort();
    await entry.done;
  }

  /** Stops taking work, lets in-flight sends finish and their results be stored. */
  async stop(): Promise<void> {
    await Promise.all(this.running().map((name) => this.stopTrigger(name)));
  }

  private async loop(t: DispatchTrigger, signal: AbortSignal): Promise<void> {
    const bucket = new TokenBucket(t.rateLimit, Math.max(1, t.rateLimit), this.clock);
    const inflight = new Map<string, Promise<Next>>();
    // Ordered: acks being written. The next claim is queued behind them (one group commit, in
    // order), so it sees them; only stopping waits for them.
    const acks = new Set<Promise<boolean>>();
    let disabled = false;
    while (!signal.aborted && !disabled) {
      try {
        disabled =
          t.mode === 'ordered'
            ? !(await this.orderedStep(t, bucket, acks, signal))
            : !(await this.parallelStep(t, bucket, inflight, signal));
      } catch (error) {
        // The store failed: nothing was recorded, so the delivery is still pending; try again.
        this.notifyStoreError(t, error as Error);
        await this.idle(t.name, signal);
      }
    }
    await Promise.all([...inflight.values(), ...acks]);
    await t.sink.close().catch(() => undefined);
  }

  /**
   * Claims the run at the head of the queue and sends it in order; false when the trigger got
   * disabled. A delivery goes once the one before it was acknowledged by the sink; the ack's
   * write is not waited for (it commits with the next ones): a crash before it commits sends the
   * acknowledged ones again, in order, under the same ids, as any crash between a sink's 2xx and
   * its record does.
   */
  private async orderedStep(
    t: DispatchTrigger,
    bucket: TokenBucket,
    pending: Set<Promise<boolean>>,
    signal: AbortSignal,
  ): Promise<boolean> {
    const length = Math.min(this.opts.runLength ?? 50, Math.max(1, Math.floor(t.rateLimit)));
    // What is queued from here on wakes it again; what was queued before, this claim sees.
    this.woken.delete(t.name);
    const run = await this.opts.queue.claim(t.name, length, { ordered: true });
    if (!run.length) return this.idle(t.name, signal);
    const acks: Promise<boolean>[] = [];
    try {
      for (const [i, d] of run.entries()) {
        await this.take(bucket, t.sinkKey, signal);
        // Stopping: this one and the rest go back unsent.
        const next = signal.aborted ? undefined : await this.attempt(t, d, acks);
        if (next === 'next') continue;
        // Not done with (or not sent): what is behind it waits, unclaimed, for its turn.
        const rest = run.slice(next === undefined ? i : i + 1);
        if (rest.length) await this.opts.queue.release(rest);
        return next !== 'disabled';
      }
      // A short run was all there was: no claim again until something new is queued (or the tick).
      return run.length < length ? this.idle(t.name, signal) : true;
    } finally {
      // An ack not stored (claim lost, store down) was told by its notice.
      for (const ack of acks) {
        pending.add(ack);
        void ack.finally(() => pending.delete(ack));
      }
    }
  }

  /** Claims what is due (within the bound) and starts it, then waits for a send to settle or for work. */
  private async parallelStep(
    t: DispatchTrigger,
    bucket: TokenBucket,
    inflight: Map<string, Promise<Next>>,
    signal: AbortSignal,
  ): Promise<boolean> {
    // Claims in batches of a quarter of the bound (one claim per freed slot would be a store
    // transaction per delivery), or whatever is free when nothing is in flight.
    const batch = Math.max(1, Math.floor(t.concurrency / 4));
    if (inflight.size > t.concurrency - batch) return (await Promise.race(inflight.values())) !== 'disabled';
    const free = t.concurrency - inflight.size;
    this.woken.delete(t.name);
    const claimed = await this.opts.queue.claim(t.name, free, { ordered: false });
    for (const [i, d] of claimed.entries()) {
      await this.take(bucket, t.sinkKey, signal);
      if (signal.aborted) {
        // Claimed but not sent: give them back at once rather than wait for the lease to run out.
        await this.opts.queue.release(claimed.slice(i));
        break;
      }
      const sent = this.attempt(t, d);
      inflight.set(
        d.id,
        sent.finally(() => inflight.delete(d.id)),
      );
    }
    // All that was due is out: claim again once something new is queued (or at the idle tick),
    // not each time a send settles; a send finding the sink gone ends the wait.
    if (claimed.length === free) return true;
    const gone = [...inflight.values()].map((sent) =>
      sent.then((next) => (next === 'disabled' ? next : new Promise<Next>(() => {}))),
    );
    return this.idle(t.name, signal, undefined, gone);
  }

  private notifyStoreError(t: DispatchTrigger, error: Error): void {
    this.opts.onNotice?.({ kind: 'store-error', trigger: t.name, error: error.message });
  }

  /**
   * Until woken, stopped, `ms` (default: the idle interval), or one of `sends` settles. Resolves
   * true (still enabled), false if a send found the sink gone.
   */
  private async idle(
    trigger: string,
    stopping: AbortSignal,
    ms = this.opts.idleMs ?? 250,
    sends: Promise<Next>[] = [],
  ): Promise<boolean> {
    if (this.woken.delete(trigger) || stopping.aborted) return true;
    // One signal per wait (a stop aborts the waker too): composed signals can be collected early.
    const waker = new AbortController();
    this.wakers.set(trigger, waker);
    try {
      return (await Promise.race([this.sleep(ms, waker.signal), ...sends])) !== 'disabled';
    } finally {
      waker.abort(); // ends the sleep when a send settled first
      if (this.wakers.get(trigger) === waker) this.wakers.delete(trigger);
    }
  }

  private async take(bucket: TokenBucket, sinkKey: string, signal: AbortSignal): Promise<void> {
    const rate = this.opts.sinkRates?.[sinkKey];
    let sinkBucket = this.sinkBuckets.get(sinkKey);
    if (rate && !sinkBucket)
      this.sinkBuckets.set(sinkKey, (sinkBucket = new TokenBucket(rate, Math.max(1, rate), this.clock)));
    for (const b of [bucket, sinkBucket]) {
      for (let wait = b?.take() ?? 0; wait > 0 && !signal.aborted; wait = b?.take() ?? 0) {
        await this.sleep(wait, signal);
      }
    }
  }

  /**
   * One send and its result stored. `next`: done with it (acked, or dead-lettered), the one behind
   * may go; `hold`: it stays pending (a retry, a claim lost, a result not stored); `disabled`: the
   * sink is gone. With `acks`, an ack's write is added there instead of waited for.
   */
  private async attempt(t: DispatchTrigger, d: Delivery, acks?: Promise<boolean>[]): Promise<Next> {
    try {
      return await this.sendAndStore(t, d, acks);
    } catch (error) {
      // The result could not be stored. The claim is given back (due again at once, this attempt
      // not counted) or, the store being down, left to run out: never held on, so the delivery is
      // sent again rather than stuck `running`. (An ack is never lost this way: its write does not throw.)
      this.notifyStoreError(t, error as Error);
      await this.opts.queue.release([d]).catch(() => undefined);
      return 'hold';
    }
  }

  private async sendAndStore(t: DispatchTrigger, d: Delivery, acks?: Promise<boolean>[]): Promise<Next> {
    const first = d.firstAttemptAt ?? this.clock();
    const attempts = d.attempts + 1;
    const notice = { trigger: t.name, delivery: d.id, attempts };
    let message: SinkMessage;
    try {
      message = sinkMessage(d, t.fields);
    } catch (error) {
      // No attempt can ever send it (a stored event lacking what the message needs): a dead
      // letter with the reason, and the ones behind it go on.
      const reason = `the event cannot be delivered: ${(error as Error).message}`;
      await this.opts.queue.dead(d, { attempts, error: reason, at: this.clock() });
      this.opts.onNotice?.({ kind: 'dead', ...notice, error: reason });
      return 'next';
    }
    // A sink that throws (even before its promise) failed this attempt, like one that rejects.
    const outcome = await Promise.resolve()
      .then(() => t.sink.send(message, { attempt: attempts }))
      .catch((error: Error) => ({ kind: 'retry' as const, error: `sink failed: ${error.message}` }));
    const now = this.clock();
    const decision = decide(outcome, attempts, first, now, t);
    switch (decision.kind) {
      case 'ack': {
        const stored = this.opts.queue.ack(d, now).then(
          (acked) => {
            // Not acked: another dispatcher has it now.
            if (acked) this.opts.onNotice?.({ kind: 'delivered', ...notice });
            return acked;
          },
          (error: Error) => {
            this.notifyStoreError(t, error);
            return false;
          },
        );
        if (acks) {
          acks.push(stored);
          return 'next';
        }
        return (await stored) ? 'next' : 'hold';
      }
      case 'retry':
        await this.opts.queue.retry(d, {
          attempts,
          firstAttemptAt: first,
          notBefore: decision.notBefore,
          error: decision.error,
        });
        this.opts.onNotice?.({ kind: 'retry', ...notice, error: decision.error });
        return 'hold';
      case 'dead':
        await this.opts.queue.dead(d, { attempts, error: decision.error, at: now });
        this.opts.onNotice?.({ kind: 'dead', ...notice, error: decision.error });
        return 'next';
      case 'disable':
        // The delivery goes back unsent (not counted as an attempt), waiting for the trigger's return.
        await this.opts.queue.release([d]);
        await this.opts.queue.disable(t.name, decision.error);
        this.opts.onNotice?.({ kind: 'disabled', trigger: t.name, error: decision.error });
        return 'disabled';
    }
  }
}

type Next = 'next' | 'hold' | 'disabled';
