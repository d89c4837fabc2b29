/**
 * The trigger runner (`trigger run`, and the server's embedded runner): per trigger its source and
 * the dispatcher, as lifecycle Services. Sources: the events poller (every `interval`), the object
 * poller, and for webhook triggers the listener, reconciled from the Events API at the trigger's
 * interval so a lost webhook is never a lost event (without a public URL a webhook trigger just
 * polls). A graceful stop closes the listener, lets the sources finish their batch (inbox and
 * checkpoint commit together), drains in-flight deliveries and flushes the last writes.
 */
import type { ConnectorContext } from '../context.ts';
import { runUntilSignal, type Service } from '../lifecycle.ts';
import type { Store } from '../store/types.ts';
import type { TriggerDefinition } from './definition.ts';
import { Dispatcher, type DispatchNotice } from './dispatch.ts';
import { loadDestinations } from './destinations.ts';
import { dispatchTrigger } from './run-trigger.ts';
import { pollService } from './run-sources.ts';
import { webhookService } from './run-webhooks.ts';
import { TriggerService } from './service.ts';
import { recoverDeadWorkers } from './store/recover.ts';
import { disabledKey, storePorts } from './store/ports.ts';
import { newWorkerId } from './store/workers.ts';

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
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
  onNotice?: (notice: DispatchNotice) => void;
  /** Told once everything has started, with the listener's URL when there is one. */
  onStarted?: (info: { triggers: string[]; webhookUrl?: string }) => void;
  signal?: AbortSignal;
}

/** The services of one runner, in start order (the server mounts these in its own lifecycle). */
export async function triggerServices(opts: RunOptions): Promise<{
  services: Service[];
  triggers: TriggerDefinition[];
  webhookUrl: () => string | undefined;
  /** Tells the dispatcher new deliveries of a trigger were queued (a webhook received elsewhere). */
  wake: (trigger: string) => void;
}> {
  const log = opts.log ?? (() => {});
  const worker = opts.worker ?? newWorkerId();
  const triggers = await new TriggerService(opts.store).definitions(opts.names);
  const byName = new Map(triggers.map((t) => [t.name, t]));
  const ports = storePorts({
    store: opts.store,
    worker,
    leaseMs: opts.leaseMs,
    ordered: (name) => byName.get(name)?.delivery.mode !== 'parallel',
  });
  const dispatcher = new Dispatcher({ queue: ports.queue, idleMs: opts.idleMs, onNotice: opts.onNotice });
  const wake = (name: string) => dispatcher.wake(name);
  const webhooks = webhookService({ ...opts, log, ports, triggers, wake });
  const polled = triggers.filter((t) => t.source !== 'webhook' || !webhooks.receives(t));
  const reconciled = triggers.filter((t) => t.source === 'webhook' && webhooks.receives(t));
  const services: Service[] = [
    {
      name: 'recovery',
      start: async () =>
        void (await recoverDeadWorkers(
          opts.store,
          triggers.map((t) => t.name),
          log,
        )),
      stop: () => ports.close(),
    },
    {
      name: 'dispatcher',
      start: async () => {
        const destinations = await loadDestinations(opts.store);
        for (const t of triggers) {
          if (await opts.store.kv.get(disabledKey(t.name)))
            log(`${t.name}: disabled (its sink answered 410); trigger add it again to re-enable`);
          else dispatcher.run(dispatchTrigger(t, opts.env ?? process.env, destinations));
        }
      },
      stop: () => dispatcher.stop(),
    },
    pollService({ ...opts, log, ports, worker, triggers: [...polled, ...reconciled], wake }),
    webhooks.service,
  ];
  return { services, triggers, webhookUrl: webhooks.url, wake };
}

/** Runs the triggers in the foreground until SIGINT/SIGTERM (or `signal`). */
export async function runTriggers(opts: RunOptions): Promise<void> {
  const { services, triggers, webhookUrl } = await triggerServices(opts);
  await runUntilSignal(services, {
    signal: opts.signal,
    log: opts.log,
    onStarted: () => opts.onStarted?.({ triggers: triggers.map((t) => t.name), webhookUrl: webhookUrl() }),
  });
}
