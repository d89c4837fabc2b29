/**
 * The billing routes on a server over a SQLite store and the emulator (two accounts): every route
 * answers its success, names the field of bad input, and refuses a missing token (401) and a
 * token of too small a scope (403); the OpenAPI document stays valid with them.
 */
import { rmSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, issueToken, storePorts, type Server } from '../../src/server/index.ts';
import { billingRoutes } from '../../src/server/routes/billing.ts';
import { bench, KEYS, type Bench } from '../billing/support.ts';

const PLANS = readFileSync(fileURLToPath(new URL('../../examples/plans.yaml', import.meta.url)), 'utf8');
let b: Bench;
let server: Server;
const tokens = { read: '', write: '', admin: '' };
const as = (token: string) => ({ authorization: `Bearer ${token}` });
const call = (opts: InjectOptions, token = tokens.admin) =>
  server.app.inject({ ...opts, headers: { ...as(token), ...opts.headers } });
const post = (url: string, payload: object, token?: string) => call({ method: 'POST', url, payload }, token);
const error = (res: { json(): any }) => res.json().error as { code: string; field?: string; message: string };

beforeAll(async () => {
  b = await bench();
  server = await createServer({
    ports: storePorts(b.store),
    env: b.env,
    // The keys' variables are what the operator lets clients name.
    config: { api: { secrets: { env: ['PK', 'SK', 'sk', 'pk', 'other', 'live'] } } },
    log: { level: 'silent' },
    // One attempt per job: a failure blocks at once, so a retry can be shown without waiting.
    plugins: [billingRoutes({ store: b.store, retry: { maxAttempts: 1 } })],
  });
  for (const scope of ['read', 'write', 'admin'] as const)
    tokens[scope] = (await issueToken(server.ports.tokens, { scopes: [scope] })).token;
});
afterAll(async () => {
  await server?.close(); // closes the store too
  await b?.em.close();
  if (b) rmSync(b.dir, { recursive: true, force: true });
});

describe('billing routes', () => {
  it('adds an integration (account and mode from Stripe, references only), lists and shows it', async () => {
    const add = await post('/api/billing/integrations', {
      title: 'My Billing',
      publishableKey: 'env:PK',
      secretKey: 'env:SK',
    });
    expect(add.statusCode).toBe(201);
    expect(add.json()).toMatchObject({
      name: 'my-billing',
      account: 'acct_main',
      mode: 'test',
      secretKey: 'env:SK',
    });
    expect(add.body).not.toContain(KEYS.sk);
    const list = await call({ url: '/api/billing/integrations' }, tokens.read);
    expect(list.json().data).toEqual([
      expect.objectContaining({
        name: 'my-billing',
        queue: expect.objectContaining({ queued: 0, blocked: 0 }),
      }),
    ]);
    const show = await call({ url: '/api/billing/integrations/my-billing' }, tokens.read);
    expect(show.json()).toMatchObject({ title: 'My Billing', catalogs: [] });
    expect((await call({ url: '/api/billing/integrations/nope' })).statusCode).toBe(404);
  });

  it('names the field of bad integration input; 401 without a token, 403 below admin', async () => {
    const missing = await post('/api/billing/integrations', {
      publishableKey: 'env:PK',
      secretKey: 'env:SK',
    });
    expect(missing.statusCode).toBe(400);
    expect(error(missing)).toMatchObject({ code: 'MISSING_FIELD', field: 'title' });
    const literal = await post('/api/billing/integrations', {
      title: 'Literal',
      publishableKey: 'env:PK',
      secretKey: 'sk_test_literal',
    });
    expect(literal.statusCode).toBe(400);
    expect(error(literal).field).toBe('secretKey');
    expect(literal.body).not.toContain('sk_test_literal');
    const extra = await post('/api/billing/integrations', {
      title: 'X',
      publishableKey: 'env:PK',
      secretKey: 'env:SK',
      x: 1,
    });
    expect(error(extra)).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'x' });
    const anonymous = await server.app.inject({ url: '/api/billing/integrations' });
    expect(anonymous.statusCode).toBe(401);
    expect(error(anonymous).code).toBe('UNAUTHENTICATED');
    const writer = await post(
      '/api/billing/integrations',
      { title: 'W', publishableKey: 'env:PK', secretKey: 'env:SK' },
      tokens.write,
    );
    expect(writer.statusCode).toBe(403);
    expect(error(writer).code).toBe('FORBIDDEN');
  });

  it('updates keys only within the account and mode', async () => {
    const url = '/api/billing/integrations/my-billing/keys';
    const other = await call({
      method: 'PUT',
      url,
      payload: { secretKey: 'env:otherSk', publishableKey: 'env:otherPk' },
    });
    expect(other.statusCode).toBe(409);
    expect(error(other)).toMatchObject({ code: 'BILLING_REFUSED', field: 'secretKey' });
    expect(error(other).message).toContain('acct_other');
    const empty = await call({ method: 'PUT', url, payload: {} });
    expect(empty.statusCode).toBe(400);
    expect(error(empty).field).toBe('body');
    const same = await call({ method: 'PUT', url, payload: { secretKey: 'env:sk' } });
    expect(same.statusCode).toBe(200);
    expect(same.json().secretKey).toBe('env:sk');
    expect(
      (await call({ method: 'PUT', url, payload: { secretKey: 'env:SK' } }, tokens.write)).statusCode,
    ).toBe(403);
    await call({ method: 'PUT', url, payload: { secretKey: 'env:SK' } });
  });

  it('adds and attaches catalogs, refusing a placement that breaks the kind rule', async () => {
    const add = await post('/api/billing/catalogs', { name: 'sandbox', kind: 'sandbox' }, tokens.write);
    expect(add.statusCode).toBe(201);
    const badKind = await post('/api/billing/catalogs', { name: 'x', kind: 'staging' }, tokens.write);
    expect(badKind.statusCode).toBe(400);
    expect(error(badKind).field).toBe('kind');
    await post('/api/billing/catalogs', { name: 'prod', kind: 'production' }, tokens.write);
    const refused = await post(
      '/api/billing/catalogs/prod/integrations',
      { integration: 'my-billing' },
      tokens.write,
    );
    expect(refused.statusCode).toBe(409);
    expect(error(refused).message).toMatch(/production/);
    const attach = await post(
      '/api/billing/catalogs/sandbox/integrations',
      { integration: 'my-billing' },
      tokens.write,
    );
    expect(attach.json()).toMatchObject({ name: 'sandbox', integrations: ['my-billing'] });
    const noBody = await post('/api/billing/catalogs/sandbox/integrations', {}, tokens.write);
    expect(error(noBody)).toMatchObject({ code: 'MISSING_FIELD', field: 'integration' });
    const list = await call({ url: '/api/billing/catalogs' }, tokens.read);
    expect(
      list
        .json()
        .data.map((c: { name: string }) => c.name)
        .sort(),
    ).toEqual(['prod', 'sandbox']);
    expect(
      (await post('/api/billing/catalogs', { name: 'r', kind: 'sandbox' }, tokens.read)).statusCode,
    ).toBe(403);
  });

  it('plans (YAML text or an object) and applies; a second apply changes nothing', async () => {
    const plan = await post('/api/billing/catalogs/sandbox/plan', { plan: PLANS }, tokens.read);
    expect(plan.statusCode).toBe(200);
    expect(plan.json().integrations[0].changes.length).toBe(4);
    const badPlan = await post(
      '/api/billing/catalogs/sandbox/plan',
      { plan: { plans: { p: { price: -1 } } } },
      tokens.read,
    );
    expect(badPlan.statusCode).toBe(400);
    expect(error(badPlan)).toMatchObject({ code: 'INVALID_VALUE', field: 'plan.products' });
    const badYaml = await post('/api/billing/catalogs/sandbox/plan', { plan: 'a: [' }, tokens.read);
    expect(error(badYaml)).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'plan' });
    expect((await post('/api/billing/catalogs/sandbox/apply', { plan: PLANS }, tokens.read)).statusCode).toBe(
      403,
    );
    const applied = await post(
      '/api/billing/catalogs/sandbox/apply',
      { plan: PLANS, wait: true },
      tokens.write,
    );
    expect(applied.statusCode).toBe(200);
    expect(applied.json().ok).toBe(true);
    expect((await b.stripe.prices.list({ lookup_keys: ['pro-monthly'] })).data).toHaveLength(1);
    const again = await post('/api/billing/catalogs/sandbox/apply', { plan: PLANS }, tokens.write);
    expect(again.json().integrations[0].jobs).toEqual([]);
    const wrongWait = await post(
      '/api/billing/catalogs/sandbox/apply',
      { plan: PLANS, wait: 'soon' },
      tokens.write,
    );
    expect(error(wrongWait).field).toBe('wait');
  });

  it('subscribes a consumer, lists the integration’s consumers and shows the paid invoice', async () => {
    const url = '/api/billing/integrations/my-billing/subscriptions';
    const bad = await post(url, { plan: 'pro-monthly' }, tokens.write);
    expect(error(bad)).toMatchObject({ code: 'MISSING_FIELD', field: 'consumer' });
    expect((await post(url, { plan: 'pro-monthly', consumer: 'c-1' }, tokens.read)).statusCode).toBe(403);
    const sub = await post(
      url,
      { plan: 'pro-monthly', consumer: 'c-1', email: 'c1@example.com', card: 'pm_card_visa', wait: true },
      tokens.write,
    );
    expect(sub.statusCode).toBe(200);
    expect(sub.json()).toMatchObject({
      ok: true,
      subscription: { status: 'active', invoice: { status: 'paid' } },
    });
    const consumers = await call({ url: '/api/billing/integrations/my-billing/consumers' }, tokens.read);
    expect(consumers.json().data).toEqual([{ consumer: 'c-1', email: 'c1@example.com' }]);
    const overview = await call({ url: '/api/billing/integrations/my-billing/consumers/c-1' }, tokens.read);
    expect(overview.json()).toMatchObject({
      consumer: 'c-1',
      subscriptions: [{ plan: 'pro-monthly', status: 'active' }],
      invoices: [{ status: 'paid', amountPaid: 2900 }],
    });
    expect((await call({ url: '/api/billing/integrations/nope/consumers' })).statusCode).toBe(404);
  });

  it('changes plan and unsubscribes through the queue (202: enqueued for the runner)', async () => {
    const base = '/api/billing/integrations/my-billing/consumers/c-1';
    const noTo = await post(`${base}/change-plan`, {}, tokens.write);
    expect(error(noTo)).toMatchObject({ code: 'MISSING_FIELD', field: 'to' });
    const moved = await post(`${base}/change-plan`, { to: 'pro-yearly', wait: true }, tokens.write);
    expect(moved.statusCode).toBe(200);
    expect(moved.json().ok).toBe(true);
    const badNow = await post(`${base}/unsubscribe`, { now: 'yes' }, tokens.write);
    expect(error(badNow).field).toBe('now');
    expect((await post(`${base}/unsubscribe`, {}, tokens.read)).statusCode).toBe(403);
    const queued = await post(`${base}/unsubscribe`, {}, tokens.write);
    expect(queued.statusCode).toBe(202);
    expect(queued.json().jobs).toEqual([
      expect.objectContaining({ kind: 'subscription.update', status: 'queued' }),
    ]);
    const id = queued.json().jobs[0].id;
    const discarded = await post(`/api/billing/jobs/${id}/discard`, {}, tokens.write);
    expect(discarded.json()).toMatchObject({ id, status: 'discarded' });
  });

  it('lists jobs by integration and status, shows one with its attempts, retries a blocked one', async () => {
    const all = await call({ url: '/api/billing/jobs?integration=my-billing' }, tokens.read);
    expect(all.json().data.length).toBeGreaterThan(8);
    const done = await call({ url: '/api/billing/jobs?status=succeeded' }, tokens.read);
    expect(done.json().data.every((j: { status: string }) => j.status === 'succeeded')).toBe(true);
    const badStatus = await call({ url: '/api/billing/jobs?status=stuck' }, tokens.read);
    expect(badStatus.statusCode).toBe(400);
    expect(error(badStatus).field).toBe('status');
    expect((await call({ url: '/api/billing/jobs?integration=nope' })).statusCode).toBe(404);
    const first = all.json().data[0];
    const one = await call({ url: `/api/billing/jobs/${first.id}` }, tokens.read);
    expect(one.json()).toMatchObject({ id: first.id, attemptLog: [expect.objectContaining({ attempt: 1 })] });
    expect(error(await call({ url: '/api/billing/jobs/abc' })).field).toBe('id');
    expect((await call({ url: '/api/billing/jobs/99999' })).statusCode).toBe(404);
    const notBlocked = await post(`/api/billing/jobs/${first.id}/retry`, {}, tokens.write);
    expect(notBlocked.statusCode).toBe(400);
    expect(error(notBlocked)).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'id' });

    // Enqueued; then the key's variable goes missing: the first job fails its one attempt and is blocked.
    const changed = PLANS.replace('price: 2900', 'price: 3900');
    const queued = await post('/api/billing/catalogs/sandbox/apply', { plan: changed }, tokens.write);
    expect(queued.statusCode).toBe(202);
    const sk = b.env.SK;
    delete b.env.SK;
    const other = b.service(); // a worker elsewhere (the routes only enqueue)
    expect(await other.worker().runOnce(['my-billing'])).toBe(1);
    const blocked = (await call({ url: '/api/billing/jobs?status=blocked' }, tokens.read)).json().data;
    expect(blocked[0]).toMatchObject({
      status: 'blocked',
      problem: expect.stringContaining('SECRET_UNRESOLVED'),
    });
    const status = (await call({ url: '/api/billing/integrations/my-billing' }, tokens.read)).json().queue;
    expect(status).toMatchObject({
      blocked: 1,
      lastProblem: expect.objectContaining({ job: blocked[0].id }),
    });
    b.env.SK = sk;
    expect((await post(`/api/billing/jobs/${blocked[0].id}/retry`, {}, tokens.read)).statusCode).toBe(403);
    const retried = await post(`/api/billing/jobs/${blocked[0].id}/retry`, { wait: true }, tokens.write);
    expect(retried.statusCode).toBe(200);
    expect(retried.json().jobs[0]).toMatchObject({ id: blocked[0].id, status: 'succeeded' });
    // The rest of that apply's queue carries on once the blocker is out of the way.
    const rest = queued.json().integrations[0].jobs.map((j: { id: number }) => j.id);
    await other.settle(rest, ['my-billing']);
    await other.close();
    const after = (await call({ url: '/api/billing/jobs?integration=my-billing&status=queued' })).json().data;
    expect(after).toEqual([]);
    expect((await b.stripe.prices.list({ lookup_keys: ['pro-monthly'] })).data[0].unit_amount).toBe(3900);
  });

  it('streams queue status and job changes as server-sent events', async () => {
    const listening = await server.app.listen({ host: '127.0.0.1', port: 0 });
    const abort = new AbortController();
    const res = await fetch(`${listening}/api/billing/events`, {
      headers: as(tokens.read),
      signal: abort.signal,
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('event: job')) text += (await reader.read()).value ?? '';
    abort.abort();
    const integration = /event: integration\ndata: (.*)\n/.exec(text)![1];
    expect(JSON.parse(integration)).toMatchObject({ name: 'my-billing', queue: expect.any(Object) });
    expect((await fetch(`${listening}/api/billing/events`)).status).toBe(401);
  });

  it('keeps the OpenAPI document valid, with every billing route in it', async () => {
    const doc = (await server.app.inject({ url: '/openapi.json' })).json();
    await SwaggerParser.validate(structuredClone(doc));
    const billing = Object.keys(doc.paths).filter((p) => p.startsWith('/api/billing'));
    expect(billing.sort()).toEqual(
      [
        '/api/billing/catalogs',
        '/api/billing/catalogs/{name}/apply',
        '/api/billing/catalogs/{name}/integrations',
        '/api/billing/catalogs/{name}/plan',
        '/api/billing/events',
        '/api/billing/integrations',
        '/api/billing/integrations/{name}',
        '/api/billing/integrations/{name}/consumers',
        '/api/billing/integrations/{name}/consumers/{consumer}',
        '/api/billing/integrations/{name}/consumers/{consumer}/change-plan',
        '/api/billing/integrations/{name}/consumers/{consumer}/unsubscribe',
        '/api/billing/integrations/{name}/keys',
        '/api/billing/integrations/{name}/subscriptions',
        '/api/billing/jobs',
        '/api/billing/jobs/{id}',
        '/api/billing/jobs/{id}/discard',
        '/api/billing/jobs/{id}/retry',
      ].sort(),
    );
  });

  it('removes an integration (admin only)', async () => {
    const url = '/api/billing/integrations/my-billing';
    expect((await call({ method: 'DELETE', url }, tokens.write)).statusCode).toBe(403);
    const removed = await call({ method: 'DELETE', url });
    expect(removed.json()).toMatchObject({ removed: 'my-billing' });
    expect((await call({ url })).statusCode).toBe(404);
  });
});
