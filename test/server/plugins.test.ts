/** Extra route groups (the web console, the trigger routes) plug in through createServer's `plugins`. */
import { describe, expect, it } from 'vitest';
import { createServer, issueToken, parseServerConfig, type ServerPlugin } from '../../src/server/index.ts';

describe('plugins', () => {
  it('are registered with the server state; their routes get auth, the error format and shutdown', async () => {
    let closed = false;
    const consolePlugin: ServerPlugin = async (app, { state }) => {
      app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (_r, reply) =>
        reply.type('text/html').send('<h1>console</h1>'),
      );
      app.get('/console/connections', { config: { access: 'read' } }, async () => ({
        names: (await state.ports.connections.list()).map((c) => c.name),
      }));
      // A route that says nothing needs admin.
      app.get('/console/secret', async () => ({ ok: true }));
      app.addHook('onClose', async () => {
        closed = true;
      });
    };
    const server = await createServer({
      log: { level: 'silent' },
      config: { connections: [{ name: 'shop', apiKey: 'env:X' }] },
      plugins: [consolePlugin],
    });
    try {
      const read = (await issueToken(server.ports.tokens, { scopes: ['read'] })).token;
      const home = await server.app.inject({ url: '/' });
      expect([home.statusCode, home.body]).toEqual([200, '<h1>console</h1>']);
      expect((await server.app.inject({ url: '/console/connections' })).statusCode).toBe(401);
      const listed = await server.app.inject({
        url: '/console/connections',
        headers: { authorization: `Bearer ${read}` },
      });
      expect(listed.json()).toEqual({ names: ['shop'] });
      const secret = await server.app.inject({
        url: '/console/secret',
        headers: { authorization: `Bearer ${read}` },
      });
      expect([secret.statusCode, secret.json().error.code]).toEqual([403, 'FORBIDDEN']);
    } finally {
      await server.close();
    }
    expect(closed).toBe(true);
  });

  it('the built-in routes leave / and /console/* free', async () => {
    const server = await createServer({ log: { level: 'silent' } });
    try {
      for (const url of ['/', '/console', '/console/*'])
        expect(server.app.hasRoute({ method: 'GET', url }), url).toBe(false);
      expect(server.app.hasRoute({ method: 'GET', url: '/healthz' })).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('mcp config keys', () => {
  it('default to refusing money and live mode, and an unknown key is named', () => {
    expect(parseServerConfig({}).mcp).toEqual({ allowMoney: false, allowLive: false });
    expect(() => parseServerConfig({ mcp: { allowMony: true } })).toThrow(/mcp/);
  });
});
