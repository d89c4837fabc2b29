/** The service around the routes: OpenAPI and docs, logs, metrics, internal errors, limits, shutdown. */
import type { InjectOptions } from 'fastify';
import SwaggerParser from '@apidevtools/swagger-parser';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createServer, createInMemoryPorts, ensureAdminToken, issueToken } from '../../src/server/index.ts';
import { listening, useServer, API_KEY } from './support.ts';

const env = useServer();
const inject = (opts: InjectOptions) => env.server.app.inject(opts);

describe('OpenAPI document and docs', () => {
  it('is a valid OpenAPI 3 document covering every route', async () => {
    const res = await inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    await SwaggerParser.validate(structuredClone(doc));
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/actions',
        '/api/connections',
        '/api/connections/{name}',
        '/api/connections/{name}/actions/{action}',
        '/api/connections/{name}/entities/{entity}',
        '/api/connections/{name}/entities/{entity}/{id}',
        '/api/connections/{name}/execute',
        '/api/connections/{name}/explain',
        '/api/connections/{name}/query',
        '/api/connections/{name}/test',
        '/api/entities',
        '/api/entities/{entity}',
        '/healthz',
        '/mcp',
        '/mcp/{name}',
        '/metrics',
        '/readyz',
      ].sort(),
    );
    expect(doc.paths['/api/connections'].get.security).toEqual([{ bearer: [] }]);
    expect(doc.components.schemas.Error).toBeDefined();
  });

  it('serves the UI from local assets only (no CDN, no online validator)', async () => {
    const page = await inject({ url: '/docs/' });
    expect(page.statusCode).toBe(200);
    const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(2);
    for (const ref of refs) expect(ref).not.toMatch(/^(https?:)?\/\//);
    for (const ref of refs) {
      const asset = await inject({ url: new URL(ref, 'http://x/docs/').pathname });
      expect(asset.statusCode, ref).toBe(200);
      if (ref.includes('initializer')) {
        // Its code (not its comments) fetches only the local document, with no online validator.
        const code = asset.body.replace(/^\s*\/\/.*$/gm, '');
        expect(code).not.toMatch(/https?:\/\//);
        expect(code).toContain("resolveUrl('./json')");
        expect(code).toContain('"validatorUrl":null');
      }
    }
  });
});

describe('logs', () => {
  it('never contain a token, the Authorization header or the API key, at trace level', async () => {
    const stray = 'sct_' + 'A'.repeat(43);
    await inject({ url: '/api/connections/demo/test', headers: env.auth(env.tokens.admin) });
    await inject({ url: `/api/entities?token=${stray}`, headers: env.auth(env.tokens.read) });
    await inject({ url: '/api/connections', headers: env.auth(stray) });
    const text = env.logs.join('\n');
    expect(text).toContain('/api/connections/demo/test');
    expect(text).toContain('[REDACTED]');
    for (const secret of [...Object.values(env.tokens), stray, API_KEY]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/bearer/i);
    expect(env.logs.some((l) => JSON.parse(l).reqId)).toBe(true);
    // The gateway's own lines (a connection at verbosity 3 logs each Stripe call) join the log.
    const gatewayLines = env.logs.map((l) => JSON.parse(l)).filter((l) => l.source === 'gateway');
    expect(gatewayLines.some((l) => l.connection === 'demo' && /GET \/v1\/account/.test(l.msg))).toBe(true);
  });
});

describe('metrics', () => {
  it('counts requests by route and status, and the gateway calls', async () => {
    await inject({
      url: '/api/connections/demo/entities/Customer?limit=1',
      headers: env.auth(env.tokens.read),
    });
    const res = await inject({ url: '/metrics', headers: env.auth(env.tokens.read) });
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(
      /http_requests_total\{method="GET",route="\/api\/connections\/:name\/entities\/:entity",status="200"\} [1-9]/,
    );
    expect(res.body).toMatch(/stripe_requests_total\{connection="demo"\} [1-9]/);
    expect(res.body).toMatch(/stripe_throttle_waits_total\{connection="demo"\} \d+/);
  });
});

describe('failures', () => {
  it('a thrown non-ConnectorError is INTERNAL with a request id and no stack', async () => {
    const ports = createInMemoryPorts();
    ports.connections.list = async () => {
      throw new TypeError('boom in the store');
    };
    const server = await createServer({ ports, log: { level: 'silent' } });
    const { token } = await issueToken(ports.tokens, { scopes: ['read'] });
    const res = await server.app.inject({
      url: '/api/connections',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error: {
        code: 'INTERNAL',
        message: expect.stringContaining(res.headers['x-request-id'] as string),
        request_id: res.headers['x-request-id'],
      },
    });
    expect(res.body).not.toMatch(/boom|at .*\.ts|TypeError/);
    await server.close();
  });

  it('rate-limits per token and limits the body size', async () => {
    const server = await createServer({
      config: { limits: { bodyBytes: 1024, rateLimit: { max: 3, windowMs: 60_000 } } },
      log: { level: 'silent' },
    });
    const a = await issueToken(server.ports.tokens, { scopes: ['admin'] });
    const b = await issueToken(server.ports.tokens, { scopes: ['read'] });
    const c = await issueToken(server.ports.tokens, { scopes: ['admin'] });
    const get = (t: string) =>
      server.app.inject({ url: '/api/entities', headers: { authorization: `Bearer ${t}` } });
    for (let i = 0; i < 3; i++) expect((await get(a.token)).statusCode).toBe(200);
    const limited = await get(a.token);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect((await get(b.token)).statusCode).toBe(200);
    const big = await server.app.inject({
      method: 'POST',
      url: '/api/connections',
      headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x', description: 'y'.repeat(2000) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    await server.close();
  });
});

describe('tokens', () => {
  it('the first admin token is created once (again only when no live admin token is left)', async () => {
    const ports = createInMemoryPorts();
    const first = await ensureAdminToken(ports.tokens);
    expect(first?.token).toMatch(/^sct_[A-Za-z0-9_-]{43}$/);
    expect(first?.record.scopes).toEqual(['admin']);
    expect(await ensureAdminToken(ports.tokens)).toBeNull();
    const [stored] = await ports.tokens.list();
    expect(JSON.stringify(stored)).not.toContain(first!.token);
    await ports.tokens.revoke(first!.record.id);
    expect((await ensureAdminToken(ports.tokens))?.token).toMatch(/^sct_/);
  });
});

describe('streaming over a socket', () => {
  it('streams ndjson with its next cursor as a trailer, and stops paging when the client leaves', async () => {
    const env2 = await listening(
      Array.from({ length: 1200 }, (_, i) => ({ email: `s${i}@example.com` })),
      30_000,
    );
    try {
      const url = `${env2.server.url}/api/connections/big/entities/Customer?format=ndjson`;
      const whole = await fetch(url, { headers: env2.headers });
      expect(whole.headers.get('trailer')).toBe('x-next-cursor');
      expect((await whole.text()).trim().split('\n')).toHaveLength(1200);

      // A client that leaves mid-stream: the paging stops and nothing holds the shutdown.
      env2.emulator.setConditions({ latency: { ms: 30 } });
      env2.emulator.clearRequests();
      await new Promise<void>((resolve, reject) => {
        const req = request(url, { headers: env2.headers }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => {});
        req.end();
        setTimeout(() => reject(new Error('no data')), 5000);
      });
      await new Promise((r) => setTimeout(r, 300));
      const pagesAfterLeaving = env2.emulator.requests.length;
      await new Promise((r) => setTimeout(r, 300));
      expect(env2.emulator.requests.length).toBe(pagesAfterLeaving);
      expect(pagesAfterLeaving).toBeLessThan(12);
      const started = Date.now();
      await env2.server.close();
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await env2.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('cuts a client that stopped reading once the grace period is over', async () => {
    const env2 = await listening(
      Array.from({ length: 3000 }, (_, i) => ({ email: `g${i}@example.com`, description: 'x'.repeat(500) })),
      300,
    );
    try {
      // A client that reads the first chunk, then nothing more: the socket stays open, full.
      const req = request(
        `${env2.server.url}/api/connections/big/entities/Customer?format=ndjson`,
        { headers: env2.headers },
        (res) => res.once('data', () => res.pause()),
      );
      req.on('error', () => {});
      req.end();
      await new Promise((r) => setTimeout(r, 500));
      const started = Date.now();
      await env2.server.close();
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(Date.now() - started).toBeLessThan(3000);
      req.destroy();
    } finally {
      await env2.close();
    }
  });

  it('finishes an in-flight request, then refuses new ones and closes the gateways', async () => {
    const env2 = await listening([], 30_000);
    const { server, emulator, headers } = env2;
    try {
      const ctx = await server.registry.context('big');
      emulator.setConditions({ latency: { ms: 400 } });
      const inFlight = fetch(`${server.url}/api/connections/big/entities/Customer?limit=1`, { headers });
      await new Promise((r) => setTimeout(r, 150));
      const started = Date.now();
      const closing = server.close();
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect((await res.json()).data).toBeInstanceOf(Array);
      await closing;
      // Well within the 30 s grace: the kept-alive socket was closed after the answer.
      expect(Date.now() - started).toBeLessThan(3000);
      await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
      await expect(ctx.gateway.request({ method: 'GET', path: '/v1/customers' })).rejects.toThrow(/closed/);
    } finally {
      await env2.close();
    }
  });
});

describe('log scrubbing', () => {
  it('keeps every line valid JSON: numbers that look like card digits stay numbers, secrets go', async () => {
    const { scrubLine } = await import('../../src/server/logging.ts');
    const { createRedactor } = await import('../../src/connection/index.ts');
    const redactor = createRedactor([API_KEY]);
    const text = (v: string) => redactor(v);
    const line = JSON.stringify({
      time: 1764590000000,
      responseTime: 0.4242424242424242,
      card: 4242424242424242,
      msg: `key ${API_KEY} card 4242 4242 4242 4242`,
    });
    const out = JSON.parse(scrubLine(line, text));
    expect(out).toMatchObject({ time: 1764590000000, responseTime: 0.4242424242424242, card: '[REDACTED]' });
    expect(out.msg).toBe('key [REDACTED] card [REDACTED]');
    expect(scrubLine(`not json ${API_KEY}`, text)).toBe('not json [REDACTED]');
  });
});
