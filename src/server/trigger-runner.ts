/**
 * The trigger runner inside the server: the supervisor (triggers/supervisor.ts) on the server's
 * store, with each connection's live context from the registry. With a public URL, webhook
 * triggers get their connection's Stripe endpoint at `<publicUrl>/webhooks/<connection>`
 * (routes/webhooks.ts receives there). One poller per source across processes is the sources'
 * lease; deliveries are claimed from the store's job queue.
 */
import type { ConnectorContext } from '../context.ts';
import type { Gateway } from '../gateway/types.ts';
import type { Store } from '../store/types.ts';
import {
  triggerSupervisor,
  type DispatchNotice,
  type LogLevel,
  type TriggerSupervisor,
} from '../triggers/index.ts';

export interface TriggerRunnerOptions {
  store: Store;
  /** A connection's live context (the server's registry). */
  context: (connection: string) => Promise<ConnectorContext>;
  env: Record<string, string | undefined>;
  log: (line: string, level?: LogLevel) => void;
  /** The server's public URL: Stripe calls `<publicUrl>/webhooks/<connection>`. */
  publicUrl?: string;
  /** How often the store is checked for triggers changed elsewhere (default 2 s). */
  watchMs?: number;
  /** How long an idle dispatcher waits before it looks for work again (default 250 ms). */
  idleMs?: number;
  onNotice?: (notice: DispatchNotice) => void;
  /** Holder of its claims and leases (default host/pid/random; a cluster node passes its id). */
  worker?: string;
  /** Delivery claim lease (default 30 s; a cluster node passes its lease time). */
  leaseMs?: number;
}

export type ServerTriggerRunner = TriggerSupervisor;

export function serverTriggerRunner(opts: TriggerRunnerOptions): ServerTriggerRunner {
  const publicUrl = opts.publicUrl?.replace(/\/+$/, '');
  return triggerSupervisor({
    ...opts,
    context: async (connection) =>
      liveContext(await opts.context(connection), () => opts.context(connection)),
    webhookUrl: publicUrl
      ? (connection) => `${publicUrl}/webhooks/${encodeURIComponent(connection)}`
      : undefined,
  });
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
