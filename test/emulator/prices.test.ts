/** Price lookup keys and types, and subscription item changes, as Stripe does them (issue 15). */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';

let em: Emulator;
let stripe: Stripe;
beforeAll(async () => {
  em = await startEmulator({ port: 0 });
  const base = new URL(em.url);
  stripe = new Stripe('sk_test_prices', {
    host: base.hostname,
    port: Number(base.port),
    protocol: 'http',
    telemetry: false,
  });
});
afterAll(() => em?.close());

describe('prices', () => {
  it('keeps one price per lookup key: refused without transfer_lookup_key, moved with it; lists filter by lookup_keys', async () => {
    const product = await stripe.products.create({ name: 'P' });
    const first = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 100,
      recurring: { interval: 'month' },
      lookup_key: 'pro',
    });
    expect(first.type).toBe('recurring');
    const once = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 100 });
    expect(once.type).toBe('one_time');
    const clash = await stripe.prices
      .create({
        product: product.id,
        currency: 'usd',
        unit_amount: 200,
        recurring: { interval: 'month' },
        lookup_key: 'pro',
      })
      .catch((e) => e);
    expect([clash.statusCode, clash.param, clash.message]).toEqual([
      400,
      'lookup_key',
      `A price (\`${first.id}\`) already uses that lookup key.`,
    ]);
    const second = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 200,
      recurring: { interval: 'month' },
      lookup_key: 'pro',
      transfer_lookup_key: true,
    });
    expect((await stripe.prices.retrieve(first.id)).lookup_key).toBeNull();
    expect((await stripe.prices.list({ lookup_keys: ['pro'] })).data.map((p) => p.id)).toEqual([second.id]);
    await stripe.prices.update(first.id, { lookup_key: 'pro', transfer_lookup_key: true });
    expect((await stripe.prices.retrieve(second.id)).lookup_key).toBeNull();
  });

  it('a subscription update with items[0][id] and a new price changes the plan', async () => {
    const product = await stripe.products.create({ name: 'Q' });
    const monthly = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 100,
      recurring: { interval: 'month' },
    });
    const yearly = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 1000,
      recurring: { interval: 'year' },
    });
    const customer = await stripe.customers.create({
      payment_method: 'pm_card_visa',
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    } as never);
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: monthly.id }],
      payment_behavior: 'default_incomplete',
    });
    const moved = await stripe.subscriptions.update(sub.id, {
      items: [{ id: sub.items.data[0].id, price: yearly.id }],
      proration_behavior: 'create_prorations',
    });
    expect(moved.items.data.map((i) => [i.id, i.price.id])).toEqual([[sub.items.data[0].id, yearly.id]]);
    const bad = await stripe.subscriptions
      .update(sub.id, { items: [{ id: 'si_nope', price: yearly.id }] })
      .catch((e) => e);
    expect([bad.statusCode, bad.param]).toEqual([400, 'items[0][id]']);
  });
});
