/**
 * The billing worker: claims due jobs of the billing queue (one per integration at a time, in
 * creation order: the store's claim guarantees it across processes), runs each as one Stripe
 * change, and acks it, or records the failure (retried with backoff, then blocked). A claim is a
 * lease renewed while the job runs; a job whose process died is claimed again once it expires.
 * A lifecycle Service for the server; `runOnce` for callers that wait for their own jobs.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { toConnectorError } from '../errors.ts';
import { redact } from '../connection/redact.ts';
import { sleepUnless, type Service } from '../lifecycle.ts';
import type { Job, Store } from '../store/index.ts';
import type { GatewayPool } from './gateways.ts';
import { runJob, type BillingJobPayload } from './jobs.ts';

export type WorkerEvent =
  | { kind: 'started'; job: Job<BillingJobPayload> }
  | { kind: 'succeeded'; job: Job<BillingJobPayload>; result: unknown }
  | { kind: 'failed' | 'blocked'; job: Job<BillingJobPayload>; error: string }
  | { kind: 'lost'; job: Job<BillingJobPayload> }
  | { kind: 'error'; error: string };

export interface WorkerOptions {
  store: Store;
  gateways: GatewayPool;
  /** This worker's id in the job rows (default host:pid:random). */
  worker?: string;
  /** How long a claim holds without renewal (default 30 s): the wait before a dead process's job runs again. */
  leaseMs?: number;
  /** How often an idle worker looks for jobs (default 1 s). */
  idleMs?: number;
  /** Jobs claimed at once, at most one per integration (default 8). */
  concurrency?: number;
  onEvent?: (event: WorkerEvent) => void;
}

export class BillingWorker implements Service {
  readonly name = 'billing-worker';
  readonly worker: string;
  private readonly leaseMs: number;
  private readonly idleMs: number;
  private stopping = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly opts: WorkerOptions) {
    this.worker = opts.worker ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.idleMs = opts.idleMs ?? 1000;
  }

  async start(): Promise<void> {
    this.stopping = new AbortController();
    this.loop = this.run(this.stopping.signal);
  }

  /** Stops claiming; the jobs in flight finish (the lifecycle bounds the wait). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let ran = 0;
      try {
        ran = await this.runOnce();
      } catch (error) {
        // The store is unreachable for a moment: wait and try again rather than die.
        this.opts.onEvent?.({ kind: 'error', error: redact(toConnectorError(error).message) });
      }
      if (!ran) await sleepUnless(this.idleMs, signal);
    }
  }

  /** Claims the due jobs (of these integrations) and runs them; answers how many ran. */
  async runOnce(integrations?: string[]): Promise<number> {
    const jobs = await this.opts.store.billing.claim<BillingJobPayload>({
      worker: this.worker,
      leaseMs: this.leaseMs,
      limit: this.opts.concurrency ?? 8,
      ...(integrations ? { integrations } : {}),
    });
    await Promise.all(jobs.map((job) => this.runClaimed(job)));
    return jobs.length;
  }

  private async runClaimed(job: Job<BillingJobPayload>): Promise<void> {
    const { store, gateways, onEvent } = this.opts;
    onEvent?.({ kind: 'started', job });
    const heartbeat = setInterval(
      // A renewal that fails (the store went away under a stopping server) lets the lease lapse:
      // the job is then claimed again, which is what should happen to a job nobody holds.
      () => void store.jobs.extend(job.id, this.worker, this.leaseMs).catch(() => undefined),
      this.leaseMs / 3,
    );
    heartbeat.unref();
    let result: unknown;
    try {
      const gateway = await gateways.get(job.group);
      result = await runJob(job, { store, gateway, integration: job.group });
    } catch (error) {
      clearInterval(heartbeat);
      const e = toConnectorError(error);
      const message = redact(`${e.code}: ${e.message}`);
      const after = await store.billing.fail(job.id, this.worker, { error: message });
      if (!after) return onEvent?.({ kind: 'lost', job });
      return onEvent?.({
        kind: after.status === 'dead' ? 'blocked' : 'failed',
        job: after as Job<BillingJobPayload>,
        error: message,
      });
    }
    clearInterval(heartbeat);
    if (await store.billing.complete(job.id, this.worker, (result ?? null) as never))
      onEvent?.({ kind: 'succeeded', job, result });
    else onEvent?.({ kind: 'lost', job });
  }
}
