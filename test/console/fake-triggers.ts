/**
 * The /api/triggers routes as the console expects them, kept in memory, for the browser journey
 * until the trigger service's routes land: list, add, remove, deliveries, dead letters with
 * redeliver, replay, and the server-sent event stream the page listens to.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { ConnectorError } from '../../src/errors.ts';

interface Trigger {
  name: string;
  source: string;
  state: string;
  checkpoint: string | null;
  lag: number;
  pending: number;
  delivered: number;
  failed: number;
  dead: number;
}

export function fakeTriggerRoutes() {
  const triggers = new Map<string, Trigger>();
  const deliveries = new Map<string, Array<Record<string, unknown>>>();
  const deadLetters = new Map<string, Array<Record<string, unknown>>>();
  const clients = new Set<ServerResponse>();
  const redelivered: string[] = [];
  const replays: Array<{ name: string; from: string }> = [];
  let listCalls = 0;

  const send = (event: string, data: unknown) => {
    for (const c of clients) c.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const found = (name: string) => {
    const t = triggers.get(name);
    if (!t) throw new ConnectorError('NOT_FOUND', `no trigger ${name}`);
    return t;
  };
  type Named = FastifyRequest<{ Params: { name: string; id: string }; Body: Record<string, string> }>;

  const plugin = async (app: FastifyInstance) => {
    const read = { config: { access: 'read' as const } };
    const admin = { config: { access: 'admin' as const } };
    app.get('/api/triggers', read, async () => {
      listCalls++;
      return { data: [...triggers.values()] };
    });
    app.post('/api/triggers', admin, async (request: Named, reply: FastifyReply) => {
      const { name, source } = request.body;
      const t = {
        name,
        source,
        state: 'running',
        checkpoint: null,
        lag: 0,
        pending: 0,
        delivered: 0,
        failed: 0,
        dead: 0,
      };
      triggers.set(name, t);
      deliveries.set(name, []);
      deadLetters.set(name, []);
      send('trigger', t);
      return reply.code(201).send(t);
    });
    app.delete('/api/triggers/:name', admin, async (request: Named) => {
      triggers.delete(found(request.params.name).name);
      send('removed', { name: request.params.name });
      return { name: request.params.name, deleted: true };
    });
    app.get('/api/triggers/:name/deliveries', read, async (request: Named) => ({
      data: deliveries.get(found(request.params.name).name),
    }));
    app.get('/api/triggers/:name/dead-letters', read, async (request: Named) => ({
      data: deadLetters.get(found(request.params.name).name),
    }));
    app.post('/api/triggers/:name/dead-letters/:id/redeliver', admin, async (request: Named) => {
      redelivered.push(request.params.id);
      return { id: request.params.id, redelivered: true };
    });
    app.post('/api/triggers/:name/replay', admin, async (request: Named) => {
      replays.push({ name: request.params.name, from: request.body.from });
      return { name: request.params.name, from: request.body.from };
    });
    app.get('/api/triggers/events', read, async (_request, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      reply.raw.write(': connected\n\n');
      clients.add(reply.raw);
      reply.raw.on('close', () => clients.delete(reply.raw));
    });
  };

  return {
    plugin,
    redelivered,
    replays,
    /** How often the page read the list (the event stream replaces polling). */
    polls: () => listCalls,
    /** The service delivered (or gave up on) an event: counters, a delivery, maybe a dead letter. */
    deliver(name: string, event: string, status: 'delivered' | 'failed' | 'dead') {
      const t = found(name);
      t[status]++;
      t.checkpoint = event;
      deliveries
        .get(name)!
        .unshift({ id: `dlv_${event}`, event, status, attempts: 1, at: new Date().toISOString() });
      if (status === 'dead')
        deadLetters.get(name)!.push({ id: `dl_${event}`, event, error: 'the endpoint answered 500' });
      send('trigger', t);
      send('delivery', { trigger: name, event, status });
    },
  };
}
