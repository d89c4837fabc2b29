/** Connections, catalog and service routes: success, bad input naming the field, 401, 403. */
import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { useServer, API_KEY } from './support.ts';

const env = useServer();
const inject = (opts: InjectOptions) => env.server.app.inject(opts);

describe('connections', () => {
  it('lists the configured connection with secret references only', async () => {
    const res = await inject({ url: '/api/connections', headers: env.auth(env.tokens.read) });
    expect(res.statusCode).toBe(200);
    const [demo] = res.json().data;
    expect(demo).toMatchObject({
      name: 'demo',
      origin: 'config',
      definition: { apiKey: 'env:SERVER_TEST_KEY' },
    });
    expect(res.body).not.toContain(API_KEY);
  });

  it('creates, shows, tests and deletes a connection', async () => {
    const created = await inject({
      method: 'POST',
      url: '/api/connections',
      headers: env.auth(env.tokens.admin),
      payload: { name: 'second', apiKey: 'env:SERVER_TEST_KEY', baseUrl: env.emulator.url },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'second', origin: 'api' });
    const shown = await inject({ url: '/api/connections/second', headers: env.auth(env.tokens.read) });
    expect(shown.json().definition.apiKey).toBe('env:SERVER_TEST_KEY');
    const tested = await inject({ url: '/api/connections/second/test', headers: env.auth(env.tokens.read) });
    expect(tested.statusCode).toBe(200);
    expect(tested.json()).toEqual({
      connection: 'second',
      account: expect.stringMatching(/^acct_/),
      mode: 'test',
      apiVersion: '2023-08-16',
    });
    for (const res of [created, shown, tested]) expect(res.body).not.toContain(API_KEY);
    const deleted = await inject({
      method: 'DELETE',
      url: '/api/connections/second',
      headers: env.auth(env.tokens.admin),
    });
    expect(deleted.json()).toEqual({ name: 'second', deleted: true });
    const gone = await inject({ url: '/api/connections/second', headers: env.auth(env.tokens.read) });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error).toMatchObject({ code: 'UNKNOWN_CONNECTION', field: 'name' });
  });

  it('refuses a literal secret, a duplicate, an unknown key and an unresolved reference, naming the field', async () => {
    const post = (payload: object) =>
      inject({ method: 'POST', url: '/api/connections', headers: env.auth(env.tokens.admin), payload });
    const literal = await post({ name: 'lit', apiKey: API_KEY });
    expect(literal.statusCode).toBe(400);
    expect(literal.json().error).toMatchObject({ code: 'CONNECTION_INVALID', field: 'apiKey' });
    expect(literal.body).not.toContain(API_KEY);
    const typo = await post({
      name: 'typo',
      apiKey: 'env:SERVER_TEST_KEY',
      proxy: { enabled: false, sslTpye: 'AUTO' },
    });
    expect(typo.json().error).toMatchObject({ code: 'CONNECTION_INVALID', field: 'proxy.sslTpye' });
    const dup = await post({ name: 'demo', apiKey: 'env:SERVER_TEST_KEY' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toMatchObject({ code: 'CONNECTION_EXISTS', field: 'name' });
    const unresolved = await post({ name: 'nokey', apiKey: 'env:SERVER_TEST_NOT_SET' });
    expect(unresolved.json().error).toMatchObject({ code: 'SECRET_UNRESOLVED', field: 'apiKey' });
    const badName = await inject({ url: '/api/connections/Bad_Name', headers: env.auth(env.tokens.read) });
    expect(badName.statusCode).toBe(400);
    expect(badName.json().error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'name' });
  });

  it('401 without or with a bad token, 403 without the scope or the connection', async () => {
    const none = await inject({ url: '/api/connections/demo' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error).toMatchObject({
      code: 'UNAUTHENTICATED',
      request_id: none.headers['x-request-id'],
    });
    const bad = await inject({
      url: '/api/connections/demo',
      headers: env.auth('sct_notatokenatallnotatoken'),
    });
    expect(bad.statusCode).toBe(401);
    const reader = await inject({
      method: 'DELETE',
      url: '/api/connections/demo',
      headers: env.auth(env.tokens.read),
    });
    expect(reader.statusCode).toBe(403);
    expect(reader.json().error).toMatchObject({ code: 'FORBIDDEN' });
    const other = await inject({ url: '/api/connections/demo', headers: env.auth(env.tokens.other) });
    expect(other.statusCode).toBe(403);
    expect(other.json().error.message).toMatch(/connection "demo"/);
    const listed = await inject({ url: '/api/connections', headers: env.auth(env.tokens.other) });
    expect(listed.json().data).toEqual([]);
  });

  it('a revoked token is refused', async () => {
    const { issueToken } = await import('../../src/server/index.ts');
    const { token, record } = await issueToken(env.server.ports.tokens, { scopes: ['read'] });
    expect((await inject({ url: '/api/connections', headers: env.auth(token) })).statusCode).toBe(200);
    await env.server.ports.tokens.revoke(record.id);
    expect((await inject({ url: '/api/connections', headers: env.auth(token) })).statusCode).toBe(401);
  });
});

describe('catalog', () => {
  it('lists entities, describes one, lists actions with inputs', async () => {
    const h = env.auth(env.tokens.read);
    const entities = await inject({ url: '/api/entities', headers: h });
    const customer = entities.json().data.find((e: { entity: string }) => e.entity === 'Customer');
    expect(customer).toMatchObject({ resource: 'customer', searchable: true });
    const described = await inject({ url: '/api/entities/PaymentIntent', headers: h });
    expect(described.json()).toMatchObject({ entity: 'PaymentIntent', resource: 'payment_intent' });
    expect(described.json().actions.map((a: { name: string }) => a.name)).toContain('ConfirmPaymentIntent');
    const actions = await inject({ url: '/api/actions', headers: h });
    const confirm = actions.json().data.find((a: { name: string }) => a.name === 'ConfirmPaymentIntent');
    expect(confirm.inputs.map((i: { name: string }) => i.name)).toContain('PaymentIntentId');
  });

  it('an unknown entity is 404 UNKNOWN_ENTITY; no token is 401', async () => {
    const res = await inject({ url: '/api/entities/Custmer', headers: env.auth(env.tokens.read) });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('UNKNOWN_ENTITY');
    expect((await inject({ url: '/api/actions' })).statusCode).toBe(401);
  });
});

describe('service routes', () => {
  it('healthz and readyz need no token; metrics needs one', async () => {
    expect((await inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().status).toBe('ready');
    expect((await inject({ url: '/metrics' })).statusCode).toBe(401);
  });

  it('an unknown route is 404 in the error format (after auth)', async () => {
    const res = await inject({ url: '/api/nothing-here', headers: env.auth(env.tokens.read) });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'NOT_FOUND', request_id: expect.any(String) });
  });

  it('sets security headers and no CORS header unless configured', async () => {
    const res = await inject({ url: '/healthz', headers: { origin: 'https://evil.example' } });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('keeps a plain client request id and replaces an unsafe one', async () => {
    const kept = await inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await inject({ url: '/healthz', headers: { 'x-request-id': 'a b\nc' } });
    expect(replaced.headers['x-request-id']).toMatch(/^req_/);
  });
});
