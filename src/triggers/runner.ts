/**
 * The trigger runner of `trigger run`: the supervisor (supervisor.ts) running the store's triggers
 * (all, or those named) and following the store's changes, as the server's runner does, with the
 * webhook listener on `--listen`. With `--public-url`, webhook triggers get a Stripe endpoint at
 * that URL and the listener receives its calls; without one, webhook triggers just poll. A
 * graceful stop closes the listener, lets the sources finish their batch (inbox and checkpoint
 * commit together), drains in-flight deliveries and flushes the last writes.
 */
import type { ConnectorContext } from '../context.ts';
import { listenError, runUntilSignal, type Service } from '../lifecycle.ts';
import type { Store } from '../store/types.ts';
import type { DispatchNotice } from './dispatch.ts';
import { TriggerService } from './service.ts';
import { listenWebhooks, type WebhookListener } from './sources/listener.ts';
import { routeEvent } from './sources/route.ts';
import { triggerSupervisor, type LogLevel, type TriggerSupervisor } from './supervisor.ts';

export interface RunOptions {
  store: Store;
  ctx: ConnectorContext;
  /** Only these triggers (default: all). */
  names?: string[];
  /** Where the webhook listener listens (`--listen 127.0.0.1:PORT`). */
  listen?: { host: string; port: number };
  /** The URL Stripe calls (`--public-url`); with it, webhook triggers get a Stripe endpoint. */
  publicUrl?: string;
  /** This runner's id as holder of claims and leases (default: host/pid/nonce). */
  worker?: string;
  /** Claim lease (default 30 s; renewed while a send is in flight). */
  leaseMs?: number;
  /** The Events-API overlap re-read, seconds (default 60). */
  overlapSeconds?: number;
  idleMs?: number;
  /** How often the store is checked for triggers added, changed or removed meanwhile (default 2 s). */
  watchMs?: number;
  env?: Record<string, string | undefined>;
  log?: (line: string, level?: LogLevel) => void;
  onNotice?: (notice: DispatchNotice) => void;
  /** Told once everything has started, with the listener's URL when there is one. */
  onStarted?: (info: { triggers: string[]; webhookUrl?: string }) => void;
  signal?: AbortSignal;
}

/** The runner as one lifecycle service, and what runs. */
export async function triggerServices(opts: RunOptions): Promise<{
  services: Service[];
  supervisor: TriggerSupervisor;
  /** The listener's URL, once started with `listen`. */
  webhookUrl: () => string | undefined;
}> {
  const log = opts.log ?? (() => {});
  // An unknown name is a typo to say now, not a trigger that never runs.
  if (opts.names?.length) await new TriggerService(opts.store).definitions(opts.names);
  const publicUrl = opts.listen ? opts.publicUrl : undefined;
  const supervisor = triggerSupervisor({
    store: opts.store,
    context: async () => opts.ctx,
    env: opts.env ?? process.env,
    log,
    names: opts.names,
    webhookUrl: publicUrl ? () => publicUrl : undefined,
    watchMs: opts.watchMs,
    idleMs: opts.idleMs,
    overlapSeconds: opts.overlapSeconds,
    onNotice: opts.onNotice,
    worker: opts.worker,
    leaseMs: opts.leaseMs,
  });
  let listener: WebhookListener | undefined;
  const service: Service = {
    name: 'triggers',
    start: async () => {
      // Listening before the endpoints exist: Stripe may call as soon as one is made.
      if (opts.listen) {
        const { host, port } = opts.listen;
        listener = await listenWebhooks({
          host,
          port,
          secrets: () => supervisor.webhooks().secrets,
          inbox: supervisor.ports.inbox,
          route: (e) => (publicUrl ? routeEvent(e, supervisor.webhooks().triggers) : []),
          receive: supervisor.ports.receive,
          onStored: (trigger) => supervisor.wake(trigger),
          log,
        }).catch((error) => {
          throw listenError(error, { host, port, flag: '--listen' });
        });
        log(`webhooks: listening on ${listener.url}`);
      }
      try {
        await supervisor.start();
      } catch (error) {
        // Nothing left running on a store the caller is about to close.
        await listener?.close();
        await supervisor.stop();
        throw error;
      }
    },
    stop: async () => {
      // No new webhooks while the rest drains.
      await listener?.close();
      await supervisor.stop();
    },
  };
  return { services: [service], supervisor, webhookUrl: () => listener?.url };
}

/** Runs the triggers in the foreground until SIGINT/SIGTERM (or `signal`). */
export async function runTriggers(opts: RunOptions): Promise<void> {
  const { services, supervisor, webhookUrl } = await triggerServices(opts);
  await runUntilSignal(services, {
    signal: opts.signal,
    log: opts.log,
    onStarted: () => opts.onStarted?.({ triggers: supervisor.running(), webhookUrl: webhookUrl() }),
  });
}
