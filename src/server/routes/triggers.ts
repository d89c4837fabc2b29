/**
 * Triggers over HTTP: the trigger service (triggers/service.ts) on the server's store — list with
 * status, show, add (a definition as `trigger add` takes it, `preset` included), remove, status,
 * deliveries, dead letters, redeliver, replay — and a stream of status rows (SSE) for the console.
 * `onChange` is told after an add, a removal runs inside `around` (the server's runner restarts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ConnectorError } from '../../errors.ts';
import type { Store } from '../../store/types.ts';
import {
  clientView,
  saveDestinations,
  TriggerService,
  type ClientLimits,
  type DeliveryPage,
  type TriggerInput,
} from '../../triggers/index.ts';
import { parseDuration } from '../../triggers/duration.ts';
import type { ServerPlugin } from '../app.ts';
import { visibleTo } from '../auth.ts';
import type { ServerConfig } from '../config.ts';
import { eventStream } from '../event-stream.ts';
import { anyObject, bearer, errorResponses, nameParam } from '../schemas.ts';

export interface TriggerRoutesOptions {
  store: Store;
  onChange?: () => Promise<void> | void;
  /** Runs the removal of trigger `name` with its runner stopped (default: just runs it). */
  around?: <T>(name: string, change: () => Promise<T>) => Promise<T>;
  /** How often the event stream looks for changed rows (default 1 s). */
  streamIntervalMs?: number;
  /** Where an http sink's `env:` secret is read to be checked at add (the server's environment). */
  env?: Record<string, string | undefined>;
}

const tags = ['triggers'];
const triggerParam = { ...nameParam, description: 'trigger name' } as const;
const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: triggerParam },
  additionalProperties: false,
} as const;
const deliveryParams = {
  type: 'object',
  required: ['name', 'id'],
  properties: { name: triggerParam, id: { type: 'string', minLength: 1, maxLength: 200 } },
  additionalProperties: false,
} as const;
const rows = { type: 'object', properties: { data: { type: 'array', items: anyObject } } } as const;
const instant = { anyOf: [{ type: 'string', minLength: 1 }, { type: 'number' }] } as const;
/** A page cursor: a delivery's seq, or its id. */
const cursor = {
  type: 'string',
  pattern: '^(\\d{1,15}|dlv_[A-Za-z0-9_-]{1,64})$',
  description: "a delivery's seq or id: the page's last for the next older page (before)",
} as const;
const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  before: cursor,
  after: cursor,
  order: { type: 'string', enum: ['desc', 'asc'], default: 'desc' },
} as const;

type Named = FastifyRequest<{ Params: { name: string } }>;

/** Epoch seconds from an ISO time or a number (epoch seconds, or milliseconds when that large). */
export function epochSeconds(value: string | number, field: string): number {
  const ms = typeof value === 'number' ? (value > 1e11 ? value : value * 1000) : Date.parse(value);
  if (!Number.isFinite(ms))
    throw new ConnectorError(
      'INVALID_ARGUMENT',
      `${field} must be an ISO time or epoch seconds, got "${value}"`,
      {
        field,
      },
    );
  return Math.floor(ms / 1000);
}

/** What the operator lets a client of the API make (config `destinations`, `api.triggers`). */
function clientLimits(config: ServerConfig): ClientLimits {
  return {
    destinations: Object.fromEntries(
      Object.entries(config.destinations).map(([name, d]) => [name, { ...d, baseDir: config.baseDir }]),
    ),
    perConnection: config.api.triggers.perConnection,
    minIntervalMs: parseDuration(config.api.triggers.minInterval) as number,
  };
}

/** The connection a stored trigger belongs to. */
async function connectionOf(store: Store, name: string): Promise<string | undefined> {
  const row = await store.triggers.get<TriggerInput>(name);
  return row && (row.definition.connection ?? 'default');
}

export function triggerRoutes(opts: TriggerRoutesOptions): ServerPlugin {
  return async (app, { state }) => {
    const service = new TriggerService(opts.store, state.catalog, opts.env);
    const limits = clientLimits(state.config);
    // Every runner on this store (here, or `trigger run` elsewhere) resolves destinations from it.
    await saveDestinations(opts.store, limits.destinations);
    // The object of `/api/triggers/:name…` is the trigger: its own connection is what the token
    // must be allowed; a new one's is in the body, and a replaced one's counts too.
    state.owners.register('trigger', async (request) => {
      const name = (request.params as { name: string }).name;
      const connection = await connectionOf(opts.store, name);
      if (connection === undefined)
        throw new ConnectorError('NOT_FOUND', `no trigger named "${name}"`, { field: 'name' });
      return [connection];
    });
    state.owners.register('trigger-input', async (request) => {
      const body = request.body as { name: string; connection?: string };
      const replaced = await connectionOf(opts.store, body.name);
      return [body.connection ?? 'default', ...(replaced === undefined ? [] : [replaced])];
    });
    const read = (summary: string, params: object = nameParams) => ({
      config: { access: 'read' as const, owner: 'trigger' as const },
      schema: { tags, summary, security: bearer, params, response: { 200: anyObject, ...errorResponses } },
    });

    app.get('/api/triggers', {
      config: { access: 'read', owner: 'filtered' },
      schema: {
        tags,
        summary: 'Every trigger with its status (checkpoint, lag, pending, delivered, failed, dead)',
        security: bearer,
        response: { 200: rows, ...errorResponses },
      },
      handler: async (request) => ({
        data: (await service.status()).filter((s) => visibleTo(request, s.connection)),
      }),
    });

    app.get('/api/triggers/:name', {
      ...read('Show a trigger: its definition, when it was made and changed'),
      handler: async (request: Named) => clientView(await service.show(request.params.name)),
    });

    app.get('/api/triggers/:name/status', {
      ...read('The status of one trigger'),
      handler: async (request: Named) => (await service.status(request.params.name))[0],
    });

    app.get('/api/triggers/:name/deliveries', {
      config: { access: 'read', owner: 'trigger' },
      schema: {
        tags,
        summary:
          'Deliveries of a trigger, newest first (order=asc: oldest first), a page before/after a cursor',
        security: bearer,
        params: nameParams,
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: ['pending', 'running', 'delivered', 'dead', 'discarded'] },
            ...pageQuery,
          },
          additionalProperties: false,
        },
        response: { 200: rows, ...errorResponses },
      },
      handler: async (request: FastifyRequest<{ Params: { name: string }; Querystring: DeliveryPage }>) => {
        return { data: await service.deliveries(request.params.name, request.query) };
      },
    });

    app.get('/api/triggers/:name/dead-letters', {
      ...read('Dead letters of a trigger'),
      schema: {
        ...read('').schema,
        summary:
          'Dead letters of a trigger, newest first (order=asc: oldest first), a page before/after a cursor',
        querystring: { type: 'object', properties: pageQuery, additionalProperties: false },
        response: { 200: rows, ...errorResponses },
      },
      handler: async (request: FastifyRequest<{ Params: { name: string }; Querystring: DeliveryPage }>) => {
        return { data: await service.deadLetters(request.params.name, request.query) };
      },
    });

    writeRoutes(app, service, opts, limits);
    statusStream(app, service, opts.streamIntervalMs ?? 1000);
  };
}

/** The routes that change triggers (write scope). */
function writeRoutes(
  app: FastifyInstance,
  service: TriggerService,
  opts: TriggerRoutesOptions,
  limits: ClientLimits,
) {
  // Not awaited: a restart drains in-flight deliveries, which may take a while; it logs its own failures.
  const changed = () => void opts.onChange?.();
  const schema = (summary: string, params: object = nameParams) => ({
    tags,
    summary,
    security: bearer,
    params,
    response: { 200: anyObject, ...errorResponses },
  });
  app.post('/api/triggers', {
    config: { access: 'write', owner: 'trigger-input' },
    schema: {
      tags,
      summary: 'Add or replace a trigger (the definition `trigger add` takes, `preset` included)',
      security: bearer,
      body: { ...anyObject, required: ['name'] },
      response: { 201: anyObject, ...errorResponses },
    },
    handler: async (
      request: FastifyRequest<{ Body: Partial<TriggerInput> & { preset?: string } }>,
      reply,
    ) => {
      const record = clientView(await service.add(request.body, { client: limits }));
      changed();
      return reply.code(201).send(record);
    },
  });

  app.delete('/api/triggers/:name', {
    config: { access: 'write', owner: 'trigger' },
    schema: schema('Remove a trigger (its delivery history stays)'),
    handler: async (request: Named) => {
      const remove = () => service.remove(request.params.name);
      const result = await (opts.around ? opts.around(request.params.name, remove) : remove());
      return { name: request.params.name, ...result };
    },
  });

  app.post('/api/triggers/:name/replay', {
    config: { access: 'write', owner: 'trigger' },
    schema: {
      ...schema('Deliver again every finished delivery whose event was created in [from, to)'),
      body: {
        type: 'object',
        required: ['from'],
        properties: { from: instant, to: instant },
        additionalProperties: false,
      },
    },
    handler: async (
      request: FastifyRequest<{
        Params: { name: string };
        Body: { from: string | number; to?: string | number };
      }>,
    ) => {
      const { from, to } = request.body;
      const window = {
        from: epochSeconds(from, 'from'),
        to: to === undefined ? Math.ceil(opts.store.now() / 1000) + 1 : epochSeconds(to, 'to'),
      };
      return service.replay(request.params.name, window);
    },
  });

  app.post('/api/triggers/:name/dead-letters/:id/redeliver', {
    config: { access: 'write', owner: 'trigger' },
    schema: schema('Queue a dead (or delivered) delivery again under its delivery id', deliveryParams),
    handler: async (request: FastifyRequest<{ Params: { name: string; id: string } }>) => {
      return service.redeliver(request.params.name, request.params.id);
    },
  });
}

/** SSE: every status row once, then each row again whenever it changed; ends when the client goes. */
function statusStream(app: FastifyInstance, service: TriggerService, intervalMs: number) {
  const schema = {
    tags,
    summary: 'Trigger status rows as server-sent events, sent when one changes',
    security: bearer,
  };
  eventStream(
    app,
    '/api/triggers/events',
    { schema, owner: 'filtered' },
    intervalMs,
    async (send, request) => {
      for (const status of await service.status())
        if (visibleTo(request, status.connection)) send('trigger', status.name, status);
    },
  );
}
