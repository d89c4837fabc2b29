/**
 * The trigger runner inside the server: every trigger of the store runs here (its source, its
 * dispatcher: triggers/runner.ts), each as its own set of services so that adding, changing or
 * removing one starts or stops only that one. What runs follows the store: `refresh()` (told by
 * the trigger routes) and a check every `watchMs` (a `trigger add|remove` on the CLI, another
 * node) compare each trigger's definition and change time with what runs. Refreshes are
 * serialised; none starts once stopped. With a public URL, webhook triggers also get their
 * connection's Stripe endpoint at `<publicUrl>/webhooks/<connection>` (webhooks.ts receives there)
 * and are reconciled from the Events API at their interval. One poller per source across processes
 * is the sources' lease; deliveries are claimed from the store's job queue.
 */
import type { ConnectorContext } from '../context.ts';
import type { Gateway } from '../gateway/types.ts';
import type { Service } from '../lifecycle.ts';
import type { Store } from '../store/types.ts';
import {
  newWorkerId,
  parseTrigger,
  storePorts,
  triggerServices,
  type DispatchNotice,
  type StorePorts,
  type TriggerDefinition,
  type TriggerInput,
} from '../triggers/index.ts';
import { ensureEndpoints } from '../triggers/run-webhooks.ts';

export interface TriggerRunnerOptions {
  store: Store;
  /** A connection's live context (the server's registry). */
  context: (connection: string) => Promise<ConnectorContext>;
  env: Record<string, string | undefined>;
  log: (line: string) => void;
  /** The server's public URL: Stripe calls `<publicUrl>/webhooks/<connection>`. */
  publicUrl?: string;
  /** How often the store is checked for triggers changed elsewhere (default 2 s). */
  watchMs?: number;
  /** How long an idle dispatcher waits before it looks for work again (default 250 ms). */
  idleMs?: number;
  onNotice?: (notice: DispatchNotice) => void;
}

interface Running {
  key: string;
  definition: TriggerDefinition;
  services: Service[];
  wake: (trigger: string) => void;
}

/** What the webhook receiver needs of a connection: its secrets and its running webhook triggers. */
export interface WebhookTarget {
  secrets: readonly string[];
  triggers: TriggerDefinition[];
}

export interface ServerTriggerRunner {
  /** Starts the store's triggers and the watch. */
  start(): Promise<void>;
  /** Brings what runs in line with the store (after an add through the API). */
  refresh(): Promise<void>;
  /** Stops `name`, runs `change` (a removal: no poll may write its checkpoint meanwhile), refreshes. */
  around<T>(name: string, change: () => Promise<T>): Promise<T>;
  /** Graceful: sources finish their batch, in-flight deliveries drain, pending writes flush. */
  stop(): Promise<void>;
  /** The triggers running now. */
  running(): string[];
  webhooks(connection: string): WebhookTarget;
  /** The store ports of received webhooks (one transaction per call). */
  ports: StorePorts;
  wake(trigger: string): void;
}

const keyOf = (row: { definition: unknown; updatedAt: number }) =>
  `${row.updatedAt}:${JSON.stringify(row.definition)}`;

export function serverTriggerRunner(opts: TriggerRunnerOptions): ServerTriggerRunner {
  const worker = newWorkerId();
  const running = new Map<string, Running>();
  /** Per connection: the event sets its endpoints were made for, and their secrets. */
  const endpoints: Endpoints = new Map();
  /** Failures already logged (a trigger on a missing connection is retried quietly). */
  const told = new Set<string>();
  let stopped = false;
  let watch: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  const ports = storePorts({
    store: opts.store,
    worker,
    ordered: (name) => running.get(name)?.definition.delivery.mode !== 'parallel',
  });
  const once = (key: string, line: string) => {
    if (!told.has(key)) opts.log(line);
    told.add(key);
  };

  const queue = <T>(step: () => Promise<T>): Promise<T> => {
    const next = chain.then(step);
    // A failed step is logged; the chain stays usable for the next one.
    chain = next.then(
      () => undefined,
      (error: Error) => opts.log(`triggers: ${error.message}`),
    );
    return next;
  };

  async function stopOne(name: string): Promise<void> {
    const current = running.get(name);
    if (!current) return;
    running.delete(name);
    for (const service of [...current.services].reverse()) await service.stop();
  }

  async function startOne(name: string, key: string, definition: TriggerDefinition): Promise<void> {
    const ctx = await opts.context(definition.connection).catch((error: Error) => {
      once(`${name}:${key}`, `trigger ${name}: connection "${definition.connection}": ${error.message}`);
    });
    if (!ctx) return;
    const live = liveContext(ctx, () => opts.context(definition.connection));
    running.set(name, { key, definition, ...(await startTrigger(opts, live, worker, name)) });
    opts.log(`trigger ${name}: running (${definition.source} on ${definition.connection})`);
  }

  async function sync(): Promise<void> {
    if (stopped) return;
    const rows = await opts.store.triggers.list<TriggerInput>();
    const wanted = new Map(rows.map((r) => [r.name, r]));
    const changes: Promise<void>[] = [];
    for (const [name, current] of running) {
      const row = wanted.get(name);
      if (!row || keyOf(row) !== current.key) changes.push(stopOne(name));
    }
    await Promise.all(changes);
    for (const row of rows) {
      if (running.has(row.name) || stopped) continue;
      const key = keyOf(row);
      let definition: TriggerDefinition;
      try {
        definition = parseTrigger(row.definition);
      } catch (error) {
        once(`${row.name}:${key}`, `trigger ${row.name}: not run: ${(error as Error).message}`);
        continue;
      }
      await startOne(row.name, key, definition).catch((error: Error) =>
        once(`${row.name}:${key}:start`, `trigger ${row.name}: not started: ${error.message}`),
      );
    }
    if (opts.publicUrl) await syncEndpoints(opts, opts.publicUrl, endpoints, rows);
  }

  return {
    ports,
    start: () =>
      queue(async () => {
        await sync();
        watch ??= setInterval(() => void queue(sync), opts.watchMs ?? 2000);
        watch.unref();
      }),
    refresh: () => queue(sync),
    around: <T>(name: string, change: () => Promise<T>) =>
      queue(async () => {
        await stopOne(name);
        const result = await change();
        await sync();
        return result;
      }),
    stop: () => {
      stopped = true;
      clearInterval(watch);
      return queue(async () => {
        await Promise.all([...running.keys()].map(stopOne));
        await ports.close();
      });
    },
    running: () => [...running.keys()],
    webhooks: (connection) => ({
      secrets: endpoints.get(connection)?.secrets ?? [],
      triggers: [...running.values()]
        .map((r) => r.definition)
        .filter((t) => t.source === 'webhook' && t.connection === connection),
    }),
    wake: (trigger) => running.get(trigger)?.wake(trigger),
  };
}

/**
 * A context whose gateway is, on every call, the connection's current one: the registry replaces a
 * connection's gateway (and closes the old one) when its definition changes, and a running trigger
 * must carry on with the new one rather than fail on a closed gateway.
 */
function liveContext(first: ConnectorContext, current: () => Promise<ConnectorContext>): ConnectorContext {
  const gateway: Gateway = {
    request: async (req) => (await current()).gateway.request(req),
    mode: first.gateway.mode,
    apiVersion: first.gateway.apiVersion,
    name: first.gateway.name,
    // The registry owns the gateways and closes them.
    close: async () => {},
  };
  return { ...first, gateway };
}

/** One trigger's services (recovery, dispatcher, sources), started in order. */
async function startTrigger(opts: TriggerRunnerOptions, ctx: ConnectorContext, worker: string, name: string) {
  const { services, wake } = await triggerServices({
    store: opts.store,
    ctx,
    names: [name],
    worker,
    env: opts.env,
    log: opts.log,
    idleMs: opts.idleMs,
    onNotice: opts.onNotice,
  });
  const started: Service[] = [];
  try {
    for (const service of services) {
      await service.start();
      started.push(service);
    }
  } catch (error) {
    for (const service of started.reverse()) await service.stop().catch(() => {});
    throw error;
  }
  return { services, wake };
}

type Endpoints = Map<string, { key: string; secrets: string[] }>;

/** Each connection's endpoints carry exactly its webhook triggers' events (none: deleted). */
async function syncEndpoints(
  opts: TriggerRunnerOptions,
  publicUrl: string,
  endpoints: Endpoints,
  rows: Array<{ definition: TriggerInput }>,
): Promise<void> {
  const webhookTriggers = rows
    .map((r) => parseTriggerQuietly(r.definition))
    .filter((t): t is TriggerDefinition => t?.source === 'webhook');
  const connections = new Set([...endpoints.keys(), ...webhookTriggers.map((t) => t.connection)]);
  for (const connection of connections) {
    const mine = webhookTriggers.filter((t) => t.connection === connection);
    const key = JSON.stringify(mine.map((t) => [t.connect, [...(t.events ?? [])].sort()]).sort());
    if (endpoints.get(connection)?.key === key) continue;
    const ctx = await opts.context(connection).catch(() => undefined);
    if (!ctx) continue;
    const url = `${publicUrl.replace(/\/+$/, '')}/webhooks/${encodeURIComponent(connection)}`;
    const secrets = await ensureEndpoints({ store: opts.store, ctx, log: opts.log }, mine, url);
    // Without a secret (another node made the endpoint and has not stored it yet) the key is not
    // kept, so the next check reads it again; meanwhile the Events API reconciles.
    if (mine.length) endpoints.set(connection, { key: secrets.length ? key : '', secrets });
    else endpoints.delete(connection);
  }
}

function parseTriggerQuietly(input: TriggerInput): TriggerDefinition | undefined {
  try {
    return parseTrigger(input);
  } catch {
    return undefined;
  }
}
