/** A connection of the server's config fills what it leaves out from the server's environment. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { createServer, issueToken, type Server } from '../../src/server/index.ts';

let emulator: Emulator;
let server: Server;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, randomSeed: 2 });
  server = await createServer({
    config: { connections: [{ name: 'shop', apiKey: 'env:SHOP_KEY' }] },
    env: { SHOP_KEY: 'sk_test_envdefaults1', STRIPE_API_BASE: emulator.url },
    log: { level: 'silent' },
  });
});
afterAll(async () => {
  await server?.close();
  await emulator?.close();
});

describe('a config connection without baseUrl', () => {
  it('reaches STRIPE_API_BASE, as documented (not real Stripe)', async () => {
    const { token } = await issueToken(server.ports.tokens, { scopes: ['read'] });
    emulator.clearRequests();
    const res = await server.app.inject({
      url: '/api/connections/shop/test',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ connection: 'shop', mode: 'test' });
    expect(emulator.requests.map((r) => r.path)).toContain('/v1/account');
  });
});
