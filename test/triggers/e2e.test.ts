/** Source → inbox → dispatcher → sink against the emulator, with the in-memory ports. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { webhookSignature } from '../../src/emulator/index.ts';
import { resolveSink } from '../../src/triggers/destinations.ts';
import { parseTrigger } from '../../src/triggers/definition.ts';
import { Dispatcher } from '../../src/triggers/dispatch.ts';
import { ensureEndpoint } from '../../src/triggers/endpoint.ts';
import { fromPreset } from '../../src/triggers/presets.ts';
import { parseFields } from '../../src/triggers/project.ts';
import { createSink } from '../../src/triggers/sinks/index.ts';
import { pollEvents } from '../../src/triggers/sources/events.ts';
import { listenWebhooks } from '../../src/triggers/sources/listener.ts';
import { routeEvent } from '../../src/triggers/sources/route.ts';
import { useEmulator } from '../entities/support/env.ts';
import { loadEvents } from './support/events.ts';
import { MemoryCheckpoints, MemoryInbox, MemoryQueue } from './support/memory.ts';

const env = useEmulator();

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

function dispatcherFor(queue: MemoryQueue, t: ReturnType<typeof parseTrigger>, secret?: string) {
  const d = new Dispatcher({ queue, idleMs: 10 });
  d.run({
    name: t.name,
    mode: t.delivery.mode,
    concurrency: t.delivery.concurrency,
    rateLimit: t.rateLimit,
    sink: createSink(resolveSink(t.sinkSpec, t.sinkSecret, {}).spec, { secret }),
    sinkKey: t.sink,
    fields: t.fields && parseFields(t.fields),
    maxAttempts: t.retry.maxAttempts,
    maxAgeMs: t.maxAgeMs,
  });
  return d;
}

describe('triggers end to end', () => {
  it('customer-added, polled: each new customer once, as one NDJSON line with the seed fields', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'e2e-')), 'out.ndjson');
    const t = parseTrigger(
      fromPreset('customer-added', { name: 'new-customers', sink: `file:${out}`, interval: '1s' }),
    );
    const queue = new MemoryQueue();
    const ports = { inbox: new MemoryInbox(queue), checkpoints: new MemoryCheckpoints() };
    const poll = () =>
      pollEvents({ gateway: env.ctx.gateway, ...ports, trigger: t.name, types: t.events ?? [] });
    await poll();
    const created = [];
    for (let i = 0; i < 3; i++) {
      created.push(
        await env.ctx.gateway.request({
          method: 'POST',
          path: '/v1/customers',
          params: { email: `c${i}@x.test`, balance: -i },
        }),
      );
    }
    await poll();
    await poll();
    const d = dispatcherFor(queue, t);
    await until(() => queue.count('acked') === 3);
    await d.stop();
    const lines = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.data.id)).toEqual(created.map((c) => c.id));
    expect(lines[2]).toMatchObject({
      trigger: 'new-customers',
      type: 'customer.created',
      data: { email: 'c2@x.test', account_balance: -2, discount: null },
    });
    expect(Object.keys(lines[0].data)).toEqual([
      'id',
      'account_balance',
      'created',
      'currency',
      'delinquent',
      'description',
      'discount',
      'email',
    ]);
  });

  it("charge-added sees a subscription's first charge, its renewal after a test clock's month, and a later charge", async () => {
    const t = parseTrigger(fromPreset('charge-added', { name: 'clocked-charges', sink: 'stdout' }));
    const ports = { inbox: new MemoryInbox(), checkpoints: new MemoryCheckpoints() };
    const poll = () =>
      pollEvents({ gateway: env.ctx.gateway, ...ports, trigger: t.name, types: t.events ?? [] });
    const post = (path: string, params: Record<string, unknown> = {}) =>
      env.ctx.gateway.request<any>({ method: 'POST', path, params });
    await poll();
    const now = Math.floor(Date.now() / 1000);
    const clock = await post('/v1/test_helpers/test_clocks', { frozen_time: now });
    const customer = await post('/v1/customers', { test_clock: clock.id });
    const pm = await post('/v1/payment_methods/pm_card_visa/attach', { customer: customer.id });
    await post(`/v1/customers/${customer.id}`, { invoice_settings: { default_payment_method: pm.id } });
    const product = await post('/v1/products', { name: 'Clocked' });
    const price = await post('/v1/prices', {
      product: product.id,
      unit_amount: 900,
      currency: 'usd',
      recurring: { interval: 'month' },
    });
    await post('/v1/subscriptions', { customer: customer.id, items: [{ price: price.id }] });
    await post(`/v1/test_helpers/test_clocks/${clock.id}/advance`, { frozen_time: now + 31 * 86400 });
    await poll();
    const ordinary = await post('/v1/payment_intents', {
      amount: 500,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    await poll();
    const charges = (ports.inbox.events.get(t.name) ?? []).map((e) => e.data.object as any);
    expect(charges.filter((c) => c.customer === customer.id && c.amount === 900)).toHaveLength(2);
    expect(charges.map((c) => c.payment_intent)).toContain(ordinary.id);
  });

  it('order-added: an order.created event (emitted by hand: nothing in this API version makes one) is delivered', async () => {
    const t = parseTrigger(fromPreset('order-added', { name: 'orders', sink: 'stdout' }));
    const queue = new MemoryQueue();
    const ports = { inbox: new MemoryInbox(queue), checkpoints: new MemoryCheckpoints() };
    const now = Math.floor(Date.now() / 1000);
    await pollEvents({
      gateway: env.ctx.gateway,
      ...ports,
      trigger: t.name,
      types: t.events ?? [],
      now: () => now - 5,
    });
    const [order] = loadEvents(env.emulator, [{ type: 'order.created', created: now - 2 }]);
    await pollEvents({ gateway: env.ctx.gateway, ...ports, trigger: t.name, types: t.events ?? [] });
    expect(ports.inbox.ids('orders')).toEqual([order.id]);
  });

  it('a lost webhook is recovered by reconciling from the Events API; the late webhook is then a no-op', async () => {
    const t = parseTrigger({
      name: 'reconciled',
      source: 'webhook',
      events: ['customer.created'],
      sink: 'stdout',
    });
    const inbox = new MemoryInbox();
    const secrets = ['whsec_reconcile'];
    const listener = await listenWebhooks({
      secrets: () => secrets,
      inbox,
      route: (e) => routeEvent(e, [t]),
    });
    const ports = { inbox, checkpoints: new MemoryCheckpoints() };
    const reconcile = () =>
      pollEvents({ gateway: env.ctx.gateway, ...ports, trigger: t.name, types: t.events ?? [] });
    await reconcile();
    // No endpoint reaches the listener: the webhook is lost.
    const customer = await env.ctx.gateway.request({ method: 'POST', path: '/v1/customers', params: {} });
    await reconcile();
    const [event] = inbox.events.get('reconciled') ?? [];
    expect(event).toMatchObject({ source: 'events', data: { object: { id: customer.id } } });
    const body = JSON.stringify({
      id: event.id,
      object: 'event',
      type: event.type,
      created: event.created,
      data: event.data,
    });
    const late = await fetch(listener.url, {
      method: 'POST',
      body,
      headers: { 'stripe-signature': webhookSignature(body, secrets[0]) },
    });
    await listener.close();
    expect(await late.json()).toMatchObject({ received: true, stored: 0 });
    expect(inbox.ids('reconciled')).toEqual([event.id]);
  });

  it('webhook source: endpoint created for the trigger, events stored before 2xx, delivered to a signed HTTP sink', async () => {
    const sinkSecret = `whsec_${Buffer.from('e2e sink secret, 32 bytes long..').toString('base64')}`;
    const got: unknown[] = [];
    const receiver = createServer(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      got.push(new Webhook(sinkSecret).verify(body, req.headers as Record<string, string>));
      res.writeHead(200).end();
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const sinkUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
    const t = parseTrigger({
      name: 'hooked',
      source: 'webhook',
      events: ['customer.created'],
      sink: sinkUrl,
      sinkSecret: 'env:X',
    });
    const queue = new MemoryQueue();
    const inbox = new MemoryInbox(queue);
    const secrets: string[] = [];
    const listener = await listenWebhooks({
      secrets: () => secrets,
      inbox,
      route: (e) => routeEvent(e, [t]),
    });
    const ensured = await ensureEndpoint(env.ctx.gateway, {
      installId: 'e2e',
      url: listener.url,
      events: t.events ?? [],
      apiVersion: '2023-08-16',
    });
    secrets.push(ensured.secret as string);
    const d = dispatcherFor(queue, t, sinkSecret);
    const customer = await env.ctx.gateway.request({
      method: 'POST',
      path: '/v1/customers',
      params: { email: 'w@x.test' },
    });
    await until(() => queue.count('acked') === 1);
    await d.stop();
    await listener.close();
    receiver.close();
    expect(got).toEqual([
      expect.objectContaining({
        trigger: 'hooked',
        type: 'customer.created',
        data: expect.objectContaining({ id: customer.id }),
      }),
    ]);
  });
});
