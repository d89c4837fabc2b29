/**
 * Assembles the HTTP server: logging and request ids, security headers, CORS (off unless
 * configured), auth, per-token rate limits, the OpenAPI document and its offline UI, the route
 * groups, one error format, and a shutdown that drains in-flight requests and closes the gateways.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { DestinationStream, LevelWithSilent } from 'pino';
import { loadCatalog, type StripeCatalog } from '../catalog/index.ts';
import type { GatewayOptions } from '../gateway/index.ts';
import { installAuth } from './auth.ts';
import { ServerError } from './codes.ts';
import { parseServerConfig, type ServerConfig, type ServerConfigInput } from './config.ts';
import { installErrorHandling } from './errors.ts';
import { createServerLogger } from './logging.ts';
import { createInMemoryPorts } from './memory.ts';
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
}

export interface Server {
  app: FastifyInstance;
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
  });
  const state: ServerState = {
    ports,
    registry,
    catalog,
    metrics: new RequestMetrics(),
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
  });
  installErrorHandling(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    state.metrics.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode },
      reply.elapsedTime / 1000,
    );
  });

  // HSTS and upgrade-insecure-requests belong to the TLS front (a proxy) when there is one: on the
  // default plain-HTTP listener they would make browsers fetch the docs' assets over https.
  await app.register(helmet, {
    hsts: false,
    contentSecurityPolicy: {
      directives: {
        upgradeInsecureRequests: null,
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
      },
    },
  });
  if (config.cors) await app.register(cors, { origin: config.cors.origins });
  installAuth(app, ports.tokens);
  await app.register(rateLimit, {
    global: true,
    // After auth (onRequest), so the key is the token, not the address a proxy shares.
    hook: 'preHandler',
    max: config.limits.rateLimit.max,
    timeWindow: config.limits.rateLimit.windowMs,
    keyGenerator: (request) => request.token?.id ?? request.ip,
    errorResponseBuilder: (_request, context) =>
      new ServerError('RATE_LIMITED', `too many requests: at most ${context.max} per ${context.after}`),
  });
  await registerDocs(app);

  for (const routes of [
    healthRoutes,
    connectionRoutes,
    catalogRoutes,
    entityRoutes,
    queryRoutes,
    actionRoutes,
    executeRoutes,
  ])
    await app.register(routes(state));

  // Answers that finish during shutdown close their connection: a kept-alive socket would hold
  // the listener open until its keep-alive timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onClose', async () => {
    await registry.close();
    await ports.close?.();
  });
  await app.ready();
  const grace = options.shutdownGraceMs ?? 10_000;
  const close = async () => {
    const cut = setTimeout(() => app.server.closeAllConnections(), grace);
    try {
      await app.close();
    } finally {
      clearTimeout(cut);
    }
  };
  return { app, config, ports, registry, close };
}

/** The OpenAPI document from the route schemas (/openapi.json) and the bundled UI (/docs). */
async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'stripe-connector',
        version: '0.1.0',
        description:
          'Stripe entities, queries and actions over HTTP. Errors: { error: { code, message, field?, position?, request_id } }.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token (sct_…)' } },
      },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  // The UI and its assets carry no data; the document describes the API, not an account.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...route.config, access: 'public' };
  });
  // Served from the package's own copy of swagger-ui: nothing is fetched from a CDN.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { validatorUrl: null, deepLinking: true },
    uiHooks: {},
    staticCSP: false,
    logo: null,
  } as any);
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
}
