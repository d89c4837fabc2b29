/**
 * Every route × every kind of token, generated from the server's own route table, so a route added
 * later is covered without a line here: no token → 401; a token below the route's scope → 403; a
 * token limited to a connection that is not the object's → 403 before the handler runs (so nothing
 * happens); the route's object is found through its own connection, never the shape of the path.
 */
import { describe, expect, it } from 'vitest';
import type { RouteInfo } from '../../src/server/app.ts';
import { useAttackedServer, type TokenName } from './support.ts';

const env = useAttackedServer();

const RANK = { read: 0, write: 1, admin: 2 } as const;

/** A path with its parameters filled by objects of connection `demo` (or of no connection). */
function pathOf(route: RouteInfo): string {
  return route.url
    .replace(
      ':name',
      route.owner === 'trigger' ? 'demo-trigger' : route.owner === 'server' ? 'my-billing' : 'demo',
    )
    .replace(':entity', 'Customer')
    .replace(':action', 'ConfirmPaymentIntent')
    .replace(':consumer', 'consumer-1')
    .replace(':id', /billing\/jobs/.test(route.url) ? '1' : 'cus_x')
    .replace(':connection', 'demo')
    .replace('*', 'x')
    .replace(/^\/mcp$/, '/mcp?connection=demo');
}

/** A body that passes the route's schema, so the authorization step is what answers. */
function bodyOf(route: RouteInfo): object | undefined {
  if (route.method === 'GET' || route.method === 'HEAD' || route.method === 'DELETE') return undefined;
  if (route.owner === 'trigger-input')
    return { name: 'demo-trigger', connection: 'demo', preset: 'customer-added', sink: 'stdout' };
  if (route.url.endsWith('/query') || route.url.endsWith('/explain'))
    return { sql: 'SELECT id FROM Customer' };
  if (route.url.endsWith('/execute')) return { operation: 'LIST', entity: 'Customer' };
  if (route.url.endsWith('/replay')) return { from: 0 };
  if (route.url === '/api/connections') return { name: 'made', apiKey: 'env:CLIENT_KEY' };
  if (route.url === '/api/billing/integrations')
    return { title: 'T', publishableKey: 'env:CLIENT_PK', secretKey: 'env:CLIENT_SK' };
  if (route.url.endsWith('/keys')) return { secretKey: 'env:CLIENT_SK' };
  if (route.url === '/api/billing/catalogs') return { name: 'c', kind: 'sandbox' };
  if (route.url.endsWith('/catalogs/:name/integrations')) return { integration: 'my-billing' };
  if (/catalogs\/:name\/(plan|apply)$/.test(route.url)) return { plan: { plans: [] } };
  if (route.url.endsWith('/subscriptions'))
    return { consumer: 'c', plan: 'p', email: 'a@b.c', card: 'pm_card_visa' };
  if (route.url.endsWith('/change-plan')) return { to: 'p' };
  if (route.url.startsWith('/mcp')) return { jsonrpc: '2.0', id: 1, method: 'tools/list' };
  return {};
}

const request = (route: RouteInfo, token?: TokenName) =>
  env.call(
    {
      method: route.method as 'GET',
      url: pathOf(route),
      ...(bodyOf(route) === undefined ? {} : { payload: bodyOf(route) }),
      headers: { accept: 'application/json, text/event-stream' },
    },
    token,
  );

const guarded = () => env.service.server.routes().filter((r) => r.access !== 'public' && r.method !== 'HEAD');

describe('the route × token matrix', () => {
  it('covers every route of the served server (the console, triggers, billing, MCP among them)', () => {
    const urls = new Set(guarded().map((r) => r.url));
    for (const url of ['/api/triggers/:name', '/api/billing/integrations/:name', '/mcp/:name', '/metrics'])
      expect(urls).toContain(url);
    expect(guarded().length).toBeGreaterThan(40);
  });

  it('answers 401 without a token on every route that is not public', async () => {
    const wrong: string[] = [];
    for (const route of guarded()) {
      const res = await request(route);
      if (res.statusCode !== 401) wrong.push(`${route.method} ${route.url}: ${res.statusCode}`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers 403 to a token below the route’s scope', async () => {
    const wrong: string[] = [];
    for (const route of guarded())
      for (const token of ['read', 'write'] as const) {
        if (RANK[token] >= RANK[route.access as keyof typeof RANK]) continue;
        const res = await request(route, token);
        if (res.statusCode !== 403 || res.json().error.code !== 'FORBIDDEN')
          wrong.push(`${route.method} ${route.url} as ${token}: ${res.statusCode}`);
      }
    expect(wrong).toEqual([]);
  });

  it('answers 403 to a token limited to another connection, on every route whose object has one', async () => {
    const wrong: string[] = [];
    for (const route of guarded()) {
      if (route.owner === 'none' || route.owner === 'filtered') continue;
      const token =
        route.access === 'admin' ? 'otherAdmin' : route.access === 'write' ? 'otherWrite' : 'otherRead';
      const res = await request(route, token);
      if (res.statusCode !== 403)
        wrong.push(`${route.method} ${route.url}: ${res.statusCode} ${res.body.slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
    // Nothing the refused calls asked for happened.
    expect(await env.service.store.triggers.get('demo-trigger')).toMatchObject({
      definition: expect.objectContaining({ sink: expect.stringMatching(/^file:.*demo\.ndjson$/) }),
    });
    expect(await env.service.server.ports.connections.get('made')).toBeUndefined();
  });

  it('authorizes a trigger through its own connection: a demo token may use demo’s, not shop’s', async () => {
    const own = await env.call({ url: '/api/triggers/demo-trigger' }, 'demoRead');
    expect(own.statusCode).toBe(200);
    const theirs = await env.call({ url: '/api/triggers/shop-trigger' }, 'demoRead');
    expect(theirs.statusCode).toBe(403);
    expect(theirs.json().error).toMatchObject({ code: 'FORBIDDEN', field: 'connection' });
    expect(theirs.json().error.message).toContain('"shop"');
    const missing = await env.call({ url: '/api/triggers/nope' }, 'demoRead');
    expect(missing.statusCode).toBe(404);
  });

  it('lists and streams only the rows of the token’s connections', async () => {
    const list = await env.call({ url: '/api/triggers' }, 'demoRead');
    expect(list.json().data.map((t: { name: string }) => t.name)).toEqual(['demo-trigger']);
    const none = await env.call({ url: '/api/triggers' }, 'otherRead');
    expect(none.json().data).toEqual([]);
    const connections = await env.call({ url: '/api/connections' }, 'demoRead');
    expect(connections.json().data.map((c: { name: string }) => c.name)).toEqual(['demo']);
  });
});
