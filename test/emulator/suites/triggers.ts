/**
 * Events for triggers (issue 12): the control route that emits any event type, Connect routing
 * (connected accounts' events only to `connect: true` endpoints, with `account`), scoped event
 * lists and paging, bounded delivery retries, webhook endpoint params and Stripe's 16-endpoint cap.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import Stripe from 'stripe';
import type { Emulator } from '../../../src/emulator/index.ts';
import { triggerEvent } from '../../../src/emulator/control_client.ts';
import { start, stripeError } from '../support/harness.ts';

interface Hook {
  url: string;
  received: Array<{ event: Stripe.Event; raw: string; sig: string }>;
  hits: number;
  close(): void;
}

/** A webhook receiver; `status` is what it answers (500 = failing endpoint). */
async function receiver(status = 200): Promise<Hook> {
  const hook: Hook = { url: '', received: [], hits: 0, close: () => server.close() };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hook.hits++;
      if (status === 200)
        hook.received.push({
          event: JSON.parse(body),
          raw: body,
          sig: String(req.headers['stripe-signature']),
        });
      res.writeHead(status).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hook.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return hook;
}

const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));

export function triggersSuite() {
  let em: Emulator;
  let stripe: Stripe;
  beforeAll(async () => {
    ({ em, stripe } = await start({ webhookRetry: { attempts: 3, baseMs: 20 } }));
  });
  afterAll(() => em.close());

  it('emits any Stripe event type through POST /_emulator/events: stored, listed, delivered signed', async () => {
    const hook = await receiver();
    const endpoint = await stripe.webhookEndpoints.create({
      url: hook.url,
      enabled_events: ['order.created', 'customer.subscription.created'] as any,
    });
    const order = await triggerEvent(em.url, { type: 'order.created', object: { amount_total: 4200 } });
    expect(order).toMatchObject({ object: 'event', type: 'order.created', pending_webhooks: 1 });
    expect(order.data.object).toMatchObject({ object: 'order', amount_total: 4200, livemode: false });
    expect(order.data.object.id).toMatch(/^order_/);
    const sub = await triggerEvent(em.url, { type: 'customer.subscription.created' });
    expect(sub.data.object.object).toBe('subscription');
    expect(sub.data.object.id).toMatch(/^sub_/);
    const listed = await stripe.events.list({ type: 'order.created' });
    expect(listed.data.map((e) => e.id)).toEqual([order.id]);
    await settle();
    hook.close();
    const types = hook.received.map(
      ({ raw, sig }) => Stripe.webhooks.constructEvent(raw, sig, endpoint.secret!).type,
    );
    expect(types.sort()).toEqual(['customer.subscription.created', 'order.created']);
    await expect(triggerEvent(em.url, { type: 'order.teleported' })).rejects.toMatchObject({ status: 400 });
    await expect(triggerEvent(em.url, { type: 'order.created' }, 'sk_test_bad key')).rejects.toMatchObject({
      status: 401,
    });
    const route = await fetch(`${em.url}/_emulator/nothing`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_x' },
    });
    expect([route.status, (await route.json()).error.type]).toEqual([404, 'invalid_request_error']);
  });

  it('emits a batch with `count`: each event of its own object, every one delivered; a bad count is refused', async () => {
    const hook = await receiver();
    const endpoint = await stripe.webhookEndpoints.create({
      url: hook.url,
      enabled_events: ['customer.created'],
    });
    const batch = await triggerEvent(em.url, {
      type: 'customer.created',
      object: { metadata: { batch: 'b1' } },
      count: 5,
    });
    expect(batch.object).toBe('list');
    expect(batch.data).toHaveLength(5);
    expect(new Set(batch.data.map((e: any) => e.data.object.id)).size).toBe(5);
    expect(batch.data.every((e: any) => e.data.object.metadata.batch === 'b1')).toBe(true);
    await settle();
    hook.close();
    await stripe.webhookEndpoints.del(endpoint.id);
    expect(hook.received.map((r) => r.event.id).sort()).toEqual(batch.data.map((e: any) => e.id).sort());
    for (const count of [0, 1001, 2.5, '3'])
      await expect(
        triggerEvent(em.url, { type: 'customer.created', count: count as number }),
      ).rejects.toThrow(/count must be a whole number from 1 to 1000/);
  });

  it("Connect: a connected account's events go only to connect endpoints, with `account`; lists are scoped", async () => {
    const connectHook = await receiver();
    const platformHook = await receiver();
    const connect = await stripe.webhookEndpoints.create({
      url: connectHook.url,
      enabled_events: ['customer.created', 'invoice.paid'],
      connect: true,
      api_version: '2023-08-16',
      metadata: { owner: 'triggers' },
    });
    expect(connect).toMatchObject({ api_version: '2023-08-16', metadata: { owner: 'triggers' } });
    await stripe.webhookEndpoints.create({
      url: platformHook.url,
      enabled_events: ['customer.created', 'invoice.paid'],
    });
    const acct = { stripeAccount: 'acct_1Connected' };
    const theirs = await stripe.customers.create({ name: 'Connected customer' }, acct);
    const ours = await stripe.customers.create({ name: 'Platform customer' });
    const triggered = await triggerEvent(em.url, { type: 'invoice.paid', account: 'acct_1Connected' });
    expect(triggered.account).toBe('acct_1Connected');
    await settle();
    connectHook.close();
    platformHook.close();
    expect(
      connectHook.received.map((r) => [r.event.type, r.event.account, (r.event.data.object as any).id]),
    ).toEqual([
      ['customer.created', 'acct_1Connected', theirs.id],
      ['invoice.paid', 'acct_1Connected', triggered.data.object.id],
    ]);
    expect(
      platformHook.received.map((r) => [r.event.type, r.event.account, (r.event.data.object as any).id]),
    ).toEqual([['customer.created', undefined, ours.id]]);
    const scoped = await stripe.events.list({ type: 'customer.created' }, acct);
    expect(scoped.data.map((e) => (e.data.object as any).id)).toEqual([theirs.id]);
    expect(scoped.data[0].account).toBe('acct_1Connected');
    const platform = await stripe.events.list({ type: 'customer.created' });
    expect(platform.data.map((e) => (e.data.object as any).id)).toContain(ours.id);
    expect(platform.data.map((e) => (e.data.object as any).id)).not.toContain(theirs.id);
  });

  it('lists events by types[], created ranges, and pages both ways newest first', async () => {
    const acct = { stripeAccount: 'acct_1Paging' };
    const made: string[] = [];
    for (let i = 0; i < 5; i++)
      made.push((await triggerEvent(em.url, { type: 'charge.succeeded', account: acct.stripeAccount })).id);
    await triggerEvent(em.url, { type: 'invoiceitem.created', account: acct.stripeAccount });
    const newestFirst = [...made].reverse();
    const types = await stripe.events.list({ types: ['charge.succeeded'], limit: 2 }, acct);
    expect([types.data.map((e) => e.id), types.has_more]).toEqual([newestFirst.slice(0, 2), true]);
    const next = await stripe.events.list(
      { types: ['charge.succeeded'], limit: 2, starting_after: newestFirst[1] },
      acct,
    );
    expect(next.data.map((e) => e.id)).toEqual(newestFirst.slice(2, 4));
    const back = await stripe.events.list(
      { types: ['charge.succeeded'], limit: 2, ending_before: newestFirst[4] },
      acct,
    );
    expect(back.data.map((e) => e.id)).toEqual(newestFirst.slice(2, 4));
    const both = await stripe.events.list({ types: ['charge.succeeded', 'invoiceitem.created'] }, acct);
    expect(both.data).toHaveLength(6);
    const created = both.data[0].created;
    expect((await stripe.events.list({ created: { gt: created } }, acct)).data).toHaveLength(0);
    expect(
      (await stripe.events.list({ created: { gte: created, lte: created } }, acct)).data.length,
    ).toBeGreaterThan(0);
    const tooMany = await stripeError(
      stripe.events.list({ types: Array.from({ length: 21 }, (_, i) => `t${i}.x`) }, acct),
    );
    expect([tooMany.statusCode, tooMany.param]).toEqual([400, 'types']);
  });

  it('retries a failing endpoint a bounded number of times with backoff, then stops', async () => {
    const failing = await receiver(500);
    const acct = { stripeAccount: 'acct_1Failing' };
    await stripe.webhookEndpoints.create({ url: failing.url, enabled_events: ['*'] }, acct);
    const event = await triggerEvent(em.url, { type: 'product.created', account: acct.stripeAccount });
    await settle(20 + 40 + 300);
    failing.close();
    expect(failing.hits).toBe(3);
    expect((await stripe.events.retrieve(event.id, {}, acct)).pending_webhooks).toBe(1);
  });

  it("caps webhook endpoints at Stripe's 16 per account and mode", async () => {
    const acct = { stripeAccount: 'acct_1Cap' };
    for (let i = 0; i < 16; i++)
      await stripe.webhookEndpoints.create({ url: `https://example.com/${i}`, enabled_events: ['*'] }, acct);
    const over = await stripeError(
      stripe.webhookEndpoints.create({ url: 'https://example.com/17', enabled_events: ['*'] }, acct),
    );
    expect([over.statusCode, over.type]).toEqual([400, 'StripeInvalidRequestError']);
    expect(over.raw.message).toMatch(/maximum of 16 webhook endpoints/);
    const live = await stripe.webhookEndpoints.list({ limit: 100 }, acct);
    await stripe.webhookEndpoints.del(live.data[0].id, {}, acct);
    await stripe.webhookEndpoints.create({ url: 'https://example.com/again', enabled_events: ['*'] }, acct);
  });
}
