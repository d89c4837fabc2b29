/**
 * The server works off billing jobs: `billing apply --no-wait`, `subscribe --no-wait` and the
 * billing routes only enqueue, and this runs the billing worker (src/billing/worker.ts) inside the
 * server from when it is ready until it closes. Any number of servers on one store may run it: the
 * store's claim keeps one job at a time per integration, in creation order.
 *
 * Stopping (the server's close): no new job is claimed; a running job gets `stopGraceMs` to finish.
 * One still running then is abandoned, not acked: its claim lapses after the lease and the next
 * worker (this server restarted, or another node) runs it again with the same idempotency key.
 */
import { BillingService, type WorkerEvent } from '../billing/index.ts';
import type { GatewayOptions } from '../gateway/index.ts';
import type { Store } from '../store/types.ts';
import type { ServerPlugin } from './app.ts';

export interface BillingRunnerOptions {
  store: Store;
  /** Claim lease (default 30 s): how long a job of a process that died waits before it runs again. */
  leaseMs?: number;
  /** How often an idle worker looks for due jobs (default 1 s). */
  idleMs?: number;
  /** How long close() waits for a running job (default 10 s). */
  stopGraceMs?: number;
  onEvent?: (event: WorkerEvent) => void;
  /** For the integrations' gateways (a cluster node's: budgets shared on the store). */
  gateway?: GatewayOptions;
}

export function billingRunner(opts: BillingRunnerOptions): ServerPlugin {
  return async (app, { state }) => {
    const billing = new BillingService({
      store: opts.store,
      env: state.env,
      baseDir: state.baseDir,
      ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
      ...(opts.gateway ? { gateway: opts.gateway } : {}),
      ...(opts.idleMs ? { idleMs: opts.idleMs } : {}),
      // Each job's outcome joins the server's log (ids and kinds; the error is redacted by the worker).
      onEvent: (event) => {
        opts.onEvent?.(event);
        if (event.kind === 'started') return;
        const job =
          'job' in event ? { job: event.job.id, integration: event.job.group, kind: event.job.kind } : {};
        const error = 'error' in event ? { error: event.error } : {};
        app.log.info({ source: 'billing', event: event.kind, ...job, ...error }, `billing job ${event.kind}`);
      },
    });
    const worker = billing.worker();
    app.addHook('onReady', () => worker.start());
    // preClose: before the store and the gateways go (onClose), so a running job can still ack.
    app.addHook('preClose', async () => {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, opts.stopGraceMs ?? 10_000)));
      await Promise.race([worker.stop(), grace]);
      clearTimeout(timer);
    });
    app.addHook('onClose', () => billing.close());
  };
}
