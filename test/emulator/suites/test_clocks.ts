/** Test clocks bill subscriptions (issue 15): a second month is invoiced and charged; a decline is past_due. */
import { expect, it } from 'vitest';
import type Stripe from 'stripe';
import type { Emulator } from '../../../src/emulator/index.ts';

const DAY = 86400;

export function testClocksSuite(get: () => { em: Emulator; stripe: Stripe }) {
  async function subscribed(card: string) {
    const { stripe } = get();
    const now = Math.floor(Date.now() / 1000);
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: now, name: 'billing' });
    const customer = await stripe.customers.create({ name: 'Clocked', test_clock: clock.id });
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
    const product = await stripe.products.create({ name: 'Pro' });
    const price = await stripe.prices.create({
      product: product.id,
      unit_amount: 2900,
      currency: 'usd',
      recurring: { interval: 'month' },
    });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    expect(sub.status).toBe('active');
    if (card !== 'pm_card_visa') {
      const other = await stripe.paymentMethods.attach(card, { customer: customer.id });
      await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: other.id } });
    }
    return { clock, customer, sub, now };
  }

  it('advancing a clock past the period end renews, invoices and charges the second month', async () => {
    const { stripe } = get();
    const { clock, customer, sub, now } = await subscribed('pm_card_visa');
    const advanced = await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: now + 31 * DAY });
    expect(advanced).toMatchObject({ frozen_time: now + 31 * DAY, status: 'ready' });
    const renewed: any = await stripe.subscriptions.retrieve(sub.id);
    expect(renewed.status).toBe('active');
    expect(renewed.current_period_start).toBe((sub as any).current_period_end);
    expect(renewed.current_period_end).toBeGreaterThan(now + 31 * DAY);
    const invoices = await stripe.invoices.list({ customer: customer.id });
    expect(invoices.data.map((i) => [i.billing_reason, i.status, i.amount_paid])).toEqual([
      ['subscription_cycle', 'paid', 2900],
      ['subscription_create', 'paid', 2900],
    ]);
    expect(renewed.latest_invoice).toBe(invoices.data[0].id);
    expect(invoices.data[0].created).toBe((sub as any).current_period_end);
    const charges = await stripe.charges.list({ customer: customer.id });
    expect(charges.data.filter((c) => c.paid)).toHaveLength(2);
    // Two more periods at once: each billed in turn.
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: now + 95 * DAY });
    expect((await stripe.invoices.list({ customer: customer.id })).data).toHaveLength(4);
    const back = await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: now }).catch((e) => e);
    expect([back.statusCode, back.param]).toEqual([400, 'frozen_time']);
  });

  it("a renewal's events and payment carry the time they happened; the invoice and subscription the clock's", async () => {
    // Stripe moves only Billing objects (subscriptions, invoices) to the clock's time; an event's
    // `created` and the payment made for the invoice are stamped with the real time.
    const { stripe } = get();
    const { clock, customer, sub, now } = await subscribed('pm_card_visa');
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: now + 31 * DAY });
    const after = Math.floor(Date.now() / 1000);
    const [invoice] = (await stripe.invoices.list({ customer: customer.id, limit: 1 })).data;
    expect(invoice.created).toBe((sub as any).current_period_end);
    expect(invoice.status_transitions.paid_at).toBe((sub as any).current_period_end);
    const [charge] = (await stripe.charges.list({ customer: customer.id, limit: 1 })).data;
    expect(charge.payment_intent).toBeTruthy();
    expect(charge.created).toBeGreaterThanOrEqual(now);
    expect(charge.created).toBeLessThanOrEqual(after);
    const events = (await stripe.events.list({ created: { gte: now }, limit: 100 })).data.filter(
      (e) => (e.data.object as any).customer === customer.id || (e.data.object as any).id === clock.id,
    );
    const renewal = events.filter((e) => e.type === 'invoice.paid' || e.type === 'charge.succeeded');
    expect(renewal.length).toBeGreaterThanOrEqual(4);
    for (const e of events) expect([e.type, e.created <= after && e.created >= now]).toEqual([e.type, true]);
    // Nothing dated in the future: an events reader walking by `created` sees the renewal now.
    expect((await stripe.events.list({ created: { gt: after }, limit: 1 })).data).toEqual([]);
  });

  it('a declining card leaves the renewal invoice open and the subscription past_due', async () => {
    const { stripe } = get();
    const { clock, customer, sub, now } = await subscribed('pm_card_chargeDeclined');
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: now + 31 * DAY });
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('past_due');
    const [latest] = (await stripe.invoices.list({ customer: customer.id, limit: 1 })).data;
    expect([latest.billing_reason, latest.status, latest.attempted, latest.amount_paid]).toEqual([
      'subscription_cycle',
      'open',
      true,
      0,
    ]);
  });
}
