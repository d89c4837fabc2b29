/**
 * Runs work only while this node holds a named lease (e.g. `source:<trigger>`: one node polls each
 * source). The lease is renewed on its own timer at ttl/3; when a renewal says it is no longer ours
 * (or renewals fail until it may have expired) the work's signal aborts, so it stops before another
 * node can have taken over. A node that dies stops renewing: another takes the lease within ttl.
 * While not holding it, the runner keeps trying (every ttl/3), so the work moves back when free.
 */
import { sleepUnless } from '../lifecycle.ts';
import type { Lease, Store } from '../store/index.ts';

export interface LeaseContext {
  /** Aborts when the lease is lost or the runner stops. */
  signal: AbortSignal;
  /** The fencing token: it grows on every change of holder. */
  epoch: number;
  /** True while the store still names us the holder at this epoch (check before a write that must be fenced). */
  stillHeld(): Promise<boolean>;
}

export interface LeaseRunner {
  readonly name: string;
  /** The lease while held, else undefined. */
  readonly lease: Lease | undefined;
  /** Stops the work (its signal aborts), waits for it, releases the lease. */
  stop(): Promise<void>;
}

export interface LeaseRunnerOptions {
  /** How often to retry taking the lease while another holds it (default ttl/3). */
  retryMs?: number;
  log?: (line: string) => void;
}

export function runWithLease(
  store: Store,
  name: string,
  nodeId: string,
  ttlMs: number,
  work: (ctx: LeaseContext) => Promise<void>,
  options: LeaseRunnerOptions = {},
): LeaseRunner {
  const log = options.log ?? (() => {});
  const period = Math.max(10, Math.floor(ttlMs / 3));
  const retryMs = options.retryMs ?? period;
  const stopper = new AbortController();
  let lease: Lease | undefined;

  // A stop (or a lost lease) ends any wait at once, even one begun after it.
  const sleep = (ms: number, signal: AbortSignal = stopper.signal) => sleepUnless(ms, signal);

  /** Renews at ttl/3 until lost; aborts `lost` then. Gives up ownership before the lease can expire. */
  async function keep(held: Lease, lost: AbortController): Promise<void> {
    let validUntil = Date.now() + ttlMs;
    while (!lost.signal.aborted && !stopper.signal.aborted) {
      await sleep(
        Math.min(period, Math.max(0, validUntil - Date.now() - period)),
        AbortSignal.any([lost.signal, stopper.signal]),
      );
      if (stopper.signal.aborted || lost.signal.aborted) return;
      try {
        const renewed = await store.leases.renew(name, nodeId, ttlMs);
        if (!renewed || renewed.epoch !== held.epoch) {
          log(`lease ${name}: lost (epoch ${held.epoch})`);
          return lost.abort(new Error(`lease ${name} lost`));
        }
        lease = renewed;
        validUntil = Date.now() + ttlMs;
      } catch (error) {
        log(`lease ${name}: renewal failed: ${(error as Error).message}`);
        // Our own clock says when another node may take it: stop a period before that.
        if (Date.now() >= validUntil - period) return lost.abort(new Error(`lease ${name}: cannot renew`));
      }
    }
  }

  async function holdAndWork(held: Lease): Promise<void> {
    const lost = new AbortController();
    const signal = AbortSignal.any([lost.signal, stopper.signal]);
    const keeping = keep(held, lost);
    const ctx: LeaseContext = {
      signal,
      epoch: held.epoch,
      stillHeld: async () => {
        const now = await store.leases.get(name);
        return !!now && now.holder === nodeId && now.epoch === held.epoch && now.expiresAt > store.now();
      },
    };
    try {
      await work(ctx);
    } catch (error) {
      if (!signal.aborted) log(`lease ${name}: work failed: ${(error as Error).message}`);
    } finally {
      lost.abort();
      await keeping;
      lease = undefined;
      await handOver();
    }
  }

  /**
   * Lets the next node take it at once. Releasing expires the lease in place (the store keeps its
   * row), so the next holder — this node too — gets epoch + 1: a fencing token never repeats.
   */
  async function handOver(): Promise<void> {
    await store.leases.release(name, nodeId).catch(() => undefined);
  }

  /** Another holds it: try again just after it would expire (a dead holder's), at most retryMs. */
  async function untilFree(): Promise<number> {
    try {
      const current = await store.leases.get(name);
      if (current && current.holder !== nodeId)
        return Math.min(retryMs, Math.max(5, current.expiresAt - store.now() + 5));
    } catch {
      // The store is unreachable: try again on the normal schedule.
    }
    return retryMs;
  }

  const loop = (async () => {
    while (!stopper.signal.aborted) {
      let held: Lease | undefined;
      try {
        held = await store.leases.acquire(name, nodeId, ttlMs);
      } catch (error) {
        log(`lease ${name}: acquire failed: ${(error as Error).message}`);
      }
      if (held && !stopper.signal.aborted) {
        lease = held;
        log(`lease ${name}: held by ${nodeId} (epoch ${held.epoch})`);
        await holdAndWork(held);
      }
      if (!stopper.signal.aborted) await sleep(await untilFree());
    }
  })();

  return {
    name,
    get lease() {
      return lease;
    },
    async stop() {
      stopper.abort();
      await loop;
    },
  };
}
