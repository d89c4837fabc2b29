/**
 * Assembles the HTTP server: logging and request ids, metrics, security (security.ts), the OpenAPI
 * document and its offline UI (docs.ts), the route groups, one error format (errors.ts), and a
 * shutdown that drains in-flight requests and closes the gateways (shutdown.ts).
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { DestinationStream, LevelWithSilent } from 'pino';
import { loadCatalog, type StripeCatalog } from '../catalog/index.ts';
import type { GatewayOptions } from '../gateway/index.ts';
import { parseServerConfig, type ServerConfig, type ServerConfigInput } from './config.ts';
import { OwnerResolvers, type Access, type Owner } from './auth.ts';
import { registerDocs } from './docs.ts';
import { frameworkError, installErrorHandling } from './errors.ts';
import { registerSecurity } from './security.ts';
import { installShutdown } from './shutdown.ts';
import { installWellFormedCheck } from './well-formed.ts';
import { createServerLogger } from './logging.ts';
import { createInMemoryPorts } from './memory.ts';
import { connectionOwner } from './owners.ts';
import { RequestMetrics } from './metrics.ts';
import type { ServerPorts } from './ports.ts';
import { ConnectionRegistry } from './registry.ts';
import type { ServerState } from './state.ts';
import { actionRoutes } from './routes/actions.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { connectionRoutes } from './routes/connections.ts';
import { entityRoutes } from './routes/entities.ts';
import { executeRoutes } from './routes/execute.ts';
import { healthRoutes } from './routes/health.ts';
import { mcpRoutes } from './routes/mcp.ts';
import { queryRoutes } from './routes/query.ts';

export interface ServerOptions {
  /** A parsed config (loadServerConfig) or the same as an object; default: all defaults. */
  config?: ServerConfig | ServerConfigInput;
  /** Persistence; default: in memory (nothing survives a restart). */
  ports?: ServerPorts;
  /** Where `env:` references of connections are read (default process.env). */
  env?: Record<string, string | undefined>;
  /** Folder for relative `file:` references of connections created by the API (default cwd). */
  baseDir?: string;
  catalog?: StripeCatalog;
  log?: { level?: LevelWithSilent; stream?: DestinationStream };
  /** Passed to every connection's gateway (tests shorten the backoff). */
  gatewayOptions?: GatewayOptions;
  /**
   * How long close() lets in-flight requests finish before it cuts their connections (a client
   * that stopped reading a stream would otherwise hold the shutdown forever). Default 10 s.
   */
  shutdownGraceMs?: number;
  /**
   * Extra route groups registered after the built-in ones, each given `{ state }` as its options:
   * the web console (at `/` and `/console/*`, which the built-in routes leave free), the trigger
   * routes (`/api/triggers…`, `/webhooks/{connection}`). Each route says who may call it in
   * `config.access` ('public' | 'read' | 'write' | 'admin'); a route that says nothing needs admin.
   * A plugin that holds resources releases them in an `onClose` hook (run on graceful shutdown).
   */
  plugins?: ServerPlugin[];
}

export interface ServerPluginOptions {
  state: ServerState;
}

export type ServerPlugin = FastifyPluginAsync<ServerPluginOptions>;

/** A route as registered: what it needs (auth.ts) — the security tests walk every one. */
export interface RouteInfo {
  method: string;
  url: string;
  access: Access;
  owner: Owner;
}

export interface Server {
  app: FastifyInstance;
  /** Every route with its access and owner (a route that says nothing: admin, the whole server). */
  routes(): RouteInfo[];
  config: ServerConfig;
  ports: ServerPorts;
  registry: ConnectionRegistry;
  /** Stops accepting, lets in-flight requests finish, closes the gateways and the ports. */
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

function isParsed(config: ServerConfig | ServerConfigInput | undefined): config is ServerConfig {
  return Boolean(
    config &&
    (config as ServerConfig).listen &&
    Array.isArray(config.connections) &&
    config.connections.every((c) => 'definition' in (c as object)),
  );
}

export async function createServer(options: ServerOptions = {}): Promise<Server> {
  const config = isParsed(options.config) ? options.config : parseServerConfig(options.config ?? {});
  const ports = options.ports ?? createInMemoryPorts();
  const catalog = options.catalog ?? loadCatalog();
  const env = options.env ?? process.env;
  const { logger } = createServerLogger(options.log);
  const registry = new ConnectionRegistry({
    repo: ports.connections,
    catalog,
    env,
    gatewayOptions: options.gatewayOptions,
    // The gateway's lines (retries, and traffic at verbosity ≥ 3) join the server's log.
    logSink: (connection) => (line) => logger.info({ connection, source: 'gateway' }, line),
  });
  const state: ServerState = {
    config,
    ports,
    registry,
    catalog,
    metrics: new RequestMetrics(),
    metricSources: [],
    owners: new OwnerResolvers(),
    env,
    baseDir: options.baseDir ?? process.cwd(),
  };

  for (const c of config.connections)
    await ports.connections.put({
      name: String(c.definition.name),
      definition: c.definition,
      origin: c.origin,
      baseDir: c.baseDir,
    });

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.limits.bodyBytes,
    // A client's own id is kept when it is a plain token (it ends up in logs); otherwise ours.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : `req_${randomUUID()}`;
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    return503OnClosing: true,
    frameworkErrors: frameworkError,
  });
  const routes: Array<{
    method: string | string[];
    url: string;
    config?: { access?: Access; owner?: Owner };
  }> = [];
  app.addHook('onRoute', (route) => void routes.push(route));
  installErrorHandling(app);
  installWellFormedCheck(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    state.metrics.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode },
      reply.elapsedTime / 1000,
    );
  });

  state.owners.register('connection', connectionOwner(state));
  await registerSecurity(app, config, ports.tokens, state.owners);
  await registerDocs(app);

  for (const routes of [
    healthRoutes,
    connectionRoutes,
    catalogRoutes,
    entityRoutes,
    queryRoutes,
    actionRoutes,
    executeRoutes,
    mcpRoutes,
  ])
    await app.register(routes(state));
  for (const plugin of options.plugins ?? []) await app.register(plugin, { state });

  const close = installShutdown(app, options.shutdownGraceMs ?? 10_000, async () => {
    await registry.close();
    await ports.close?.();
  });
  await app.ready();
  const routeInfo = () =>
    routes.flatMap((r) =>
      [r.method].flat().map((method) => ({
        method,
        url: r.url,
        access: r.config?.access ?? 'admin',
        owner: r.config?.owner ?? (r.config?.access === 'public' ? 'none' : 'server'),
      })),
    );
  return { app, routes: routeInfo, config, ports, registry, close };
}
