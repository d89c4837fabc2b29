/**
 * The supervisor: runs the store's triggers (all, or those named) and keeps what runs in line with
 * the store, for `trigger run` and the server alike. Each trigger runs on its own — its sources
 * (run-sources.ts) and its loop in the one dispatcher — so adding, changing or removing one starts
 * or stops only that one. What runs follows the store: `refresh()` (after a change made here) and a
 * check every `watchMs` (a `trigger add|remove` elsewhere, another node) compare each trigger's
 * definition and change time with what runs. Checks are serialised; none starts once stopped.
 *
 * A trigger that cannot run is never silently not run: it is reported failing (its state in the
 * store, shown by status, and one warning per new reason), and retried at every check. When only
 * its sink cannot be made (a bad signing key), its sources keep collecting and its deliveries wait
 * for the sink; the other triggers run on.
 *
 * With `webhookUrl`, webhook triggers get Stripe endpoints at that URL (per connection), carrying
 * exactly the event types they need; their secrets sign what `webhooks()` receives. They are also
 * reconciled from the Events API at their interval, so a lost webhook is never a lost event.
 */
import type { ConnectorContext } from '../context.ts';
import type { Store } from '../store/types.ts';
import { parseTrigger, type TriggerDefinition, type TriggerInput } from './definition.ts';
import { Dispatcher, type DispatchNotice } from './dispatch.ts';
import type { Service } from '../lifecycle.ts';
import { FailingTriggers } from './failing.ts';
import { pollService } from './run-sources.ts';
import { loadDestinations } from './destinations.ts';
import { dispatchTrigger } from './run-trigger.ts';
import { disabledKey, storePorts, type StorePorts } from './store/ports.ts';
import { recoverDeadWorkers } from './store/recover.ts';
import { newWorkerId } from './store/workers.ts';
import { WebhookEndpoints } from './webhook-endpoints.ts';

export type LogLevel = 'info' | 'warn';

export interface SupervisorOptions {
  store: Store;
  /** A connection's context (the server's registry; the CLI's one connection for every trigger). */
  context: (connection: string) => Promise<ConnectorContext>;
  /** Where `env:` secrets (an http sink's signing key) are read. */
  env: Record<string, string | undefined>;
  log: (line: string, level?: LogLevel) => void;
  /** Only these triggers (default: every trigger of the store). */
  names?: readonly string[];
  /** The URL Stripe calls for a connection's webhook triggers; none: they are only polled. */
  webhookUrl?: (connection: string) => string | undefined;
  /** How often the store is checked for triggers changed elsewhere (default 2 s). */
  watchMs?: number;
  /** How long an idle dispatcher waits before it looks for work again (default 250 ms). */
  idleMs?: number;
  /** The Events-API overlap re-read, seconds (default 60). */
  overlapSeconds?: number;
  onNotice?: (notice: DispatchNotice) => void;
  /** Holder of its claims and leases (default host/pid/random; a cluster node passes its id). */
  worker?: string;
  /** Delivery claim lease (default 30 s). */
  leaseMs?: number;
}

/** What a webhook receiver needs: the secrets that sign the calls, and the webhook triggers running. */
export interface WebhookTarget {
  secrets: readonly string[];
  triggers: TriggerDefinition[];
}

export interface TriggerSupervisor {
  /** Starts the store's triggers and the watch. */
  start(): Promise<void>;
  /** Brings what runs in line with the store now (after a change made through this process). */
  refresh(): Promise<void>;
  /** Stops `name`, runs `change` (a removal: no poll may write its checkpoint meanwhile), refreshes. */
  around<T>(name: string, change: () => Promise<T>): Promise<T>;
  /** Graceful: sources finish their batch, in-flight deliveries drain, pending writes flush. */
  stop(): Promise<void>;
  /** The triggers running now (a failing one whose sources run included). */
  running(): string[];
  /** One connection's webhook secrets and triggers, or (no connection) every connection's. */
  webhooks(connection?: string): WebhookTarget;
  /** The store ports (one group commit for every trigger, and for received webhooks). */
  ports: StorePorts;
  /** New deliveries of `trigger` were queued (a webhook received): its dispatcher looks now. */
  wake(trigger: string): void;
}

interface Running {
  key: string;
  definition: TriggerDefinition;
  sources: Service;
  /** Delivery not started: the trigger is disabled (410) or its sink cannot be made (retried). */
  waiting?: 'disabled' | 'sink';
}

/** What identifies a definition's version (none: the trigger is gone). */
const keyOf = (row: { definition: unknown; updatedAt: number } | undefined) =>
  row && `${row.updatedAt}:${JSON.stringify(row.definition)}`;

export function triggerSupervisor(opts: SupervisorOptions): TriggerSupervisor {
  return new Supervisor(opts);
}

class Supervisor implements TriggerSupervisor {
  readonly ports: StorePorts;
  private readonly worker: string;
  private readonly runs = new Map<string, Running>();
  private readonly failing: FailingTriggers;
  private readonly endpoints?: WebhookEndpoints;
  private readonly dispatcher: Dispatcher;
  private stopped = false;
  private watch: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** Per trigger, the store failure last logged (the dispatcher retries it every idle tick). */
  private readonly storeErrors = new Map<string, string>();

  constructor(private readonly opts: SupervisorOptions) {
    const { store, log } = opts;
    this.worker = opts.worker ?? newWorkerId();
    this.failing = new FailingTriggers(store, log);
    if (opts.webhookUrl)
      this.endpoints = new WebhookEndpoints({ store, context: opts.context, url: opts.webhookUrl, log });
    this.ports = storePorts({
      store,
      worker: this.worker,
      leaseMs: opts.leaseMs,
      ordered: (name) => this.runs.get(name)?.definition.delivery.mode !== 'parallel',
    });
    this.dispatcher = new Dispatcher({
      queue: this.ports.queue,
      idleMs: opts.idleMs,
      onNotice: (n) => {
        const line = this.tell(n) && noticeLine(n);
        if (line) log(line, 'warn');
        opts.onNotice?.(n);
      },
    });
  }

  /** Whether to log a notice: a store failure once per trigger and error until a delivery succeeds. */
  private tell(n: DispatchNotice): boolean {
    if (n.kind === 'delivered') this.storeErrors.delete(n.trigger);
    if (n.kind !== 'store-error') return true;
    if (this.storeErrors.get(n.trigger) === n.error) return false;
    this.storeErrors.set(n.trigger, n.error);
    return true;
  }

  start(): Promise<void> {
    return this.queue(async () => {
      await this.sync();
      // Not unref'd: until stopped, the watch is what keeps a `trigger run` of no trigger yet alive.
      this.watch ??= setInterval(() => void this.queue(() => this.sync()), this.opts.watchMs ?? 2000);
    });
  }

  refresh(): Promise<void> {
    return this.queue(() => this.sync());
  }

  around<T>(name: string, change: () => Promise<T>): Promise<T> {
    return this.queue(async () => {
      await this.stopOne(name);
      const result = await change();
      await this.sync();
      return result;
    });
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watch);
    return this.queue(async () => {
      await Promise.all(this.running().map((name) => this.stopOne(name)));
      await this.dispatcher.stop();
      await this.ports.close();
    });
  }

  running(): string[] {
    return [...this.runs.keys()];
  }

  webhooks(connection?: string): WebhookTarget {
    const url = connection === undefined ? undefined : this.opts.webhookUrl?.(connection);
    const secrets = connection === undefined || url ? (this.endpoints?.secrets(url) ?? []) : [];
    const triggers = [...this.runs.values()]
      .map((r) => r.definition)
      .filter((t) => t.source === 'webhook' && (connection === undefined || t.connection === connection));
    return { secrets, triggers };
  }

  wake(trigger: string): void {
    this.dispatcher.wake(trigger);
  }

  /** Runs `step` after the steps before it; a failed step is logged and the next still runs. */
  private queue<T>(step: () => Promise<T>): Promise<T> {
    const next = this.chain.then(step);
    this.chain = next.then(
      () => undefined,
      (error: Error) => this.opts.log(`triggers: ${error.message}`, 'warn'),
    );
    return next;
  }

  /** Starts what is not running yet (or whose sink could not be made), stops what changed or went. */
  private async sync(): Promise<void> {
    if (this.stopped) return;
    const rows = (await this.opts.store.triggers.list<TriggerInput>()).filter(
      (r) => !this.opts.names?.length || this.opts.names.includes(r.name),
    );
    const rowsByName = new Map(rows.map((r) => [r.name, r]));
    const changed = [...this.runs].filter(([name, r]) => keyOf(rowsByName.get(name)) !== r.key);
    await Promise.all(changed.map(([name]) => this.stopOne(name)));
    const parsed: TriggerDefinition[] = [];
    for (const row of rows) {
      if (this.stopped) return;
      const key = keyOf(row) as string;
      let definition: TriggerDefinition;
      try {
        definition = parseTrigger(row.definition);
      } catch (error) {
        await this.failing.fail(row.name, key, `not run: ${(error as Error).message}`);
        continue;
      }
      parsed.push(definition);
      const current = this.runs.get(row.name);
      if (current?.waiting === 'sink') await this.startDelivery(row.name, current);
      if (current) continue;
      await this.startOne(row.name, key, definition).catch((error: Error) =>
        this.failing.fail(row.name, key, `not started: ${error.message}`),
      );
    }
    await this.endpoints?.sync(parsed);
  }

  private async startOne(name: string, key: string, definition: TriggerDefinition): Promise<void> {
    let ctx: ConnectorContext;
    try {
      ctx = await this.opts.context(definition.connection);
    } catch (error) {
      const reason = `not run: connection "${definition.connection}": ${(error as Error).message}`;
      return this.failing.fail(name, key, reason);
    }
    await recoverDeadWorkers(this.opts.store, [name], this.opts.log);
    const sources = pollService({
      ...this.opts,
      ctx,
      ports: this.ports,
      worker: this.worker,
      triggers: [definition],
      wake: (trigger) => this.dispatcher.wake(trigger),
      log: (line) => this.opts.log(line, 'warn'),
    });
    await sources.start();
    const current: Running = { key, definition, sources };
    this.runs.set(name, current);
    try {
      await this.startDelivery(name, current);
    } catch (error) {
      await this.stopOne(name);
      throw error;
    }
    this.opts.log(`trigger ${name}: running (${definition.source} on ${definition.connection})`);
  }

  /** Starts delivery of a running trigger, unless disabled; a sink that cannot be made is retried. */
  private async startDelivery(name: string, current: Running): Promise<void> {
    if (await this.opts.store.kv.get(disabledKey(name))) {
      if (current.waiting !== 'disabled')
        this.opts.log(
          `trigger ${name}: disabled (its sink answered 410); trigger add it again to re-enable`,
          'warn',
        );
      current.waiting = 'disabled';
      return;
    }
    try {
      const destinations = await loadDestinations(this.opts.store);
      this.dispatcher.run(dispatchTrigger(current.definition, this.opts.env, destinations));
    } catch (error) {
      current.waiting = 'sink';
      const reason = `its sink cannot be made, deliveries wait: ${(error as Error).message}`;
      return this.failing.fail(name, current.key, reason);
    }
    current.waiting = undefined;
    await this.failing.recovered(name);
  }

  private async stopOne(name: string): Promise<void> {
    const current = this.runs.get(name);
    if (!current) return;
    this.runs.delete(name);
    this.failing.forget(name);
    await current.sources.stop();
    await this.dispatcher.stopTrigger(name);
  }
}

/** The log line of a notice a person should see (a delivery given up, the sink gone, the store failing). */
export function noticeLine(n: DispatchNotice): string | undefined {
  switch (n.kind) {
    case 'dead':
      return `${n.trigger}: delivery ${n.delivery} dead-lettered after ${n.attempts} attempt${n.attempts === 1 ? '' : 's'}: ${n.error}`;
    case 'disabled':
      return `${n.trigger}: disabled: ${n.error}; trigger add it again to re-enable`;
    case 'store-error':
      return `${n.trigger}: the store failed (retrying): ${n.error}`;
    default:
      return undefined;
  }
}
