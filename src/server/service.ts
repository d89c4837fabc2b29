/**
 * The server as a long-running service (what `serve` and `npm start` run): the store opened from
 * the flags or the config (SQLite in the data directory by default, PostgreSQL by URL), the ports
 * on it, the config's connections, the first admin token, and a listener whose busy port is said
 * in words. Stopping it stops accepting, lets in-flight requests finish, closes the gateways and
 * then the store (Server.close does it in that order). The server runs the store's triggers
 * (triggers.ts) unless told not to; they stop when it closes, before the store does.
 */
import type { ConnectionFileInput } from '../connection/index.ts';
import { consolePlugin } from '../console/index.ts';
import { ConnectorError } from '../errors.ts';
import { listenError, type Service } from '../lifecycle.ts';
import { STORE_ENV } from '../gateway/budget-store.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import type { ServerOptions, ServerPlugin } from './app.ts';
import { loadServerConfig, parseServerConfig, type ServerConfig, type ServerConfigInput } from './config.ts';
import { startServer, type RunningServer } from './index.ts';
import { clusterNode, type ClusterNode } from './cluster.ts';
import { billingRoutes } from './routes/billing.ts';
import { billingRunner } from './billing-runner.ts';
import { storePorts } from './store-ports.ts';
import { ensureAdminToken } from './tokens.ts';
import type { ServerTriggerRunner } from './trigger-runner.ts';
import { serverTriggers } from './triggers.ts';

export interface ServiceOptions {
  /** --config FILE (YAML/JSON); without it every default applies. */
  configFile?: string;
  /** The same as an object, when there is no file (a library user's, a test's). */
  config?: ServerConfigInput;
  /** The flags override the config's listen address and store. */
  host?: string;
  port?: number;
  dataDir?: string;
  storeUrl?: string;
  /** Connections added to (or replacing same-named ones of) the config's: npm start's `demo`. */
  connections?: ConnectionFileInput[];
  /**
   * More of the host granted to clients of the API, added to the config's: npm start lets the
   * console make connections to its emulator and triggers that write to its data directory.
   */
  grants?: {
    env?: string[];
    baseUrls?: string[];
    destinations?: ServerConfig['destinations'];
  };
  env?: Record<string, string | undefined>;
  plugins?: ServerPlugin[];
  log?: ServerOptions['log'];
  shutdownGraceMs?: number;
  /** Mints the token printed at start-up; default: the first admin token, only on the first start. */
  firstToken?: (store: Store) => Promise<string | null>;
  /**
   * Runs once the server listens, before start-up is reported: what needs the running server and
   * its store (npm start's demo trigger, once the trigger engine is on main). A failure stops it.
   */
  afterStart?: (started: StartedService) => Promise<void>;
  /** false: serve the trigger routes only, run no trigger here (default: run them). */
  runTriggers?: boolean;
  /** `--public-url` (else the config's): where Stripe calls `/webhooks/<connection>`. */
  publicUrl?: string;
  /** How often the store is checked for triggers changed elsewhere (default 2 s). */
  triggerWatchMs?: number;
}

export interface StartedService {
  server: RunningServer;
  store: Store;
  config: ServerConfig;
  /** The token to print (shown once), or null when one existed already. */
  token: string | null;
  /** The trigger runner (absent with `runTriggers: false`). */
  triggers?: ServerTriggerRunner;
  /** On a PostgreSQL store: this node (its id and lease time for whatever runs work under leases). */
  cluster?: ClusterNode;
}

/**
 * The store URL from the flag, the config, else STRIPE_CONNECTOR_STORE (unless a data directory was
 * chosen: a node's unit file can set the store once for every command); a config may hold it as an
 * `env:` reference.
 */
function storeUrl(options: ServiceOptions, config: ServerConfig, env: Record<string, string | undefined>) {
  const dirChosen = options.dataDir ?? config.dataDir;
  const given = options.storeUrl ?? config.storeUrl ?? (dirChosen ? undefined : env[STORE_ENV] || undefined);
  if (!given?.startsWith('env:')) return given;
  const value = env[given.slice(4)];
  if (!value)
    throw new ConnectorError(
      'SECRET_UNRESOLVED',
      `storeUrl: environment variable ${given.slice(4)} is not set`,
      {
        field: 'storeUrl',
      },
    );
  return value;
}

export function loadServiceConfig(options: ServiceOptions): ServerConfig {
  const config = options.configFile
    ? loadServerConfig(options.configFile)
    : parseServerConfig(options.config ?? {});
  if (options.dataDir && options.storeUrl)
    throw new ConnectorError('INVALID_ARGUMENT', '--data-dir and --store conflict: give only one', {
      field: '--store',
    });
  const grants = options.grants ?? {};
  const granted: ServerConfig = {
    ...config,
    api: {
      ...config.api,
      secrets: { ...config.api.secrets, env: [...config.api.secrets.env, ...(grants.env ?? [])] },
      baseUrls: [...config.api.baseUrls, ...(grants.baseUrls ?? [])],
    },
    destinations: { ...grants.destinations, ...config.destinations },
  };
  if (!options.connections?.length) return granted;
  const extra = parseServerConfig({ connections: options.connections }).connections;
  const names = new Set(extra.map((c) => String(c.definition.name)));
  return {
    ...granted,
    connections: [...config.connections.filter((c) => !names.has(String(c.definition.name))), ...extra],
  };
}

export async function startService(options: ServiceOptions): Promise<StartedService> {
  const env = options.env ?? process.env;
  const config = loadServiceConfig(options);
  const url = storeUrl(options, config, env);
  const store = await openStore({ url, dataDir: options.dataDir ?? (url ? undefined : config.dataDir), env });
  let server: RunningServer | undefined;
  let cluster: ClusterNode | undefined;
  try {
    cluster = clusterNode(store, url, config.cluster, (line) => server?.app.log.warn(line));
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  const triggers = serverTriggers({
    store,
    env,
    run: options.runTriggers,
    publicUrl: options.publicUrl ?? config.publicUrl,
    watchMs: options.triggerWatchMs,
    ...cluster?.runnerOptions,
  });
  const host = options.host ?? config.listen.host;
  const port = options.port ?? config.listen.port;
  try {
    // The server closes the ports, and so the store, when it closes.
    server = await startServer({
      config,
      ports: cluster ? cluster.ports(storePorts(store)) : storePorts(store),
      ...(cluster ? { gatewayOptions: cluster.gatewayOptions } : {}),
      env,
      host,
      port,
      // The web console is part of every server (at `/` and `/console/*`).
      plugins: [
        consolePlugin(),
        ...triggers.plugins,
        // Billing routes enqueue; the runner works the billing jobs off in this process.
        billingRoutes({ store }),
        billingRunner({
          store,
          ...(cluster ? { leaseMs: cluster.leaseMs, gateway: cluster.gatewayOptions } : {}),
        }),
        ...(options.plugins ?? []),
      ],
      log: options.log,
      shutdownGraceMs: options.shutdownGraceMs,
      baseDir: process.cwd(),
    });
  } catch (error) {
    await cluster?.stop();
    await store.close().catch(() => {});
    throw listenError(error, { port, host });
  }
  try {
    // Joins once listening (not ready until then); beyond maxNodes it refuses and the server stops.
    await cluster?.start(
      () => server?.registry,
      () => ({ url: server?.url }),
    );
    const mint =
      options.firstToken ?? (async (s: Store) => (await ensureAdminToken(s.tokens))?.token ?? null);
    const started = {
      server,
      store,
      config,
      token: await mint(store),
      triggers: triggers.runner,
      ...(cluster ? { cluster } : {}),
    };
    await options.afterStart?.(started);
    // After afterStart, so that what it adds (npm start's demo trigger) runs from the start.
    await triggers.start();
    return started;
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** startService as a lifecycle Service (runUntilSignal starts and stops it). */
export function serverService(options: ServiceOptions, onStart: (started: StartedService) => void): Service {
  let started: StartedService | undefined;
  return {
    name: 'server',
    async start() {
      started = await startService(options);
      onStart(started);
    },
    stop: async () => started?.server.close(),
  };
}
