/**
 * Prorations on a change of plan, as Stripe makes them (issue 15): with the default
 * `create_prorations` a credit for the unused time and a charge for the remaining time wait as
 * pending invoice items and are billed with the renewal; `none` makes none; `always_invoice`
 * bills them at once. Time is the customer’s test clock. Responses are schema-checked (harness);
 * `proration` and `price` are fields of the catalog’s API version (2023-08-16), not of the SDK’s types.
 */
import type Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.ts';
import { start, stats } from './support/harness.ts';

const DAY = 86400;
let em: Emulator;
let stripe: Stripe;
beforeAll(async () => ({ em, stripe } = await start()));
afterEach(() => expect(stats.failures.splice(0)).toEqual([]));
afterAll(() => em?.close());

/** A customer on a clock with a card, subscribed monthly to `a`; the clock moved `days` into the period. */
async function midPeriod(days: number) {
  const now = Math.floor(Date.now() / 1000);
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: now });
  const customer = await stripe.customers.create({ test_clock: clock.id });
  const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  const product = await stripe.products.create({ name: 'Plan' });
  const price = (unit_amount: number) =>
    stripe.prices.create({
      product: product.id,
      unit_amount,
      currency: 'usd',
      recurring: { interval: 'month' },
    });
  const [a, b] = [await price(3000), await price(6000)];
  const sub: any = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: a.id }] });
  const at = sub.current_period_start + days * DAY;
  await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at });
  const share = (sub.current_period_end - at) / (sub.current_period_end - sub.current_period_start);
  return { clock, customer, sub, a, b, at, share };
}

const pending = async (customer: string) =>
  (await stripe.invoiceItems.list({ customer })).data.filter((ii) => ii.invoice === null);

describe('prorations on a change of plan', () => {
  it('create_prorations (the default): credit and charge pending, billed with the renewal', async () => {
    const { clock, customer, sub, a, b, share } = await midPeriod(15);
    await stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0].id, price: b.id }] });
    const items = await pending(customer.id);
    expect(items.map((ii) => [ii.amount, ii.proration, (ii as any).price.id]).sort()).toEqual(
      [
        [-Math.round(3000 * share), true, a.id],
        [Math.round(6000 * share), true, b.id],
      ].sort(),
    );
    expect(items[0].period.end).toBe(sub.current_period_end);
    expect(items.map((ii) => ii.description).join(' | ')).toMatch(
      /Unused time on .* \| Remaining time on |Remaining time on .* \| Unused time on /,
    );
    expect((await stripe.invoices.list({ customer: customer.id })).data).toHaveLength(1);

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: sub.current_period_end + 60 });
    const [renewal] = (await stripe.invoices.list({ customer: customer.id })).data;
    expect(renewal.billing_reason).toBe('subscription_cycle');
    expect(renewal.lines.data.filter((l) => (l as any).proration)).toHaveLength(2);
    const due = 6000 + Math.round(6000 * share) - Math.round(3000 * share);
    expect([renewal.status, renewal.amount_due, renewal.amount_paid]).toEqual(['paid', due, due]);
    expect(await pending(customer.id)).toEqual([]);
  });

  it('none makes no proration; always_invoice bills the difference at once', async () => {
    const { customer, sub, a, b, share } = await midPeriod(10);
    const item = sub.items.data[0].id;
    await stripe.subscriptions.update(sub.id, {
      items: [{ id: item, price: b.id }],
      proration_behavior: 'none',
    });
    expect(await pending(customer.id)).toEqual([]);
    await stripe.subscriptions.update(sub.id, {
      items: [{ id: item, price: a.id }],
      proration_behavior: 'always_invoice',
    });
    expect(await pending(customer.id)).toEqual([]);
    const [now] = (await stripe.invoices.list({ customer: customer.id })).data;
    // Back from b to a: the unused time on b is credited, the remaining time on a charged (a net credit).
    const net = Math.round(3000 * share) - Math.round(6000 * share);
    expect([now.billing_reason, now.subtotal]).toEqual(['subscription_update', net]);
    expect(now.lines.data.every((l) => (l as any).proration)).toBe(true);
    expect((await stripe.subscriptions.retrieve(sub.id)).latest_invoice).toBe(now.id);
  });
});
