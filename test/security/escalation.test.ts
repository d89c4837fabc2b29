/**
 * The attacks of a token holder on the host, other connections and secrets, each tried with every
 * scope and checked for no side effect: no process, no file, no request to the target, no change to
 * another connection's objects. What is refused answers a 4xx naming the field.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { until } from '../triggers/support/processes.ts';
import { DEMO_KEY, LEAKED_KEY, SHOP_KEY, useAttackedServer, type TokenName } from './support.ts';

const env = useAttackedServer();
const SCOPES: TokenName[] = ['read', 'write', 'admin'];
const post = (url: string, payload: object, token: TokenName) =>
  env.call({ method: 'POST', url, payload }, token);
const addTrigger = (payload: object, token: TokenName) =>
  post('/api/triggers', { preset: 'customer-added', connection: 'demo', interval: '2s', ...payload }, token);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a token cannot reach the host through a trigger', () => {
  it('runs no command (exec: sink), with any scope', async () => {
    const marker = join(env.dir, 'pwned');
    for (const token of SCOPES) {
      const res = await addTrigger({ name: `exec-${token}`, sink: `exec:touch ${marker}` }, token);
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toMatchObject({ code: token === 'read' ? 'FORBIDDEN' : 'OPERATOR_ONLY' });
      if (token !== 'read') expect(res.json().error.field).toBe('sink');
      expect(await env.service.store.triggers.get(`exec-${token}`)).toBeUndefined();
    }
    await wait(300); // the runner looks for new triggers every 100 ms
    expect(existsSync(marker)).toBe(false);
  });

  it('writes no file, absolute or relative, with any scope', async () => {
    for (const token of SCOPES)
      for (const path of [join(env.dir, 'written.ndjson'), '../../written.ndjson']) {
        const res = await addTrigger({ name: `file-${token}`, sink: `file:${path}` }, token);
        expect(res.statusCode).toBe(403);
        expect(await env.service.store.triggers.get(`file-${token}`)).toBeUndefined();
      }
    expect(existsSync(join(env.dir, 'written.ndjson'))).toBe(false);
  });

  it('calls no address it picks, and names no secret of the host for the signature', async () => {
    for (const token of SCOPES) {
      const url = await addTrigger(
        { name: `url-${token}`, sink: `${env.probe.url}/internal`, sinkSecret: 'env:CLIENT_KEY' },
        token,
      );
      expect(url.statusCode).toBe(403);
      if (token !== 'read') expect(url.json().error).toMatchObject({ code: 'OPERATOR_ONLY', field: 'sink' });
      const secret = await addTrigger(
        { name: `secret-${token}`, sink: 'stdout', sinkSecret: 'env:SHOP_KEY' },
        token,
      );
      expect(secret.statusCode).toBe(403);
      if (token !== 'read')
        expect(secret.json().error).toMatchObject({ code: 'OPERATOR_ONLY', field: 'sinkSecret' });
    }
    await wait(300);
    expect(env.probe.requests).toEqual([]);
  });

  it('delivers to a destination the operator declared, by name; an unknown name is a 400', async () => {
    const ok = await addTrigger({ name: 'to-audit', sink: 'destination:audit' }, 'write');
    expect(ok.statusCode).toBe(201);
    const unknown = await addTrigger({ name: 'to-nowhere', sink: 'destination:nowhere' }, 'write');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatchObject({ code: 'UNKNOWN_DESTINATION', field: 'sink' });
    expect(unknown.json().error.message).toContain('audit');
    expect((await env.call({ method: 'DELETE', url: '/api/triggers/to-audit' }, 'write')).statusCode).toBe(
      200,
    );
  });

  it('bounds how many triggers a connection has and how often they poll', async () => {
    const fast = await addTrigger({ name: 'fast', sink: 'stdout', interval: '1s' }, 'write');
    expect(fast.statusCode).toBe(409);
    expect(fast.json().error).toMatchObject({ code: 'QUOTA_EXCEEDED', field: 'interval' });
    // shop-trigger (the operator's) counts: four more fill the five allowed.
    for (let i = 1; i <= 4; i++)
      expect(
        (await addTrigger({ name: `many-${i}`, connection: 'shop', sink: 'stdout' }, 'write')).statusCode,
      ).toBe(201);
    const over = await addTrigger({ name: 'many-5', connection: 'shop', sink: 'stdout' }, 'write');
    expect(over.statusCode).toBe(409);
    expect(over.json().error).toMatchObject({ code: 'QUOTA_EXCEEDED', field: 'connection' });
    // Replacing one is not one more.
    expect(
      (await addTrigger({ name: 'many-4', connection: 'shop', sink: 'stdout' }, 'write')).statusCode,
    ).toBe(201);
    for (let i = 1; i <= 4; i++)
      await env.call({ method: 'DELETE', url: `/api/triggers/many-${i}` }, 'write');
  });

  it('shows a failing command’s output with keys and secrets redacted', async () => {
    const added = await addTrigger(
      { name: 'leaks', sink: 'destination:leaky', retry: { maxAttempts: 1 } },
      'write',
    );
    expect(added.statusCode).toBe(201);
    await until(async () => (await env.service.store.checkpoints.get('leaks', 'poll')) !== undefined);
    const made = await post('/api/connections/demo/entities/Customer', { email: 'leak@x.test' }, 'write');
    expect(made.statusCode).toBe(201);
    let body = '';
    await until(async () => {
      body = (await env.call({ url: '/api/triggers/leaks/deliveries?status=dead' }, 'read')).body;
      return body.includes('failed with');
    });
    expect(body).toContain('[REDACTED]');
    expect(body).not.toContain(LEAKED_KEY);
    await env.call({ method: 'DELETE', url: '/api/triggers/leaks' }, 'write');
  });
});

describe('what the operator wrote on the host is not shown to clients', () => {
  it('a trigger’s command, path or URL shows only as its kind; a destination by its name', async () => {
    const shown = await env.call({ url: '/api/triggers/demo-trigger' }, 'read');
    expect(shown.statusCode).toBe(200);
    expect(shown.json().definition.sink).toBe('(file sink set by the operator)');
    expect(shown.body).not.toContain(env.dir);
  });
});

describe('a token limited to one connection acts on no other', () => {
  it('cannot replace or remove another connection’s trigger, even naming its own connection', async () => {
    const before = await env.service.store.triggers.get('demo-trigger');
    const replaced = await addTrigger(
      { name: 'demo-trigger', connection: 'other', sink: 'stdout' },
      'otherWrite',
    );
    expect(replaced.statusCode).toBe(403);
    const removed = await env.call({ method: 'DELETE', url: '/api/triggers/demo-trigger' }, 'otherAdmin');
    expect(removed.statusCode).toBe(403);
    expect(await env.service.store.triggers.get('demo-trigger')).toEqual(before);
  });

  it('cannot make, delete or re-make a connection, nor reach billing', async () => {
    const remake = await env.call({ method: 'DELETE', url: '/api/connections/demo' }, 'demoAdmin');
    expect(remake.statusCode).toBe(403);
    const made = await post('/api/connections', { name: 'demo2', apiKey: 'env:CLIENT_KEY' }, 'demoAdmin');
    expect(made.statusCode).toBe(403);
    const billing = await env.call({ url: '/api/billing/integrations' }, 'demoAdmin');
    expect(billing.statusCode).toBe(403);
    expect(await env.service.server.ports.connections.get('demo')).toBeDefined();
  });
});

describe('a client names only the secrets, Stripe addresses and proxies the operator granted', () => {
  const attempts: Array<[string, object, string]> = [
    ['a file of the host', { apiKey: 'file:/etc/hostname' }, 'apiKey'],
    ['a relative way out of the secrets folder', { apiKey: 'file:../../etc/hostname' }, 'apiKey'],
    ['a variable the operator did not grant', { apiKey: 'env:SHOP_KEY' }, 'apiKey'],
    ['the server’s own key, by default', {}, 'apiKey'],
    ['a listener of its own as Stripe', { apiKey: 'env:CLIENT_KEY', baseUrl: '' }, 'baseUrl'],
    ['a proxy of its own', { apiKey: 'env:CLIENT_KEY', proxy: { enabled: true, url: '' } }, 'proxy.url'],
    ['a CA file of the host', { apiKey: 'env:CLIENT_KEY', caFile: '/etc/hostname' }, 'caFile'],
    [
      'another connection’s rate budget',
      { apiKey: 'env:CLIENT_KEY', throttle: { budgetKey: 'shop' } },
      'throttle.budgetKey',
    ],
  ];
  it.each(attempts)('refuses %s (OPERATOR_ONLY, naming the field)', async (_what, definition, field) => {
    const filled = JSON.parse(JSON.stringify(definition).replaceAll('""', JSON.stringify(env.probe.url)));
    const res = await post('/api/connections', { name: 'grab', ...filled }, 'admin');
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'OPERATOR_ONLY', field });
    expect(await env.service.server.ports.connections.get('grab')).toBeUndefined();
    expect(env.probe.requests).toEqual([]);
  });

  it('takes a granted variable and Stripe address, and the connection works', async () => {
    const res = await post(
      '/api/connections',
      { name: 'granted', apiKey: 'env:CLIENT_KEY', baseUrl: env.emulator.url },
      'admin',
    );
    expect(res.statusCode).toBe(201);
    const tested = await env.call({ url: '/api/connections/granted/test' }, 'read');
    expect(tested.json()).toMatchObject({ connection: 'granted', mode: 'test' });
    expect(tested.body + res.body).not.toContain(DEMO_KEY);
    await env.call({ method: 'DELETE', url: '/api/connections/granted' }, 'admin');
  });

  it('holds for billing integrations’ keys and Stripe address too', async () => {
    const stolen = await post(
      '/api/billing/integrations',
      { title: 'Grab', publishableKey: 'env:CLIENT_PK', secretKey: 'env:SHOP_KEY', baseUrl: env.probe.url },
      'admin',
    );
    expect(stolen.statusCode).toBe(403);
    expect(stolen.json().error).toMatchObject({ code: 'OPERATOR_ONLY', field: 'secretKey' });
    expect(stolen.body).not.toContain(SHOP_KEY);
    expect(env.probe.requests).toEqual([]);
  });
});

describe('revocation', () => {
  it('ends an open event stream within a second', async () => {
    const res = await fetch(`${env.service.server.url}/api/triggers/events`, {
      headers: { authorization: `Bearer ${env.tokens.demoRead}` },
    });
    expect(res.status).toBe(200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('\n\n')) text += (await reader.read()).value;
    // Only its own connection's trigger.
    expect(text).toContain('demo-trigger');
    expect(text).not.toContain('shop-trigger');
    await env.service.server.ports.tokens.revoke(env.tokenIds.demoRead);
    const revokedAt = Date.now();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += chunk.value;
    expect(Date.now() - revokedAt).toBeLessThan(1500);
    expect(text).toContain('"code":"UNAUTHENTICATED"');
    const after = await env.call({ url: '/api/triggers' }, 'demoRead');
    expect(after.statusCode).toBe(401);
  });
});
