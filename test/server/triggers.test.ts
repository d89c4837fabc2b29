/**
 * The trigger routes (on a server over a SQLite store, no runner), and the runner inside a started
 * service: a trigger added through the API delivers a new customer from the emulator.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { issueToken, startServer, storePorts, type RunningServer } from '../../src/server/index.ts';
import { triggerRoutes } from '../../src/server/routes/triggers.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import type { InboxEvent } from '../../src/triggers/ports.ts';
import { storePorts as triggerPorts } from '../../src/triggers/store/ports.ts';
import { API_KEY } from './support.ts';

let emulator: Emulator;
let server: RunningServer;
let store: Store;
const dir = mkdtempSync(join(tmpdir(), 'server-triggers-'));
const tokens = { read: '', write: '', admin: '' };
const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const inject = (opts: InjectOptions) => server.app.inject(opts);
const connections = () => [{ name: 'demo', apiKey: 'env:K', baseUrl: emulator.url }];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, randomSeed: 3 });
  store = await openStore({ dataDir: join(dir, 'routes') });
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    config: { connections: connections(), api: { triggers: { minInterval: '1s' } } },
    ports: storePorts(store),
    env: { K: API_KEY },
    log: { level: 'silent' },
    plugins: [triggerRoutes({ store, streamIntervalMs: 50 })],
  });
  for (const scope of ['read', 'write', 'admin'] as const)
    tokens[scope] = (await issueToken(server.ports.tokens, { scopes: [scope] })).token;
});

afterAll(async () => {
  await server?.close();
  await emulator?.close();
});

const add = (payload: object, token = tokens.write) =>
  inject({ method: 'POST', url: '/api/triggers', headers: auth(token), payload });

describe('trigger routes', () => {
  it('adds from a preset, lists with status, shows, and removes', async () => {
    const created = await add({
      name: 'listed',
      preset: 'customer-added',
      connection: 'demo',
      sink: 'stdout',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      name: 'listed',
      definition: { preset: 'customer-added', source: 'events', events: ['customer.created'] },
    });
    const list = await inject({ url: '/api/triggers', headers: auth(tokens.read) });
    expect(list.statusCode).toBe(200);
    expect(list.json().data).toContainEqual(
      expect.objectContaining({ name: 'listed', source: 'events', state: 'active', pending: 0, dead: 0 }),
    );
    const shown = await inject({ url: '/api/triggers/listed', headers: auth(tokens.read) });
    expect(shown.json().definition.sink).toBe('stdout');
    const status = await inject({ url: '/api/triggers/listed/status', headers: auth(tokens.read) });
    expect(status.json()).toMatchObject({ name: 'listed', delivered: 0, failed: 0, lag: 0 });
    for (const path of ['deliveries', 'dead-letters']) {
      const res = await inject({ url: `/api/triggers/listed/${path}`, headers: auth(tokens.read) });
      expect(res.json()).toEqual({ data: [] });
    }
    const removed = await inject({
      method: 'DELETE',
      url: '/api/triggers/listed',
      headers: auth(tokens.write),
    });
    expect(removed.json()).toEqual({ name: 'listed', removed: true });
    const gone = await inject({ url: '/api/triggers/listed', headers: auth(tokens.read) });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error).toMatchObject({ code: 'NOT_FOUND', field: 'name' });
  });

  it('404 NOT_FOUND for an unknown trigger on every route that names one', async () => {
    const routes: InjectOptions[] = [
      { url: '/api/triggers/nope' },
      { url: '/api/triggers/nope/status' },
      { url: '/api/triggers/nope/deliveries' },
      { url: '/api/triggers/nope/dead-letters' },
      { method: 'DELETE', url: '/api/triggers/nope' },
      { method: 'POST', url: '/api/triggers/nope/replay', payload: { from: 0 } },
      { method: 'POST', url: '/api/triggers/nope/dead-letters/1/redeliver' },
    ];
    for (const route of routes) {
      const res = await inject({ ...route, headers: auth(tokens.admin) });
      expect(res.statusCode, String(route.url)).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
  });

  it('refuses a bad definition naming the key, and a bad replay time', async () => {
    const bad = await add({ name: 'bad', source: 'events', events: ['customer.created'], sink: 'nowhere:x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_ARGUMENT');
    expect(bad.json().error.message).toContain('sink');
    await add({
      name: 'replayed',
      preset: 'customer-added',
      connection: 'demo',
      interval: '1s',
      sink: 'stdout',
    });
    const when = await inject({
      method: 'POST',
      url: '/api/triggers/replayed/replay',
      headers: auth(tokens.write),
      payload: { from: 'yesterday-ish' },
    });
    expect(when.statusCode).toBe(400);
    expect(when.json().error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'from' });
    const ok = await inject({
      method: 'POST',
      url: '/api/triggers/replayed/replay',
      headers: auth(tokens.write),
      payload: { from: '2020-01-01T00:00:00Z' },
    });
    expect(ok.json()).toEqual({ replayed: 0, ids: [] });
    await inject({ method: 'DELETE', url: '/api/triggers/replayed', headers: auth(tokens.write) });
  });

  it('lists deliveries and dead letters newest first, a page at a time before a cursor (seq or id)', async () => {
    await add({ name: 'paged', preset: 'customer-added', connection: 'demo', sink: 'stdout' });
    const ports = triggerPorts({ store, worker: 'test' });
    const events = Array.from({ length: 150 }, (_, i): InboxEvent => ({
      id: `evt_page_${i}`,
      type: 'customer.created',
      created: 1_700_000_000 + i,
      data: { object: { id: `cus_${i}` } },
      source: 'events',
    }));
    await ports.inbox.put('paged', events);
    await ports.close();
    const page = async (query = '', path = 'deliveries') => {
      const res = await inject({ url: `/api/triggers/paged/${path}${query}`, headers: auth(tokens.read) });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().data as Array<{ seq: number; id: string; eventId: string }>;
    };
    const newest = await page();
    expect(newest).toHaveLength(100);
    expect(newest[0].eventId).toBe('evt_page_149');
    expect(newest[99].eventId).toBe('evt_page_50');
    const older = await page(`?before=${newest[99].seq}`);
    expect(older.map((d) => d.eventId)).toEqual(
      events
        .slice(0, 50)
        .map((e) => e.id)
        .reverse(),
    );
    expect((await page(`?before=${newest[99].id}&limit=2`)).map((d) => d.eventId)).toEqual([
      'evt_page_49',
      'evt_page_48',
    ]);
    const oldest = await page(`?order=asc&limit=3&after=${older[49].seq}`);
    expect(oldest.map((d) => d.eventId)).toEqual(['evt_page_1', 'evt_page_2', 'evt_page_3']);
    const dead = await inject({
      url: '/api/triggers/paged/dead-letters?order=asc&limit=5',
      headers: auth(tokens.read),
    });
    expect(dead.json()).toEqual({ data: [] });
    for (const query of ['?before=yesterday', '?order=newest']) {
      const bad = await inject({ url: `/api/triggers/paged/deliveries${query}`, headers: auth(tokens.read) });
      expect(bad.statusCode, query).toBe(400);
    }
    await inject({ method: 'DELETE', url: '/api/triggers/paged', headers: auth(tokens.write) });
  });

  it('lists a malformed stored event (no created) instead of failing the whole list', async () => {
    await add({ name: 'odd-row', preset: 'customer-added', connection: 'demo', sink: 'stdout' });
    const ports = triggerPorts({ store, worker: 'test' });
    const odd = {
      id: 'evt_odd',
      type: 'customer.created',
      data: { object: { id: 'cus_1' } },
      source: 'webhook',
    };
    await ports.inbox.put('odd-row', [odd as unknown as InboxEvent]);
    await ports.close();
    const res = await inject({ url: '/api/triggers/odd-row/deliveries', headers: auth(tokens.read) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toMatchObject([{ eventId: 'evt_odd', eventCreated: null, status: 'pending' }]);
    const status = await inject({ url: '/api/triggers/odd-row/status', headers: auth(tokens.read) });
    expect(status.statusCode).toBe(200);
    await inject({ method: 'DELETE', url: '/api/triggers/odd-row', headers: auth(tokens.write) });
  });

  it('401 without a token, 403 for a read token on the writing routes', async () => {
    expect((await inject({ url: '/api/triggers' })).statusCode).toBe(401);
    expect((await inject({ url: '/api/triggers/events' })).statusCode).toBe(401);
    const denied = await add({ name: 'x', preset: 'customer-added', sink: 'stdout' }, tokens.read);
    expect(denied.statusCode).toBe(403);
    const del = await inject({ method: 'DELETE', url: '/api/triggers/x', headers: auth(tokens.read) });
    expect(del.statusCode).toBe(403);
  });

  it('streams status rows as server-sent events', async () => {
    await add({
      name: 'streamed',
      preset: 'customer-added',
      connection: 'demo',
      interval: '1s',
      sink: 'stdout',
    });
    const res = await fetch(`${server.url}/api/triggers/events`, { headers: auth(tokens.read) });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('\n\n')) text += (await reader.read()).value;
    await reader.cancel();
    const data = JSON.parse(/data: (.*)\n/.exec(text)![1]);
    expect(data).toMatchObject({ name: 'streamed', source: 'events', state: 'active', pending: 0 });
    await inject({ method: 'DELETE', url: '/api/triggers/streamed', headers: auth(tokens.write) });
  });
});
